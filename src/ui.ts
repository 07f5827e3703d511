/** Terminal output: plain lines when not a TTY, colour only when wanted, JSON alone on stdout with --json. */
import { fstatSync, statSync, writeSync } from 'node:fs';
import type { Platform } from './platform.js';

/**
 * Write to fd 1 or 2 directly: building process.stdout for a pipe loads the net module, which costs
 * more than a short command's work. A non-blocking descriptor that is full falls back to the stream.
 */
export function writer(fd: 1 | 2, stream: () => NodeJS.WriteStream): (text: string) => void {
  let useStream = false;
  let closed = false;
  return (text) => {
    if (closed) return;
    if (useStream) {
      stream().write(text);
      return;
    }
    const buf = Buffer.from(text);
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        closed = true; // the reader is gone (`mcpwire mcp list | head`): nothing more to say
        return;
      }
      if (code !== 'EAGAIN') throw e;
      useStream = true; // the rest goes through the stream, in order
      stream().write(buf.subarray(off));
    }
  };
}

/** Is fd a terminal? Only a character device can be; only then is node:tty (which loads net) asked. */
export function isTerminal(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isCharacterDevice()) return false;
    if (process.platform !== 'win32' && st.rdev === statSync('/dev/null').rdev) return false; // `>/dev/null`
  } catch {
    return false;
  }
  return (require('node:tty') as typeof import('node:tty')).isatty(fd);
}

export interface IO {
  out(line: string): void;
  err(line: string): void;
  json(value: unknown): void;
  color: boolean;
  interactive: boolean;
  style: { ok(s: string): string; warn(s: string): string; bad(s: string): string; dim(s: string): string; bold(s: string): string };
}

function isCI(env: Record<string, string | undefined>): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/**
 * Colour on a terminal unless NO_COLOR, CI or TERM=dumb (a terminal that shows escape codes as text);
 * FORCE_COLOR (other than 0) wins over all of them.
 */
export function wantsColour(env: Record<string, string | undefined>, terminal: boolean): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return terminal && !env.NO_COLOR && !isCI(env) && env.TERM !== 'dumb';
}

export function createIO(platform: Platform): IO {
  const env = platform.env;
  const write1 = writer(1, () => process.stdout);
  const write2 = writer(2, () => process.stderr);
  const stdoutIsTerminal = isTerminal(1);
  const ci = isCI(env);
  const color = wantsColour(env, stdoutIsTerminal);
  const wrap = (open: number, close: number) => (s: string) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return {
    out: (line) => write1(line + '\n'),
    err: (line) => write2(line + '\n'),
    json: (value) => write1(JSON.stringify(value, null, 2) + '\n'),
    color,
    interactive: stdoutIsTerminal && isTerminal(0) && !ci,
    style: { ok: wrap(32, 39), warn: wrap(33, 39), bad: wrap(31, 39), dim: wrap(2, 22), bold: wrap(1, 22) },
  };
}

/** `/home/u/.cursor/mcp.json` → `~/.cursor/mcp.json` for people; JSON output keeps absolute paths. */
export function tildify(platform: Platform, file: string): string {
  const h = platform.home;
  return file === h || file.startsWith(h + platform.path.sep) ? '~' + file.slice(h.length) : file;
}

/**
 * Text that came from a server, a file or a user, made safe to print: control characters (C0, DEL, C1,
 * and the bidi/line-separator controls) are shown as `\xNN` / `\u{NNNN}`, so an escape sequence in an
 * entry name or URL cannot drive the terminal. Use it on every such string before it reaches io.out/err.
 */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}
