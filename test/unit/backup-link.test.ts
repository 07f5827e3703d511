/**
 * A backup is the file as it was read, kept under a second name (a hard link): no new file to create
 * and fill. Kept only when the link names the very file that was read and holds its bytes; otherwise,
 * or where links are refused, the bytes read are written as a new file. Private (0600) once the file is
 * replaced; a write that does not happen leaves the file exactly as it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runTransaction, type JournalHooks } from '../../src/files/transaction.js';
import { currentPlatform, type Platform } from '../../src/platform.js';
import { watchedFs } from '../watched-fs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const BEFORE = '{ "mcpServers": { "a": { "url": "https://a.example/" } } }\n';
const AFTER = '{ "mcpServers": { "a": { "url": "https://a.example/" }, "b": { "url": "https://b.example/" } } }\n';

type Link = (existing: string, dest: string) => void;
type Rename = (from: string, to: string) => void;

/** A config file (0644) in a scratch folder, and a transaction that rewrites it; `link` stands in for fs.linkSync, `rename` for fs.renameSync. */
function setup(o: { link?: (real: Link) => Link; rename?: (real: Rename) => Rename; failFsync?: boolean } = {}) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-backup-')));
  dirs.push(dir);
  const file = path.join(dir, 'mcp.json');
  fs.writeFileSync(file, BEFORE, { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  // Whole seconds, as a file system whose clock ticks in seconds gives them (and restorable exactly).
  fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
  const before = fs.statSync(file);
  const p: Platform = {
    ...currentPlatform(),
    fs: watchedFs({
      ...(o.link ? { linkSync: (real) => o.link!(real as unknown as Link) as never } : {}),
      ...(o.rename ? { renameSync: (real) => o.rename!(real as unknown as Rename) as never } : {}),
      ...(o.failFsync
        ? {
            fsync: () => (_fd: number, cb: (e: Error | null) => void) =>
              setTimeout(() => cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })), 5),
          }
        : {}),
    }),
  };
  const journal: JournalHooks = { prepare: () => [], commit: () => {}, amend: () => {}, release: () => {} };
  const backupDir = path.join(dir, 'state', 'backups', 'one');
  const run = () =>
    runTransaction(
      { platform: p, stateDir: path.join(dir, 'state'), backupDir, dryRun: false },
      [{ file, backupName: 'cursor-user-mcp.json', edit: () => ({ text: AFTER, secret: false }) }],
      journal,
    );
  return { dir, file, before, backup: path.join(backupDir, 'cursor-user-mcp.json'), run };
}

test('the backup is the file as read under a second name: same inode, its bytes, 0600 once replaced; the new file keeps its mode', async () => {
  const t = setup();
  const r = await t.run();
  expect(r.changed).toHaveLength(1);
  const b = fs.statSync(t.backup);
  expect(b.ino).toBe(t.before.ino);
  expect(b.nlink).toBe(1);
  expect(fs.readFileSync(t.backup, 'utf8')).toBe(BEFORE);
  expect(b.mode & 0o777).toBe(0o600);
  const now = fs.statSync(t.file);
  expect(now.ino).not.toBe(t.before.ino);
  expect(now.mode & 0o777).toBe(0o644);
  expect(fs.readFileSync(t.file, 'utf8')).toBe(AFTER);
});

test('a file replaced between the read and the link: the backup is written from the bytes read', async () => {
  const t = setup({
    link: (real) => (existing, dest) => {
      // Another program replaces the file (same size, other bytes) just before the link is made.
      const other = existing + '.other';
      fs.writeFileSync(other, BEFORE.replace('a.example', 'x.example'));
      fs.renameSync(other, existing);
      real(existing, dest);
    },
  });
  await t.run();
  expect(fs.readFileSync(t.backup, 'utf8')).toBe(BEFORE);
  expect(fs.statSync(t.backup).mode & 0o777).toBe(0o600);
});

test('a file rewritten in place with its size and mtime kept (a clock that ticks in seconds): the bytes read back decide', async () => {
  const t = setup({
    link: (real) => (existing, dest) => {
      real(existing, dest);
      fs.writeFileSync(existing, BEFORE.replace('a.example', 'x.example'));
      fs.utimesSync(existing, 1_700_000_000, 1_700_000_000);
    },
  });
  await t.run();
  expect(fs.readFileSync(t.backup, 'utf8')).toBe(BEFORE);
  expect(fs.statSync(t.backup).ino).not.toBe(t.before.ino);
});

test('links refused (another file system, FAT, another owner under protected_hardlinks): the bytes are written, 0600', async () => {
  const t = setup({
    link: () => () => {
      throw Object.assign(new Error('EXDEV: cross-device link not permitted, link'), { code: 'EXDEV' });
    },
  });
  const r = await t.run();
  expect(r.changed).toHaveLength(1);
  expect(fs.readFileSync(t.backup, 'utf8')).toBe(BEFORE);
  expect(fs.statSync(t.backup).ino).not.toBe(t.before.ino);
  expect(fs.statSync(t.backup).mode & 0o777).toBe(0o600);
});

test('a write that does not happen leaves the file exactly as it was: no second name, its mode untouched', async () => {
  const t = setup({ failFsync: true });
  const r = await t.run();
  expect(r.changed).toHaveLength(0);
  expect(fs.existsSync(t.backup)).toBe(false);
  const now = fs.statSync(t.file);
  expect(now.ino).toBe(t.before.ino);
  expect(now.nlink).toBe(1);
  expect(now.mode & 0o777).toBe(0o644);
  expect(fs.readFileSync(t.file, 'utf8')).toBe(BEFORE);
});

test('a file with another name (a hard link kept elsewhere, say a dotfiles folder): copied, and the other name keeps its mode and bytes', async () => {
  const t = setup();
  const dotfile = path.join(t.dir, 'dotfiles-mcp.json');
  fs.linkSync(t.file, dotfile);
  await t.run();
  expect(fs.readFileSync(t.backup, 'utf8')).toBe(BEFORE);
  expect(fs.statSync(t.backup).ino).not.toBe(t.before.ino);
  expect(fs.statSync(t.backup).mode & 0o777).toBe(0o600);
  const other = fs.statSync(dotfile);
  expect(other.ino).toBe(t.before.ino);
  expect(other.nlink).toBe(1);
  expect(other.mode & 0o777).toBe(0o644);
  expect(fs.readFileSync(dotfile, 'utf8')).toBe(BEFORE);
});

test('the old file linked elsewhere between the rename and the chmod: its mode is left alone', async () => {
  let elsewhere = '';
  const t = setup({
    rename: (real) => (from, to) => {
      real(from, to);
      // Right after the file is replaced, another program gives the old file (now the backup) a name of its own.
      if (to.endsWith('mcp.json') && !elsewhere)
        fs.linkSync(path.join(path.dirname(to), 'state', 'backups', 'one', 'cursor-user-mcp.json'), (elsewhere = `${to}.kept`));
    },
  });
  await t.run();
  expect(elsewhere).not.toBe('');
  expect(fs.statSync(elsewhere).ino).toBe(t.before.ino);
  expect(fs.statSync(elsewhere).mode & 0o777).toBe(0o644);
});
