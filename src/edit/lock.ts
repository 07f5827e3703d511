/**
 * A directory lock in the proper-lockfile style: `mkdir LOCK` succeeds for exactly one process; a lock
 * whose mtime is older than `staleMs` is taken over. This is the lock Claude Code takes on
 * `~/.claude.json` (`~/.claude.json.lock`), so the two writers never race; mcpwire uses the same kind
 * for every file it edits (for other clients' files the lock lives in mcpwire's state dir).
 *
 * The lock directory stays empty (Claude Code removes a stale one with rmdir). Who holds it is noted
 * in a side file in mcpwire's state dir, so a lock left by a killed mcpwire process is recognised at
 * once instead of after `staleMs`.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Platform } from '../platform.js';

export interface LockOptions {
  staleMs?: number;
  timeoutMs?: number;
  /** Folder for owner notes (mcpwire's state dir). */
  ownerDir: string;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerNote(p: Platform, lockPath: string, ownerDir: string): string {
  return p.path.join(ownerDir, 'locks', createHash('sha256').update(lockPath).digest('hex').slice(0, 24) + '.owner');
}

/** Take the lock, waiting up to timeoutMs. Returns the release function. */
export function acquireLock(p: Platform, lockPath: string, opts: LockOptions): () => void {
  const staleMs = opts.staleMs ?? 10_000;
  const deadline = p.now() + (opts.timeoutMs ?? 20_000);
  const note = ownerNote(p, lockPath, opts.ownerDir);
  let wait = 5;
  for (;;) {
    try {
      p.fs.mkdirSync(lockPath);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        p.fs.mkdirSync(p.path.dirname(lockPath), { recursive: true, mode: 0o700 }); // only ever mcpwire's state dir
        continue;
      }
      if (code !== 'EEXIST') throw e;
    }
    // Held by someone: stale, or left by a dead mcpwire process?
    let mtime: number;
    try {
      mtime = p.fs.statSync(lockPath).mtimeMs;
    } catch {
      continue; // released in between
    }
    let stale = p.now() - mtime > staleMs;
    if (!stale) {
      try {
        const o = JSON.parse(String(p.fs.readFileSync(note, 'utf8'))) as { pid: number; mtimeMs: number };
        stale = Math.abs(o.mtimeMs - mtime) < 1 && o.pid !== p.pid && !alive(o.pid);
      } catch {
        /* no note: not ours */
      }
    }
    if (stale) {
      try {
        p.fs.rmdirSync(lockPath);
      } catch {
        /* someone else took it over first */
      }
      continue;
    }
    if (p.now() > deadline) {
      throw new UserError(`${lockPath} is held by another process (Claude Code or another mcpwire).`, {
        exitCode: 1,
        fix: `Try again in a moment. If nothing else is running, remove the folder ${lockPath}.`,
      });
    }
    sleep(wait + Math.floor(Math.random() * wait));
    wait = Math.min(wait * 2, 100);
  }
  try {
    p.fs.mkdirSync(p.path.dirname(note), { recursive: true, mode: 0o700 });
    p.fs.writeFileSync(note, JSON.stringify({ pid: p.pid, mtimeMs: p.fs.statSync(lockPath).mtimeMs }), { mode: 0o600 });
  } catch {
    /* the note only speeds up recovery */
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      p.fs.unlinkSync(note);
    } catch {
      /* fine */
    }
    try {
      p.fs.rmdirSync(lockPath);
    } catch {
      /* already taken over as stale */
    }
  };
}
