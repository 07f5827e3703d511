/**
 * The lock's owner note names its holder by pid and, on Linux, by the holder's start time: a pid alone
 * is not an identity (on a busy machine a dead holder's pid runs another program a moment later), and a
 * lock whose holder is gone must be taken over at once, not after the 10 s staleness.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { acquireLock, processStart } from '../../src/files/lock.js';
import { UserError } from '../../src/errors.js';
import { fakePlatform } from '../fake-platform.js';
import { watchedFs } from '../watched-fs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const linux = process.platform === 'linux';

function setup() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-lock-'));
  dirs.push(home);
  const p = fakePlatform({ os: 'linux', home, fs, pid: process.pid });
  const lockPath = path.join(home, 'file.json.lock');
  // A holder that took the lock and never released it (killed): its note, rewritten as the test needs.
  const abandon = (holder: { pid: number; start?: string }) => {
    acquireLock(p, lockPath, { ownerDir: home });
    const notes = path.join(home, 'locks');
    const [name] = fs.readdirSync(notes);
    const file = path.join(notes, name);
    const note = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...note, ...holder }));
  };
  const take = (timeoutMs = 3000) => acquireLock(p, lockPath, { ownerDir: home, timeoutMs, staleMs: 60_000 });
  return { p, abandon, take };
}

describe.skipIf(!linux)('lock owner identity (Linux: /proc/PID/stat)', () => {
  test("processStart reads a running process's start time, and nothing for a pid that runs nothing", () => {
    const { p } = setup();
    expect(processStart(p, process.pid)).toMatch(/^\d+$/);
    expect(processStart(p, 2 ** 22 + 12345)).toBeUndefined();
  });

  test('a note whose pid now runs another program (another start time) is a dead holder: taken over at once', () => {
    const { abandon, take } = setup();
    abandon({ pid: process.ppid, start: '1' }); // the parent is alive, but it is not the holder
    const t0 = Date.now();
    const lock = take();
    expect(lock.recovered).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
    lock.release();
  });

  test('a note naming a running holder (same pid, same start time) is respected: the lock is not taken', () => {
    const { p, abandon, take } = setup();
    abandon({ pid: process.ppid, start: processStart(p, process.ppid) });
    expect(() => take(300)).toThrow(UserError);
  });

  test("a note with this very pid but another start time is an earlier process's: taken over at once", () => {
    const { abandon, take } = setup();
    abandon({ pid: process.pid, start: '1' });
    const lock = take();
    expect(lock.recovered).toBe(true);
    lock.release();
  });
});

describe('lock owner notes outlive their lock, and speak only for the folder they name', () => {
  const notePath = (home: string) => {
    const notes = path.join(home, 'locks');
    const [name] = fs.readdirSync(notes);
    return path.join(notes, name);
  };

  test('released, the note stays; the next holder writes over it in place (no file created, none truncated), and it reads back', () => {
    const { p, take } = setup();
    const home = p.home;
    take().release();
    const file = notePath(home);
    const writes: string[] = [];
    const watched = fakePlatform({
      ...p,
      fs: watchedFs({
        openSync:
          (open) =>
          (f: string, flags: string, ...rest: never[]) => {
            if (String(f).endsWith('.owner')) writes.push(`open ${flags}`);
            return (open as (...a: unknown[]) => unknown)(f, flags, ...rest);
          },
        writeFileSync:
          (w) =>
          (f: string, ...rest: never[]) => {
            if (String(f).endsWith('.owner')) writes.push('writeFile');
            return (w as (...a: unknown[]) => unknown)(f, ...rest);
          },
      }),
    });
    const lock = acquireLock(watched, path.join(home, 'file.json.lock'), { ownerDir: home });
    expect(writes).toEqual(['open r+']);
    const note = JSON.parse(fs.readFileSync(file, 'utf8'));
    const lockStat = fs.statSync(path.join(home, 'file.json.lock'));
    expect(note).toMatchObject({ pid: process.pid, ino: lockStat.ino, mtimeMs: lockStat.mtimeMs });
    lock.release();
    expect(fs.existsSync(path.join(home, 'file.json.lock'))).toBe(false);
    expect(fs.existsSync(file)).toBe(true);
  });

  /**
   * A lock folder another writer (Claude Code) makes now, after an mcpwire holder released theirs, and
   * the note left behind rewritten to name a dead pid and this folder's inode (as a reused inode would),
   * with this folder's mtime shifted by `mtimeShiftMs`.
   */
  function foreignLockWithDeadNote(mtimeShiftMs: number) {
    const t = setup();
    t.take().release();
    const lockPath = path.join(t.p.home, 'file.json.lock');
    fs.mkdirSync(lockPath);
    const st = fs.statSync(lockPath);
    fs.writeFileSync(notePath(t.p.home), JSON.stringify({ pid: 2 ** 22 + 12345, ino: st.ino, mtimeMs: st.mtimeMs + mtimeShiftMs }));
    return { ...t, lockPath, ino: st.ino };
  }

  test("a note left by an earlier holder of a dead pid does not speak for a new lock folder (another writer's, fresh): not taken over", () => {
    // The earlier folder's mtime: not this one.
    const { take, lockPath, ino } = foreignLockWithDeadNote(-5000);
    expect(() => take(300)).toThrow(UserError);
    expect(fs.statSync(lockPath).ino).toBe(ino);
  });

  test('a note of a dead holder naming the folder exactly (inode and mtime) is recovered at once', () => {
    const { take } = foreignLockWithDeadNote(0);
    const lock = take();
    expect(lock.recovered).toBe(true);
    lock.release();
  });
});
