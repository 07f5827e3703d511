/**
 * The fetch doctor hands to the MCP SDK (its Streamable HTTP transport, its OAuth discovery): each
 * request is bounded in time and size, and what came back is recorded — status, content type, time to
 * the answer, the server's Date, whether the body was JSON-RPC — so doctor can say what the SDK met
 * without speaking the protocol itself.
 */
import { isObject } from '../mcp/jsonrpc.js';

/** A body larger than this is not read further (a hostile or broken server cannot fill memory). */
const MAX_BODY = 1024 * 1024;
const NULL_BODY = new Set([101, 204, 205, 304]);

/** A request that ran out of time (its own limit, not the whole check's). */
export class StepTimeout extends Error {
  constructor(
    readonly what: string,
    readonly seconds: number,
  ) {
    super(`${what}: no answer within ${seconds} s`);
  }
}

/** One request as it went. */
export interface Recorded {
  url: string;
  method: string;
  /** The JSON-RPC method of a POST, or the step named by the caller. */
  what: string;
  status?: number;
  headers?: Headers;
  type: string;
  ms: number;
  /** The body was a text/html page. */
  html: boolean;
  /** A JSON body (not a stream), parsed; undefined when not JSON. */
  json?: unknown;
  /** The body carried a JSON-RPC message (or the answer is an event stream, which only carries them). */
  jsonRpc: boolean;
  /** What fetch threw (a network failure, or a StepTimeout). */
  error?: unknown;
}

export interface Recorder {
  fetch: typeof fetch;
  log: Recorded[];
  /** The server's Date on the first answer that had one (clock skew). */
  date(): string | undefined;
}

export interface RecorderOptions {
  timeoutMs: number;
  /** The whole check's signal: aborting it stops every request. */
  signal: AbortSignal;
  /** What a GET is for (its timeout message), from its URL. */
  describe?: (url: URL) => string;
}

function rpcMethod(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const m = JSON.parse(body) as unknown;
    return isObject(m) && typeof m.method === 'string' ? m.method : undefined;
  } catch {
    return undefined;
  }
}

const isJsonRpc = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 && v.every(isJsonRpc) : isObject(v) && v.jsonrpc === '2.0');

export function recordingFetch(o: RecorderOptions): Recorder {
  const log: Recorded[] = [];
  const run = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const u = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const what = rpcMethod(init?.body) ?? (method === 'GET' && o.describe ? o.describe(u) : `${method} ${u.pathname}`);
    const entry: Recorded = { url: u.href, method, what, type: '', ms: 0, html: false, jsonRpc: false };
    log.push(entry);
    const own = new AbortController();
    // A plain timer, not a `deadline`: it should end the request before the SDK's own request timeout
    // (a little longer) does; when a busy process serves both late, the catch below still names the silence.
    const timer = setTimeout(() => own.abort(), o.timeoutMs);
    const started = performance.now();
    const signals = [own.signal, o.signal, ...(init?.signal ? [init.signal] : [])];
    try {
      const res = await fetch(input, { ...init, signal: AbortSignal.any(signals) });
      entry.ms = Math.round(performance.now() - started);
      entry.status = res.status;
      entry.headers = res.headers;
      entry.type = res.headers.get('content-type') ?? '';
      entry.html = /^text\/html/i.test(entry.type);
      if (/^text\/event-stream/i.test(entry.type)) {
        // A stream: its headers came in time; the SDK reads it, under the request's own timeout.
        entry.jsonRpc = true;
        return res;
      }
      const body = NULL_BODY.has(res.status) ? null : await readCapped(res);
      if (body && (/json/i.test(entry.type) || /^\s*[[{]/.test(body.toString('utf8')))) {
        try {
          entry.json = JSON.parse(body.toString('utf8'));
          entry.jsonRpc = isJsonRpc(entry.json);
        } catch {
          /* not JSON */
        }
      }
      const copy = new Response(body && new Uint8Array(body), { status: res.status, statusText: res.statusText, headers: res.headers });
      Object.defineProperty(copy, 'url', { value: res.url });
      return copy;
    } catch (e) {
      const elapsed = performance.now() - started;
      entry.ms = Math.round(elapsed);
      // Silence is a timeout, whichever timer ended it: ours, or the caller's own (the SDK's request
      // timer, the limit plus a margin). The SDK arms its timer before it builds and sends the request;
      // when that work is slow (a loaded machine: over the margin, in CI) its timer ends the wait first,
      // with less than the limit passed here but more since the request began. The check's own limit
      // (o.signal, the only other signal the request listens to) is not the server's silence.
      const silent = own.signal.aborted || (isAbortError(e) && init?.signal?.aborted === true);
      entry.error = silent && !o.signal.aborted ? new StepTimeout(what, Math.round(o.timeoutMs / 100) / 10) : e;
      throw entry.error;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    fetch: run as typeof fetch,
    log,
    date: () => log.find((r) => r.headers?.get('date'))?.headers?.get('date') ?? undefined,
  };
}

async function readCapped(res: Response): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
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
  return Buffer.concat(chunks);
}

/** Load Node's fetch now (it loads on first use): see where doctor calls this. */
export function loadFetch(): void {
  void new Headers();
}

/** One GET for a JSON document (a preset's health endpoint), through the same bounded fetch. */
export async function getJson(url: string, o: RecorderOptions): Promise<Recorded> {
  const r = recordingFetch(o);
  const res = await r.fetch(url, { headers: { accept: 'application/json' }, redirect: 'manual' });
  await res.arrayBuffer().catch(() => {});
  return r.log[0];
}

/** The last element that passes (Array.prototype.findLast is ES2023; the build targets Node 20's ES2022 types). */
export function lastOf<T>(xs: readonly T[], test: (x: T) => boolean): T | undefined {
  for (let i = xs.length - 1; i >= 0; i--) if (test(xs[i])) return xs[i];
  return undefined;
}

/** An abort, from any signal (fetch's AbortError, AbortSignal.timeout's TimeoutError). */
function isAbortError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** The error (or one of its causes) is a step's own time limit. */
export function isStepTimeout(e: unknown): boolean {
  for (let c: unknown = e, i = 0; c && i < 6; i++, c = (c as { cause?: unknown }).cause) if (c instanceof StepTimeout) return true;
  return false;
}

/** What a failed request means at the network level (its cause's code), in a few words. */
export function describeFetchError(e: unknown): string {
  for (let c: unknown = e, i = 0; c && i < 6; i++, c = (c as { cause?: unknown }).cause) if (c instanceof StepTimeout) return c.message;
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  if (code) return `${code}${cause?.message && !cause.message.includes(code) ? `: ${cause.message}` : ''}`;
  return (e as Error)?.message ?? String(e);
}
