/**
 * JSON-RPC over stdio without the SDK: newline-delimited framing and the few shape checks the proxy
 * needs before the SDK is loaded. A line is split off without copying the chunks it came in more than
 * once, so a 10 MB message costs one buffer, not one per chunk.
 */
import { parseJsonText } from '../json-text.js';

export type Id = string | number;
export interface Message {
  jsonrpc: '2.0';
  id?: Id | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isId = (v: unknown): v is Id => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
export const isRequest = (m: Message): boolean => typeof m.method === 'string' && isId(m.id);
export const isNotification = (m: Message): boolean => typeof m.method === 'string' && m.id === undefined;
export const isResponse = (m: Message): boolean => m.method === undefined && (m.result !== undefined || m.error !== undefined);
/** A Map key for an id: 1 and "1" are different requests. */
export const idKey = (id: Id): string => (typeof id === 'number' ? `n${id}` : `s${id}`);

export function errorResponse(id: Id | null, code: number, message: string, data?: unknown): Message {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

/** Parse one line: a message, or the reason it is not one (answered with -32700 or -32600). */
export function parseLine(line: string): { message: Message } | { error: string; code: number; id: Id | null } {
  let v: unknown;
  try {
    v = parseJsonText(line);
  } catch {
    return { error: 'Parse error: the line is not JSON', code: -32700, id: null };
  }
  if (!isObject(v) || v.jsonrpc !== '2.0')
    return { error: 'Invalid Request: not a JSON-RPC 2.0 object', code: -32600, id: isObject(v) && isId(v.id) ? v.id : null };
  if (v.params !== undefined && !isObject(v.params) && !Array.isArray(v.params))
    return { error: 'Invalid Request: params must be an object', code: -32600, id: isId(v.id) ? v.id : null };
  const m = v as unknown as Message;
  if (typeof m.method !== 'string' && !isResponse(m))
    return { error: 'Invalid Request: neither a request, a notification nor a response', code: -32600, id: isId(m.id) ? m.id : null };
  return { message: m };
}

/**
 * Splits a byte stream into lines. Chunks are kept in a list until a newline arrives, then joined
 * once. `limit` bounds a line in bytes: a longer line is dropped (reported through onOversize) rather
 * than growing memory without end.
 */
export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private skipping = false;
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly limit: number,
    private readonly onOversize: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        this.chunks = [];
        this.size = 0;
        continue;
      }
      const whole = this.chunks.length === 0 ? part : Buffer.concat([...this.chunks, part], this.size + part.length);
      this.chunks = [];
      this.size = 0;
      const line = whole.toString('utf8').replace(/\r$/, '');
      if (line.trim() !== '') this.onLine(line);
    }
    if (start < chunk.length && !this.skipping) {
      const rest = chunk.subarray(start);
      this.size += rest.length;
      if (this.size > this.limit) {
        this.onOversize(this.size);
        this.skipping = true;
        this.chunks = [];
        this.size = 0;
      } else this.chunks.push(rest);
    }
  }

  /** At the end of the stream: a last line without a newline still counts. */
  end(): void {
    if (this.skipping || this.size === 0) return;
    const line = Buffer.concat(this.chunks, this.size).toString('utf8');
    this.chunks = [];
    this.size = 0;
    if (line.trim() !== '') this.onLine(line);
  }
}

/**
 * A message's text in slices of at most `max` UTF-16 units, for writing: a 10 MB answer written in one
 * piece costs its whole UTF-8 copy at once (measured: +19 MB of RSS for a 10 MB tool result), in 1 MB
 * slices about 1 MB. A slice never ends between the halves of a surrogate pair (each half alone would
 * be written as U+FFFD).
 */
export function* textSlices(text: string, max = 1 << 20): Generator<string> {
  if (text.length <= max) {
    yield text;
    return;
  }
  for (let i = 0; i < text.length;) {
    let end = Math.min(i + max, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(i, end);
    i = end;
  }
}

/** Whether a string longer than `limit` is somewhere in `v` (a message about to be written). */
export function hasLongString(v: unknown, limit: number): boolean {
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x === 'string') {
      if (x.length > limit) return true;
    } else if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) stack.push(x[i]);
    } else if (typeof x === 'object' && x !== null) {
      for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
    }
  }
  return false;
}

/** Below this depth a message is serialized whole by JSON.stringify (which guards its own stack). */
const PIECES_DEPTH = 64;

/**
 * `JSON.stringify(v)` in pieces, for writing a message that holds a long string (a 10 MB tool result,
 * a file's contents): each string longer than `limit` is escaped slice by slice (slices from
 * `textSlices`, never between the halves of a surrogate pair, so each is escaped exactly as the whole
 * string would be), every part without one by JSON.stringify at once. The message's text never exists
 * whole: JSON.stringify would hold it, and on Node 24 also the buffer it grew from (measured: +20 MB for
 * a 10 MB result). Joined, the pieces are JSON.stringify(v) for JSON data (what JSON.parse makes).
 */
export function* jsonPieces(v: unknown, limit: number, depth = 0): Generator<string> {
  if (typeof v === 'string' && v.length > limit) {
    yield '"';
    for (const s of textSlices(v, limit)) yield JSON.stringify(s).slice(1, -1);
    yield '"';
    return;
  }
  if (typeof v !== 'object' || v === null || depth >= PIECES_DEPTH || typeof (v as { toJSON?: unknown }).toJSON === 'function' || !hasLongString(v, limit)) {
    yield JSON.stringify(v) ?? 'null';
    return;
  }
  const skipped = (e: unknown) => e === undefined || typeof e === 'function' || typeof e === 'symbol';
  if (Array.isArray(v)) {
    yield '[';
    for (let i = 0; i < v.length; i++) {
      if (i) yield ',';
      if (skipped(v[i])) yield 'null';
      else yield* jsonPieces(v[i], limit, depth + 1);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const k of Object.keys(v)) {
    const e = (v as Record<string, unknown>)[k];
    if (skipped(e)) continue;
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonPieces(e, limit, depth + 1);
  }
  yield '}';
}
