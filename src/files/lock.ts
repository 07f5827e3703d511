/**
 * A directory lock in the proper-lockfile style: `mkdir LOCK` succeeds for exactly one process; a lock
 * whose mtime is older than `staleMs` is taken over. This is the lock Claude Code takes on
 * `~/.claude.json` (`~/.claude.json.lock`), so the two writers never race; mcpwire uses the same kind
 * for its own state, and that state lock also guards every client file no other program locks.
 *
 * A holder is identified by the lock folder's inode and the unique mtime it gives it, so:
 *  - it refreshes the mtime during long work (`touch`), like proper-lockfile's update timer;
 *  - before writing it checks the lock is still its own (`stillHeld`); if another process took it
 *    over, the write is abandoned and retried, never silently lost;
 *  - a stale lock is re-checked right before it is removed, and release never removes another's lock.
 * The lock folder stays empty (Claude Code removes a stale one with rmdir). Who holds it is noted in
 * a side file in mcpwire's state dir, so a lock left by a killed mcpwire process is recognised at
 * once, and a live mcpwire holder is never taken over for being slow. A note speaks for the lock
 * folder whose inode and unique mtime it records, and no other: it is kept after release and written
 * over in place by the next holder (a file created and deleted per command cost more than the rest of
 * the lock).
 */
import { UserError } from '../errors.js';
import { fingerprint } from './fingerprint.js';
import type { Platform } from '../platform.js';

export interface LockOptions {
  staleMs?: number;
  timeoutMs?: number;
  /** Folder for owner notes (mcpwire's state dir). */
  ownerDir: string;
}

export interface Lock {
  release(): void;
  /** The lock folder is still the one this process made (nobody took it over). */
  stillHeld(): boolean;
  /** Refresh the mtime so others do not think the lock is stale. */
  touch(): void;
  /**
   * This process took the lock over from a holder that died or went stale: whatever that holder left
   * (temp files next to the files it guarded) is garbage now.
   */
  readonly recovered: boolean;
  /** lockEpoch() when this lock was taken: anything read at a later epoch, while it is held, was read under it. */
  readonly epoch: number;
}

let acquisitions = 0;
/** Counts the locks this process has taken: an order of events between reads and acquisitions. */
export function lockEpoch(): number {
  return acquisitions;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Is a process with this pid running (EPERM: yes, someone else's)? */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process with this pid started (Linux: its start time in clock ticks since boot, from
 * /proc/PID/stat), 'zombie' for one that has exited and not been reaped yet, undefined where that
 * cannot be read. A pid alone is not an identity: on a busy machine a dead holder's pid can be running
 * another program a moment later (pids wrap at 32768 by default), and then only the start time tells.
 */
export function processStart(p: Platform, pid: number): string | undefined {
  let text: string;
  try {
    text = String(p.fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses; the fields after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return 'zombie';
  return /^\d+$/.test(fields[19] ?? '') ? fields[19] : undefined;
}

let ownStart: string | undefined | null = null;
function myStart(p: Platform): string | undefined {
  if (ownStart === null) ownStart = p.pid === process.pid ? processStart(p, p.pid) : undefined;
  return ownStart;
}

/** Is the holder named in an owner note still running: its pid alive, and (where known) the same process? */
function holderAlive(p: Platform, o: { pid: number; start?: unknown }): boolean {
  if (!pidAlive(o.pid)) return false;
  const now = processStart(p, o.pid);
  if (now === 'zombie') return false;
  return typeof o.start !== 'string' || now === undefined || now === o.start;
}

function ownerNote(p: Platform, lockPath: string, ownerDir: string): string {
  return p.path.join(ownerDir, 'locks', fingerprint(lockPath)!.replace(':', '-') + '.owner');
}

interface Identity {
  ino: number;
  mtimeMs: number;
}

function identity(p: Platform, lockPath: string): Identity | undefined {
  try {
    const st = p.fs.statSync(lockPath);
    return { ino: st.ino, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

const same = (a: Identity | undefined, b: Identity | undefined) => !!a && !!b && a.ino === b.ino && a.mtimeMs === b.mtimeMs;

let stampSeq = 0;
/** Give the lock folder a fresh mtime no other holder has (now, plus a per-process sub-millisecond tag). */
function stamp(p: Platform, lockPath: string): Identity | undefined {
  const ms = p.now() + ((p.pid * 7919 + ++stampSeq * 104729) % 997) / 1000;
  try {
    p.fs.utimesSync(lockPath, ms / 1000, ms / 1000);
  } catch {
    /* keep what mkdir set */
  }
  return identity(p, lockPath);
}

/** A note is written over in place at this size (JSON, then spaces), so an earlier holder's never shows through. */
const NOTE_BYTES = 256;

/** Write an owner note: over the existing file in place (no new file, no truncation), else a new file. */
function writeNoteFile(p: Platform, note: string, body: string): void {
  const bytes = Buffer.from(body.padEnd(NOTE_BYTES), 'utf8');
  if (bytes.length === NOTE_BYTES) {
    let fd: number | undefined;
    try {
      fd = p.fs.openSync(note, 'r+');
    } catch {
      // none yet (or unreadable): a new file below
    }
    if (fd !== undefined) {
      try {
        // (A longer file, which mcpwire never writes, would no longer parse: no note, the mtime decides.)
        p.fs.writeSync(fd, bytes, 0, NOTE_BYTES, 0);
        return;
      } finally {
        p.fs.closeSync(fd);
      }
    }
  }
  try {
    p.fs.writeFileSync(note, bytes, { mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    p.fs.mkdirSync(p.path.dirname(note), { recursive: true, mode: 0o700 });
    p.fs.writeFileSync(note, bytes, { mode: 0o600 });
  }
}

/** Take the lock, waiting up to timeoutMs. */
export function acquireLock(p: Platform, lockPath: string, opts: LockOptions): Lock {
  const staleMs = opts.staleMs ?? 10_000;
  const deadline = p.now() + (opts.timeoutMs ?? 20_000);
  const note = ownerNote(p, lockPath, opts.ownerDir);
  let wait = 5;
  let mine: Identity | undefined;
  let recovered = false;
  for (;;) {
    try {
      p.fs.mkdirSync(lockPath, { mode: 0o700 });
      mine = stamp(p, lockPath);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        p.fs.mkdirSync(p.path.dirname(lockPath), { recursive: true, mode: 0o700 }); // only ever mcpwire's state dir
        continue;
      }
      if (code !== 'EEXIST') throw e;
    }
    const seen = identity(p, lockPath);
    if (!seen) continue; // released in between
    let stale = p.now() - seen.mtimeMs > staleMs;
    try {
      const o = JSON.parse(String(p.fs.readFileSync(note, 'utf8'))) as { pid: number; ino: number; mtimeMs: number; start?: string };
      const earlierSelf = o.pid === p.pid && typeof o.start === 'string' && myStart(p) !== undefined && o.start !== myStart(p);
      if (o.ino === seen.ino && o.mtimeMs === seen.mtimeMs && (o.pid !== p.pid || earlierSelf)) {
        // An mcpwire holder: stale exactly when that process is gone, however old or new the lock is.
        stale = earlierSelf || !holderAlive(p, o);
      }
    } catch {
      /* no note: Claude Code's, or an mcpwire that died before writing it: the mtime decides */
    }
    // Re-check right before removing it, so a lock someone else just made is never removed.
    if (stale && same(identity(p, lockPath), seen)) {
      try {
        p.fs.rmdirSync(lockPath);
        recovered = true;
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
  const writeNote = () => {
    if (!mine) return;
    const body = JSON.stringify({ pid: p.pid, ino: mine.ino, mtimeMs: mine.mtimeMs, start: myStart(p) });
    try {
      writeNoteFile(p, note, body);
    } catch {
      /* the note only speeds up recovery */
    }
  };
  writeNote();
  let released = false;
  const lock: Lock = {
    recovered,
    epoch: ++acquisitions,
    stillHeld: () => same(identity(p, lockPath), mine),
    touch() {
      // A fresh lock is far from stale: refresh only past a quarter of the stale time.
      if (!mine || p.now() - mine.mtimeMs < staleMs / 4 || !lock.stillHeld()) return;
      mine = stamp(p, lockPath);
      writeNote();
    },
    release() {
      if (released) return;
      released = true;
      // The note stays: it records this lock folder's identity, which no later folder has.
      if (!lock.stillHeld()) return;
      try {
        p.fs.rmdirSync(lockPath);
      } catch {
        /* already gone */
      }
    },
  };
  return lock;
}
