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
