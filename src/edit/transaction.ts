/**
 * The one way mcpwire changes a file: lock → re-read → edit (the editor parses and verifies) → back up
 * the previous bytes → write a temp file in the same folder → fsync → rename over.
 * A reader (or a crash) sees the old file or the new one, never a mix. Symlinked config files are
 * edited through the link (the link stays a link); mode and owner are kept.
 */
import { ConfigParseError, UserError, lineColumn } from '../errors.js';
import type { Platform } from '../platform.js';
import { acquireLock, pidAlive, type Lock } from './lock.js';
import { fingerprint } from './fingerprint.js';
export { fingerprint } from './fingerprint.js';

export interface EditOutcome {
  /** New text; null deletes the file (only ever when mcpwire created it and it is empty again). */
  text: string | null;
  /** The new text holds a literal secret: the file becomes 0600. */
  secret: boolean;
}

export interface FileWrite {
  /** The path as the client knows it (may be a symlink). */
  file: string;
  /** Another writer's lock to take instead of mcpwire's own (Claude Code's `~/.claude.json.lock`). */
  sharedLock?: string;
  /** Compute the new text from the current one (null: no such file). Throw to refuse; nothing is written. */
  edit(current: string | null): EditOutcome;
}

export interface FileWriteResult {
  file: string;
  realFile: string;
  before: string | null;
  after: string | null;
  changed: boolean;
  /** Where the previous bytes were saved (undefined: the file did not exist). */
  backup?: string;
}

export interface TransactionContext {
  platform: Platform;
  stateDir: string;
  /** Folder for this command's backups. */
  backupDir: string;
  dryRun: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });


/** Follow symlinks to the file that really holds the bytes (which may not exist yet). */
export function resolveReal(p: Platform, file: string): string {
  let cur = file;
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = p.fs.lstatSync(cur);
    } catch {
      return cur;
    }
    if (!st.isSymbolicLink()) return cur;
    try {
      return p.fs.realpathSync(cur);
    } catch {
      // Dangling link: write where it points.
      const target = (p.fs as unknown as { readlinkSync(x: string): string }).readlinkSync(cur);
      cur = p.path.resolve(p.path.dirname(cur), target);
    }
  }
  return cur;
}

export function readText(p: Platform, file: string): string | null {
  let buf: Buffer;
  try {
    buf = p.fs.readFileSync(file) as Buffer;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    return utf8.decode(buf);
  } catch {
    const bad = firstInvalidUtf8(buf);
    const { line, column } = lineColumn(buf.subarray(0, bad).toString('latin1'), bad);
    throw new ConfigParseError(file, line, column, 'the file is not valid UTF-8');
  }
}

function firstInvalidUtf8(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    try {
      utf8.decode(buf.subarray(0, i + 1));
    } catch {
      // A truncated sequence is only invalid if no continuation follows; good enough for a position.
      if (i + 4 >= buf.length || (buf[i + 1] & 0xc0) !== 0x80) return i;
    }
  }
  return 0;
}

export function lockPathFor(ctx: TransactionContext, realFile: string, sharedLock?: string): string {
  if (sharedLock) return sharedLock;
  const key = fingerprint(realFile)!.replace(':', '-');
  return ctx.platform.path.join(ctx.stateDir, 'locks', key + '.lock');
}

/** Another process took the lock over while this one worked: nothing was written; try again. */
export class LockLost extends Error {}

export function writeFileTransaction(ctx: TransactionContext, req: FileWrite): FileWriteResult {
  // A lock taken over while we worked (a very slow disk, a huge file) means someone else may have
  // written: start again from a fresh read rather than overwrite their change.
  for (let attempt = 1; ; attempt++) {
    try {
      return writeOnce(ctx, req);
    } catch (e) {
      if (!(e instanceof LockLost) || attempt >= 3) {
        if (e instanceof LockLost) throw new UserError(`${req.file}: another process kept taking over the lock; nothing was written.`, { exitCode: 1, fix: 'Close Claude Code (or the other writer) and run the command again.' });
        throw e;
      }
    }
  }
}

function writeOnce(ctx: TransactionContext, req: FileWrite): FileWriteResult {
  const p = ctx.platform;
  const realFile = resolveReal(p, req.file);
  const lock = acquireLock(p, lockPathFor(ctx, realFile, req.sharedLock), { ownerDir: ctx.stateDir });
  let backupPath: string | undefined;
  let written = false;
  try {
    removeDeadTempFiles(p, realFile);
    const before = readText(p, realFile);
    lock.touch();
    const outcome = req.edit(before);
    const changed = outcome.text !== before;
    const result: FileWriteResult = { file: req.file, realFile, before, after: outcome.text, changed };
    if (!changed || ctx.dryRun) return result;
    lock.touch();
    if (before !== null) result.backup = backupPath = backup(ctx, realFile);
    if (outcome.text === null) {
      if (!lock.stillHeld()) throw new LockLost();
      p.fs.unlinkSync(realFile);
    } else {
      atomicWrite(p, realFile, outcome.text, outcome.secret, lock);
    }
    written = true;
    return result;
  } finally {
    lock.release();
    // A backup of a write that did not happen is only clutter (and a full disk's worst enemy).
    if (!written && backupPath) {
      try {
        p.fs.unlinkSync(backupPath);
      } catch {
        /* fine */
      }
    }
  }
}

/** Temp files left by killed mcpwire processes next to this file. */
function removeDeadTempFiles(p: Platform, realFile: string): void {
  const dir = p.path.dirname(realFile);
  const prefix = `.${p.path.basename(realFile)}.mcpwire-`;
  let names: string[];
  try {
    names = p.fs.readdirSync(dir) as string[];
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === p.pid || pidAlive(pid)) continue;
    try {
      p.fs.unlinkSync(p.path.join(dir, name));
    } catch {
      /* fine */
    }
  }
}

let backupSeq = 0;
const backupDirs = new Set<string>();
function backup(ctx: TransactionContext, realFile: string): string {
  const p = ctx.platform;
  if (!backupDirs.has(ctx.backupDir)) {
    p.fs.mkdirSync(ctx.backupDir, { recursive: true, mode: 0o700 });
    backupDirs.add(ctx.backupDir);
  }
  const name = `${String(++backupSeq).padStart(2, '0')}-${p.path.basename(realFile)}`;
  const dest = p.path.join(ctx.backupDir, name);
  // The file on disk is exactly `before` (read under the lock): copy it, do not re-encode it.
  // Backups can hold secrets the user put in their config: private to the user.
  p.fs.copyFileSync(realFile, dest);
  p.fs.chmodSync(dest, 0o600);
  return dest;
}

/** temp file in the same folder → fsync → rename over. Keeps mode and owner. */
export function atomicWrite(p: Platform, realFile: string, text: string, secret: boolean, lock?: Lock): void {
  const dir = p.path.dirname(realFile);
  let prev: { mode: number; uid: number; gid: number } | undefined;
  try {
    const st = p.fs.statSync(realFile);
    prev = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    p.fs.mkdirSync(dir, { recursive: true });
  }
  const tmp = p.path.join(dir, `.${p.path.basename(realFile)}.mcpwire-${p.pid}-${Math.random().toString(16).slice(2, 10)}.tmp`);
  const mode = secret ? 0o600 : prev ? prev.mode : 0o666;
  const fd = p.fs.openSync(tmp, 'wx', mode);
  try {
    // write(2) may write less than asked (a nearly full disk): write until every byte is out, so a
    // full disk fails with ENOSPC here instead of renaming a truncated file over the user's config.
    const bytes = Buffer.from(text, 'utf8');
    for (let off = 0; off < bytes.length; ) {
      const n = p.fs.writeSync(fd, bytes, off, bytes.length - off);
      if (n <= 0) throw Object.assign(new Error(`short write to ${tmp}`), { code: 'EIO' });
      off += n;
    }
    p.fs.fsyncSync(fd);
  } catch (e) {
    p.fs.closeSync(fd);
    p.fs.unlinkSync(tmp);
    throw e;
  }
  p.fs.closeSync(fd);
  try {
    if (prev || secret) p.fs.chmodSync(tmp, mode); // open()'s mode is filtered by umask
    if (prev && typeof process.getuid === 'function' && (prev.uid !== process.getuid() || prev.gid !== process.getgid?.())) {
      p.fs.chownSync(tmp, prev.uid, prev.gid);
    }
  } catch {
    /* chown needs privileges; the content is what matters */
  }
  if (lock && !lock.stillHeld()) {
    p.fs.unlinkSync(tmp);
    throw new LockLost();
  }
  // As write-file-atomic does: the file's bytes are fsynced before the rename (so a crash cannot
  // leave an empty file); the folder itself is not, which costs a sync per file for no atomicity.
  p.fs.renameSync(tmp, realFile);
}
