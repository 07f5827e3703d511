/**
 * The file primitives under every write: find the file that really holds the bytes (refusing what is not
 * a regular file before opening it), read it as strict UTF-8, create folders private to the user, and
 * write atomically (temp file in the same folder → fsync → rename over, mode and owner kept).
 */
import { isUtf8 } from 'node:buffer';
import { ConfigParseError, UserError, lineColumn } from '../errors.js';
import type { Platform } from '../platform.js';
import { pidAlive, type Lock } from './lock.js';
import { bytesAsBinary } from '../binary-text.js';

/** Another process took the lock over while this one worked: nothing was written; try again. */
export class LockLost extends Error {}

type Stat = {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
};

function kindOf(st: Stat): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function notRegular(file: string, st: Stat): UserError {
  return new UserError(`${file} is ${kindOf(st)}, not a config file; nothing was read or written.`, {
    exitCode: 2,
    fix: `Move ${file} aside (or replace it with a regular file), then run the command again.`,
  });
}

/**
 * Follow symlinks to the file that really holds the bytes (which may not exist yet). Only lstat/stat
 * are used: a FIFO or a device is refused without being opened (opening a FIFO would hang). A link to
 * nothing is refused too: mcpwire never creates folders for a link's target.
 */
export function resolveReal(p: Platform, file: string): string {
  let st;
  try {
    st = p.fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return file;
    throw e;
  }
  let real = file;
  if (st.isSymbolicLink()) {
    try {
      real = p.fs.realpathSync(file);
      st = p.fs.statSync(real);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ELOOP' && code !== 'ENOTDIR') throw e;
      let target = '?';
      try {
        target = (p.fs as unknown as { readlinkSync(x: string): string }).readlinkSync(file);
      } catch {
        /* only for the message */
      }
      throw new UserError(`${file} is a symbolic link to ${target}, which ${code === 'ELOOP' ? 'loops' : 'does not exist'}; nothing was written.`, {
        exitCode: 2,
        fix: `Create the file the link points to, or remove the link ${file}, then run the command again.`,
      });
    }
  }
  if (!st.isFile()) throw notRegular(file, st);
  return real;
}

/** The bytes of a regular file (null: no such file). Anything else is refused before it is opened. */
export function readBytes(p: Platform, file: string): Buffer | null {
  return readFileBytes(p, file)?.bytes ?? null;
}

/** A file's mode bits and owner, for the file that replaces it. */
export interface FileOwnership {
  mode: number;
  uid: number;
  gid: number;
}

const ownershipOf = (st: { mode: number; uid: number; gid: number }): FileOwnership => ({ mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });

/** readBytes, with the mode and owner the file had (from the same stat). */
export function readFileBytes(p: Platform, file: string): { bytes: Buffer; ownership: FileOwnership } | null {
  let st;
  try {
    st = p.fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (!st.isFile()) throw notRegular(file, st);
  try {
    return { bytes: p.fs.readFileSync(file) as Buffer, ownership: ownershipOf(st) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Strict UTF-8 (a BOM is kept as U+FEFF); invalid bytes are refused with their line:column. */
export function decodeUtf8(file: string, buf: Buffer): string {
  // isUtf8 is native and fast; toString alone would replace bad bytes silently.
  if (isUtf8(buf)) return buf.toString('utf8');
  invalidUtf8(file, buf);
}

/** The bytes as binary text (src/binary-text.ts), refused as decodeUtf8 refuses them when they are not UTF-8. */
export function binaryUtf8(file: string, buf: Buffer): string {
  if (isUtf8(buf)) return bytesAsBinary(buf);
  invalidUtf8(file, buf);
}

function invalidUtf8(file: string, buf: Buffer): never {
  const bad = firstInvalidUtf8(buf);
  const { line, column } = lineColumn(buf.subarray(0, bad).toString('latin1'), bad);
  throw new ConfigParseError(file, line, column, 'the file is not valid UTF-8');
}

export function readText(p: Platform, file: string): string | null {
  const buf = readBytes(p, file);
  return buf === null ? null : decodeUtf8(file, buf);
}

/** decodeUtf8, or binaryUtf8 when `binary` (src/binary-text.ts). */
export function decodeAs(file: string, buf: Buffer, binary: boolean): string {
  return binary ? binaryUtf8(file, buf) : decodeUtf8(file, buf);
}

/** readText, as binary text when `binary` (src/binary-text.ts). */
export function readTextAs(p: Platform, file: string, binary: boolean): string | null {
  const buf = readBytes(p, file);
  return buf === null ? null : decodeAs(file, buf, binary);
}

function firstInvalidUtf8(buf: Buffer): number {
  let lo = 0;
  let hi = buf.length;
  // The shortest invalid prefix, by bisection (a prefix that ends inside a character counts as valid).
  const validPrefix = (n: number) => {
    let end = n;
    while (end > 0 && end > n - 4 && (buf[end - 1] & 0xc0) === 0x80) end--;
    if (end > 0 && buf[end - 1] >= 0xc0 && n - end + 1 < 4) end--;
    return isUtf8(buf.subarray(0, end));
  };
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (validPrefix(mid + 1)) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, Math.max(0, buf.length - 1));
}

/**
 * Create `dir` and any missing parents, private to the user (0700 whatever the umask), and return the
 * folders that were created, outermost first (so undo can remove them again).
 */
export function makePrivateDirs(p: Platform, dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; ; d = p.path.dirname(d)) {
    if (p.fs.existsSync(d)) break;
    missing.unshift(d);
    if (p.path.dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      p.fs.mkdirSync(d, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      missing.splice(missing.indexOf(d), 1); // another process made it: not ours to remove
    }
  }
  return missing;
}

/** Mode of a file mcpwire creates: 0600 for a secret or a private client file, else 0644 filtered by the umask (never group- or world-writable). */
export function newFileMode(secret: boolean, privateFile: boolean): number {
  return secret || privateFile ? 0o600 : 0o644;
}

export interface TempFile {
  realFile: string;
  tmp: string;
  fd: number;
  /** mode and owner to give the temp file before it is renamed (undefined: as created). */
  chmod?: number;
  chown?: { uid: number; gid: number };
  /** Its fsync, under way on the thread pool since startFsync (resolves to its error, if any). */
  syncing?: Promise<unknown>;
}

type AsyncFsync = (fd: number, cb: (e: Error | null) => void) => void;
const asyncFsyncOf = (p: Platform) => (p.fs as unknown as { fsync?: AsyncFsync }).fsync;

/**
 * Start a temp file's fsync now, on the thread pool: the disk flushes while the command goes on
 * (fingerprints, the journal entry), and fsyncAll waits for it with the others. Without an
 * asynchronous fsync (a test's file system) fsyncAll does it.
 */
export function startFsync(p: Platform, t: TempFile): void {
  const asyncFsync = asyncFsyncOf(p);
  if (!asyncFsync || t.syncing) return;
  t.syncing = new Promise((resolve) => asyncFsync(t.fd, (e) => resolve(e ?? undefined)));
}

/**
 * Write `bytes` (or its parts, one after the other) to a fresh temp file next to `realFile` (not yet
 * fsynced; see fsyncAll). `was`: the mode and owner the file had when it was read (null: it did not
 * exist); undefined: looked up here.
 */
export function createTemp(
  p: Platform,
  realFile: string,
  bytes: Uint8Array | readonly Uint8Array[],
  opts: { secret: boolean; privateFile?: boolean; was?: FileOwnership | null },
): TempFile {
  let prev = opts.was ?? undefined;
  if (opts.was === undefined) {
    try {
      // (Node says "no such file" without an exception; memfs throws.)
      const st = p.fs.statSync(realFile, { throwIfNoEntry: false });
      if (st) prev = ownershipOf(st);
    } catch {
      /* a new file */
    }
  }
  const tmp = p.path.join(p.path.dirname(realFile), `.${p.path.basename(realFile)}.mcpwire-${p.pid}-${Math.random().toString(16).slice(2, 10)}.tmp`);
  const mode = opts.secret ? 0o600 : prev ? prev.mode : newFileMode(false, Boolean(opts.privateFile));
  const fd = p.fs.openSync(tmp, 'wx', mode);
  try {
    // write(2) may write less than asked (a nearly full disk): write until every byte is out, so a
    // full disk fails with ENOSPC here instead of renaming a truncated file over the user's config.
    for (const part of bytes instanceof Uint8Array ? [bytes] : bytes) {
      for (let off = 0; off < part.length;) {
        const n = p.fs.writeSync(fd, part, off, part.length - off);
        if (n <= 0) throw Object.assign(new Error(`short write to ${tmp}`), { code: 'EIO' });
        off += n;
      }
    }
  } catch (e) {
    p.fs.closeSync(fd);
    p.fs.unlinkSync(tmp);
    throw e;
  }
  const owner =
    typeof process.getuid === 'function' && prev && (prev.uid !== process.getuid() || prev.gid !== process.getgid?.())
      ? { uid: prev.uid, gid: prev.gid }
      : undefined;
  // open()'s mode is filtered by the umask: set it exactly when it must be kept or be private.
  return { realFile, tmp, fd, chmod: prev || mode === 0o600 ? mode : undefined, chown: owner };
}

/**
 * fsync every temp file at once (the thread pool runs them in parallel; one after another they would
 * cost a disk flush each; those started by startFsync are waited for), then close them and set mode
 * and owner. On any failure every temp file is removed.
 */
export async function fsyncAll(p: Platform, temps: TempFile[]): Promise<void> {
  const errors: unknown[] = [];
  if (asyncFsyncOf(p)) {
    for (const t of temps) startFsync(p, t);
    for (const e of await Promise.all(temps.map((t) => t.syncing))) if (e) errors.push(e);
  } else {
    for (const t of temps) {
      try {
        p.fs.fsyncSync(t.fd);
      } catch (e) {
        errors.push(e);
      }
    }
  }
  for (const t of temps) {
    try {
      p.fs.closeSync(t.fd);
    } catch (e) {
      errors.push(e);
    }
    try {
      if (t.chmod !== undefined) p.fs.chmodSync(t.tmp, t.chmod);
      if (t.chown) p.fs.chownSync(t.tmp, t.chown.uid, t.chown.gid);
    } catch {
      /* chown needs privileges; the content is what matters */
    }
  }
  if (errors.length) {
    discardTemps(p, temps);
    throw errors[0];
  }
}

export function discardTemps(p: Platform, temps: TempFile[]): void {
  for (const t of temps) {
    try {
      p.fs.unlinkSync(t.tmp);
    } catch {
      /* already renamed or gone */
    }
  }
}

/** temp file in the same folder → fsync → rename over, for one file (mcpwire's own state, credentials). */
export function atomicWrite(p: Platform, realFile: string, text: string | Uint8Array, secret: boolean, lock?: Lock): void {
  if (!p.fs.existsSync(p.path.dirname(realFile))) makePrivateDirs(p, p.path.dirname(realFile));
  const t = createTemp(p, realFile, typeof text === 'string' ? Buffer.from(text, 'utf8') : text, { secret });
  try {
    p.fs.fsyncSync(t.fd);
  } catch (e) {
    p.fs.closeSync(t.fd);
    discardTemps(p, [t]);
    throw e;
  }
  p.fs.closeSync(t.fd);
  try {
    if (t.chmod !== undefined) p.fs.chmodSync(t.tmp, t.chmod);
    if (t.chown) p.fs.chownSync(t.tmp, t.chown.uid, t.chown.gid);
  } catch {
    /* see fsyncAll */
  }
  if (lock && !lock.stillHeld()) {
    discardTemps(p, [t]);
    throw new LockLost();
  }
  // As write-file-atomic does: the file's bytes are fsynced before the rename (so a crash cannot
  // leave an empty file); the folder itself is not, which costs a sync per file for no atomicity.
  p.fs.renameSync(t.tmp, realFile);
}

/** Temp files left by killed mcpwire processes next to this file. */
export function removeDeadTempFiles(p: Platform, realFile: string): void {
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
