/**
 * A transaction's fsyncs: each temp file's starts as soon as the file is written (the disk flushes
 * while the fingerprints and the journal entry are made), and every one has finished before the
 * journal entry is committed and the first file renamed. One that fails: nothing renamed, no temp file
 * left, no journal entry.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runTransaction, type FileWrite, type JournalHooks } from '../../src/files/transaction.js';
import { currentPlatform, type Platform } from '../../src/platform.js';
import { watchedFs } from '../watched-fs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A real scratch folder behind a platform whose async fsync is watched (and can be made to fail). */
function setup(failFor?: string) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-fsync-')));
  dirs.push(dir);
  const events: string[] = [];
  const fdName = new Map<number, string>();
  const watched = watchedFs({
    openSync:
      (open) =>
      (f: string, ...rest: unknown[]) => {
        const fd = (open as (...a: unknown[]) => number)(f, ...rest);
        fdName.set(
          fd,
          path
            .basename(f)
            .replace(/\.mcpwire-.*$/, '')
            .replace(/^\./, ''),
        );
        return fd;
      },
    fsync: (fsync) => (fd: number, cb: (e: Error | null) => void) => {
      const name = fdName.get(fd) ?? '?';
      events.push(`fsync ${name}`);
      if (name === failFor)
        return setTimeout(() => (events.push(`failed ${name}`), cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }))), 20);
      (fsync as unknown as typeof fs.fsync)(fd, (e) => (events.push(`synced ${name}`), cb(e)));
    },
    renameSync: (rename) => (a: string, b: string) => (events.push(`rename ${path.basename(b)}`), (rename as unknown as typeof fs.renameSync)(a, b)),
  });
  const p: Platform = { ...currentPlatform(), fs: watched };
  const files = ['a.json', 'b.json'].map((n) => {
    const f = path.join(dir, n);
    fs.writeFileSync(f, '{}\n');
    return f;
  });
  const write = (f: string): FileWrite => ({ file: f, backupName: path.basename(f), edit: () => ({ text: '{ "x": 1 }\n', secret: false }) });
  const journal: JournalHooks = {
    prepare: () => (events.push('journal prepared'), []),
    commit: () => void events.push('journal committed'),
    amend: () => void events.push('journal amended'),
    release: () => {},
  };
  const run = (whileFlushing?: () => void) =>
    runTransaction(
      { platform: p, stateDir: path.join(dir, 'state'), backupDir: path.join(dir, 'state', 'b'), dryRun: false, whileFlushing },
      files.map(write),
      journal,
    );
  return { dir, files, events, run };
}

test('each fsync starts as the temp file is written, before the journal entry; all end before the commit and the renames', async () => {
  const t = setup();
  const r = await t.run();
  expect(r.outcomes.every((o) => o.ok)).toBe(true);
  const at = (e: string) => t.events.indexOf(e);
  expect(at('fsync a.json')).toBeGreaterThan(-1);
  expect(at('fsync a.json')).toBeLessThan(at('journal prepared'));
  expect(at('fsync b.json')).toBeLessThan(at('journal prepared'));
  for (const n of ['a.json', 'b.json']) {
    expect(at(`synced ${n}`)).toBeLessThan(at('journal committed'));
    expect(at('journal committed')).toBeLessThan(at(`rename ${n}`));
  }
  for (const f of t.files) expect(fs.readFileSync(f, 'utf8')).toBe('{ "x": 1 }\n');
});

test('an fsync that fails: no file renamed, no temp file left, no journal entry committed', async () => {
  const t = setup('b.json');
  const r = await t.run();
  expect(r.outcomes.some((o) => o.ok)).toBe(false);
  expect(r.changed).toEqual([]);
  expect(t.events).toContain('failed b.json');
  expect(t.events).not.toContain('journal committed');
  expect(t.events.filter((e) => e.startsWith('rename'))).toEqual([]);
  for (const f of t.files) expect(fs.readFileSync(f, 'utf8')).toBe('{}\n');
  expect(fs.readdirSync(t.dir).filter((n) => n.includes('.tmp'))).toEqual([]);
});

test('work given to do while the files flush runs once, after every fsync started and before any ends or any rename; what it throws changes nothing', async () => {
  for (const throws of [false, true]) {
    const t = setup();
    let seen: string[] = [];
    let contents: string[] = [];
    const r = await t.run(() => {
      seen = [...t.events];
      contents = t.files.map((f) => fs.readFileSync(f, 'utf8'));
      t.events.push('while flushing');
      if (throws) throw new Error('detection failed');
    });
    expect(r.outcomes.every((o) => o.ok)).toBe(true);
    expect(t.events.filter((e) => e === 'while flushing')).toHaveLength(1);
    expect(seen).toEqual(expect.arrayContaining(['fsync a.json', 'fsync b.json', 'journal prepared']));
    expect(seen.some((e) => e.startsWith('synced') || e.startsWith('rename'))).toBe(false);
    expect(contents).toEqual(['{}\n', '{}\n']);
    for (const f of t.files) expect(fs.readFileSync(f, 'utf8')).toBe('{ "x": 1 }\n');
  }
});
