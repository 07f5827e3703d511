/**
 * One HTTP exchange for doctor, bounded in time and size: the status, the headers, and the body (a JSON
 * answer, or the JSON-RPC message of the given id out of an event stream, read only until it arrives).
 */
import { isObject, type Message } from '../mcp/jsonrpc.js';

/** A body larger than this is not read further (a hostile or broken server cannot fill memory). */
const MAX_BODY = 1024 * 1024;

export interface Exchange {
  status: number;
  headers: Headers;
  type: string;
  /** The JSON value of a JSON answer, or the message of the wanted id from a stream. */
  json?: unknown;
  /** The body is neither JSON nor an event stream carrying JSON-RPC (an HTML page, plain text). */
  html: boolean;
  ms: number;
}

/** A request that ran out of time (its own limit, not the whole check's). */
export class StepTimeout extends Error {
  constructor(
    readonly what: string,
    readonly seconds: number,
  ) {
    super(`${what}: no answer within ${seconds} s`);
  }
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** The whole check's signal: aborting it stops the request. */
  signal: AbortSignal;
  /** What this request is for, for the timeout's message. */
  what: string;
  /** For an event stream: the JSON-RPC id of the answer wanted. */
  id?: number;
}

export async function exchange(url: string, o: RequestOptions): Promise<Exchange> {
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(), o.timeoutMs);
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: o.method ?? 'GET',
      headers: o.headers,
      body: o.body,
      redirect: 'manual',
      signal: AbortSignal.any([own.signal, o.signal]),
    });
    const type = res.headers.get('content-type') ?? '';
    let json: unknown;
    if (/^text\/event-stream/i.test(type)) json = await readStream(res, o.id);
    else {
      const text = await readCapped(res);
      if (/json/i.test(type) || /^\s*[[{]/.test(text)) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
    }
    return { status: res.status, headers: res.headers, type, json, html: /^text\/html/i.test(type), ms: Math.round(performance.now() - started) };
  } catch (e) {
    if (own.signal.aborted && !o.signal.aborted) throw new StepTimeout(o.what, Math.round(o.timeoutMs / 100) / 10);
    throw e;
  } finally {
    clearTimeout(timer);
    own.abort(); // a stream left open (an SSE answer read up to its message) is closed
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY) {
      await reader.cancel();
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Read SSE events until the JSON-RPC message with `id` (or the end of the stream, or the size cap). */
async function readStream(res: Response, id: number | undefined): Promise<unknown> {
  if (!res.body) return undefined;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let size = 0;
  let last: unknown;
  const take = (event: string): unknown => {
    const data = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (!data) return undefined;
    try {
      const m = JSON.parse(data) as Message;
      last = m;
      if (isObject(m) && (id === undefined || m.id === id) && (m.result !== undefined || m.error !== undefined)) return m;
    } catch {
      /* not JSON: not ours */
    }
    return undefined;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_BODY) break;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.search(/\r?\n\r?\n/)) !== -1) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
        const m = take(event);
        if (m) return m;
      }
    }
    return take(buffer) ?? (id === undefined ? last : undefined);
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** What a failed fetch means at the network level (its cause's code), in a few words. */
export function describeFetchError(e: unknown): string {
  if (e instanceof StepTimeout) return e.message;
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  if (code) return `${code}${cause?.message && !cause.message.includes(code) ? `: ${cause.message}` : ''}`;
  return (e as Error)?.message ?? String(e);
}
