/**
 * An IO that captures what a command prints (gh's `iostreams.Test()`): hand `io` to createContext, run
 * the command in-process, then assert on `stdout` and `stderr`.
 */
import type { IO } from '../src/ui.js';

export interface TestIO {
  io: IO;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (throws if it is anything else). */
  json(): any;
}

export function testIO(o: { color?: boolean; interactive?: boolean } = {}): TestIO {
  let out = '';
  let err = '';
  const color = Boolean(o.color);
  const wrap = (open: number, close: number) => (s: string) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  const io: IO = {
    out: (line) => void (out += line + '\n'),
    err: (line) => void (err += line + '\n'),
    json: (value) => void (out += JSON.stringify(value, null, 2) + '\n'),
    color,
    interactive: Boolean(o.interactive),
    style: { ok: wrap(32, 39), warn: wrap(33, 39), bad: wrap(31, 39), dim: wrap(2, 22), bold: wrap(1, 22) },
  };
  return {
    io,
    get stdout() {
      return out;
    },
    get stderr() {
      return err;
    },
    json: () => JSON.parse(out),
  };
}
