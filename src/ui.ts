/** Terminal output: plain lines when not a TTY, colour only when wanted, JSON alone on stdout with --json. */
import type { Platform } from './platform.js';

export interface IO {
  out(line: string): void;
  err(line: string): void;
  json(value: unknown): void;
  color: boolean;
  interactive: boolean;
  style: { ok(s: string): string; warn(s: string): string; bad(s: string): string; dim(s: string): string; bold(s: string): string };
}

export function createIO(platform: Platform, stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): IO {
  const env = platform.env;
  const ci = env.CI === 'true' || env.CI === '1';
  const color = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' ? true : !env.NO_COLOR && !ci && Boolean(stdout.isTTY);
  const wrap = (open: number, close: number) => (s: string) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return {
    out: (line) => stdout.write(line + '\n'),
    err: (line) => stderr.write(line + '\n'),
    json: (value) => stdout.write(JSON.stringify(value, null, 2) + '\n'),
    color,
    interactive: Boolean(stdout.isTTY && process.stdin.isTTY) && !ci,
    style: { ok: wrap(32, 39), warn: wrap(33, 39), bad: wrap(31, 39), dim: wrap(2, 22), bold: wrap(1, 22) },
  };
}

/** `/home/u/.cursor/mcp.json` → `~/.cursor/mcp.json` for people; JSON output keeps absolute paths. */
export function tildify(platform: Platform, file: string): string {
  const h = platform.home;
  return file === h || file.startsWith(h + platform.path.sep) ? '~' + file.slice(h.length) : file;
}
