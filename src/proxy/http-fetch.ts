/**
 * The bridge's HTTP client: the `fetch` given to the MCP SDK's Streamable HTTP transport, on node:http
 * and node:https rather than Node's built-in fetch. That one is undici, whose first use adds ~12 MB to
 * a process that must idle under 60 MB (issue 8), and whose `response.json()` holds a large result four
 * times over (the body's chunks, their concatenation, the text, the parsed value).
 *
 * Not a general fetch: what the transport and the bridge use. A string body; headers; an abort signal,
 * which rejects the request or errors the body as fetch does; `redirect: 'manual'` semantics (the SDK
 * follows redirects itself, within the origin); a response with `ok`, `status`, `statusText`,
 * `headers`, `url`, `text()`, `json()`, `arrayBuffer()` and a web `body` stream (SSE). Failures to reach
 * the server reject with `TypeError('fetch failed')` and the cause, as fetch does. Connections are kept
 * alive. With a proxy in the environment, Node's fetch is used instead (`bridgeFetch`).
 */
import type { ClientRequest, IncomingMessage, Agent } from 'node:http';
import type { Readable } from 'node:stream';
import { LightHeaders } from './http-headers.js';
import { collectGarbage } from './memory.js';

export interface LightInit {
  method?: string;
  headers?: ConstructorParameters<typeof LightHeaders>[0];
  body?: string | null;
  signal?: AbortSignal | null;
  redirect?: string;
}

/** undici's default: a server that accepts the connection and never answers is given up after 5 minutes. */
const HEADERS_TIMEOUT_MS = 300_000;
/** Kept-alive connections found closed by the server, one after another, before giving up. */
const MAX_STALE_RETRIES = 3;
/** From this size a JSON body is parsed with the garbage of each step collected before the next. */
const LARGE_BODY = 1 << 20;
/** A declared Content-Length up to this is read into one buffer of that size; beyond, chunk by chunk. */
const MAX_PREALLOCATED = 64 << 20;
/** Responses whose body is null by definition. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

let agents: { http: Agent; https: Agent } | undefined;
function agentFor(url: URL): { request: typeof import('node:http').request; agent: Agent } {
  const http = process.getBuiltinModule('node:http') as typeof import('node:http');
  if (url.protocol === 'http:') {
    agents ??= { http: new http.Agent({ keepAlive: true }), https: undefined as unknown as Agent };
    return { request: http.request, agent: agents.http };
  }
  const https = process.getBuiltinModule('node:https') as typeof import('node:https');
  agents ??= { http: new http.Agent({ keepAlive: true }), https: undefined as unknown as Agent };
  agents.https ??= new https.Agent({ keepAlive: true });
  return { request: https.request as unknown as typeof import('node:http').request, agent: agents.https };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

export function lightFetch(input: string | URL, init: LightInit = {}): Promise<LightResponse> {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch (e) {
    return Promise.reject(new TypeError('Invalid URL', { cause: e }));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) }));
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (init.body != null && typeof init.body !== 'string') return Promise.reject(new TypeError('This fetch takes a string body only.'));

  const headers: Record<string, string> = Object.create(null);
  try {
    new LightHeaders(init.headers).forEach((v, n) => (headers[n] = v));
  } catch (e) {
    return Promise.reject(e);
  }
  headers['accept'] ??= '*/*';
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  headers['user-agent'] ??= 'mcpwire';
  const body = init.body ?? undefined;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));

  const method = (init.method ?? 'GET').toUpperCase();
  return new Promise((resolve, reject) => {
    let settled = false;
    let response: LightResponse | undefined;
    let req: ClientRequest | undefined;
    const onAbort = () => {
      const reason = abortReason(signal!);
      if (response) response.abort(reason);
      else req?.destroy();
      fail(reason);
    };
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(e);
    };
    const timer = setTimeout(() => {
      req?.destroy(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
    }, HEADERS_TIMEOUT_MS);
    timer.unref();
    const send = (retriesLeft: number) => {
      try {
        const { request, agent } = agentFor(url);
        req = request(url, { method, headers, agent });
      } catch (e) {
        // An invalid header value for node:http (a control character), or the like: nothing was sent.
        return fail(new TypeError('fetch failed', { cause: e }));
      }
      const sent = req;
      sent.on('error', (e: NodeJS.ErrnoException) => {
        if (settled || sent !== req) return;
        if (signal?.aborted) return fail(abortReason(signal));
        // A kept-alive connection the server closed as this request went out (it restarted, or timed
        // the connection out): nothing was answered on it, so the request goes again on a new one.
        if (sent.reusedSocket && retriesLeft > 0 && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return send(retriesLeft - 1);
        fail(new TypeError('fetch failed', { cause: e }));
      });
      sent.on('response', (res) => {
        clearTimeout(timer);
        if (settled) return void res.destroy();
        settled = true;
        response = new LightResponse(res, url.href, method === 'HEAD');
        // The abort signal still errors the body; let go of it once the body is done.
        res.once('close', () => signal?.removeEventListener('abort', onAbort));
        resolve(response);
      });
      sent.end(body);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    send(MAX_STALE_RETRIES);
  });
}

/** A body read whole, handed from step to step of `largeJson`. */
interface Body {
  chunks?: Uint8Array[];
  size: number;
  text?: string;
}

/**
 * A large JSON body (a file's contents, a 10 MB tool result) parsed with each copy collected before the
 * next is made: the body is held about twice at any moment, never four times (the chunks, their
 * concatenation, the text, the value). Each step runs in a function of its own that takes its input
 * out of `body`: once it returns, nothing refers to that copy any more (not even an interpreter
 * register of this frame), and the collection frees it.
 */
function largeJson(body: Body): unknown {
  decode(body);
  collectGarbage();
  const value = parse(body);
  collectGarbage();
  return value;
}

function decode(body: Body): void {
  const chunks = body.chunks!;
  body.chunks = undefined;
  body.text = utf8(concat(chunks, body.size));
  chunks.length = 0;
}

function parse(body: Body): unknown {
  const text = body.text!;
  body.text = undefined;
  return JSON.parse(text);
}

function concat(chunks: Uint8Array[], size: number): Buffer {
  if (chunks.length === 1) return Buffer.from(chunks[0].buffer, chunks[0].byteOffset, chunks[0].byteLength);
  return Buffer.concat(chunks, size);
}

/** As fetch's text(): UTF-8, a byte-order mark dropped. */
function utf8(bytes: Buffer): string {
  return bytes.toString('utf8', bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
}

/**
 * The body as the server meant it: decompressed when it says it is gzip, deflate or br (asked for, as
 * Node's fetch asks: a large result is sent a tenth of its size), as it came otherwise. A truncated
 * compressed stream yields what it holds, as fetch's does (an SSE stream is flushed event by event).
 */
function decoded(res: IncomingMessage): Readable {
  const coding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (!coding || coding === 'identity') return res;
  const zlib = process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
  const z = zlib.constants;
  const d =
    coding === 'gzip' || coding === 'x-gzip'
      ? zlib.createGunzip({ flush: z.Z_SYNC_FLUSH, finishFlush: z.Z_SYNC_FLUSH })
      : coding === 'deflate'
        ? zlib.createInflate({ flush: z.Z_SYNC_FLUSH, finishFlush: z.Z_SYNC_FLUSH })
        : coding === 'br'
          ? zlib.createBrotliDecompress({ flush: z.BROTLI_OPERATION_FLUSH, finishFlush: z.BROTLI_OPERATION_FLUSH })
          : undefined;
  if (!d) return res; // a coding fetch does not decode either: the bytes as sent
  res.once('error', (e) => d.destroy(e));
  res.once('close', () => {
    if (!res.complete) d.destroy(new Error('other side closed'));
  });
  res.pipe(d);
  return d;
}

export class LightResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: LightHeaders;
  readonly redirected = false;
  readonly type = 'basic';
  readonly #res: IncomingMessage;
  /** What the body is read from: the response, or a decompressor fed by it (Content-Encoding). */
  readonly #source: Readable;
  #ended = false;
  readonly #nullBody: boolean;
  #stream?: ReadableStream<Uint8Array>;
  #used = false;
  #aborted?: { reason: unknown };

  constructor(
    res: IncomingMessage,
    readonly url: string,
    head: boolean,
  ) {
    this.#res = res;
    this.status = res.statusCode ?? 0;
    this.ok = this.status >= 200 && this.status <= 299;
    this.statusText = res.statusMessage ?? '';
    const h = new LightHeaders();
    const raw = res.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      try {
        h.append(raw[i], raw[i + 1]);
      } catch {
        /* a header node:http let through that fetch would not: left out */
      }
    }
    this.headers = h;
    this.#nullBody = head || NULL_BODY.has(this.status);
    this.#source = this.#nullBody ? res : decoded(res);
    this.#source.once('end', () => (this.#ended = true));
    if (this.#nullBody) res.resume();
  }

  /** The request's signal fired: the body errors with its reason. */
  abort(reason: unknown): void {
    this.#aborted ??= { reason };
    this.#res.destroy(reason instanceof Error ? reason : new Error(String(reason)));
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#nullBody) return null;
    this.#stream ??= this.#webStream();
    return this.#stream;
  }

  async text(): Promise<string> {
    return utf8(await this.#bytes());
  }

  async json(): Promise<unknown> {
    const body = await this.#chunks();
    if (body.size < LARGE_BODY) return JSON.parse(utf8(concat(body.chunks!, body.size)));
    return largeJson(body);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.#bytes();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  #terminated(cause: unknown): unknown {
    return this.#aborted ? this.#aborted.reason : new TypeError('terminated', { cause });
  }

  async #bytes(): Promise<Buffer> {
    const { chunks, size } = await this.#chunks();
    return concat(chunks!, size);
  }

  /** The whole body, read from the socket (or from `body` if it was taken as a stream). */
  async #chunks(): Promise<Body> {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    let chunks: Uint8Array[] = [];
    let size = 0;
    if (this.#nullBody) return { chunks, size };
    if (this.#stream) {
      const reader = this.#stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { chunks, size };
        chunks.push(value);
        size += value.length;
      }
    }
    const res = this.#source;
    // (A Content-Length counts the bytes as sent: of a compressed body, not of what it decodes to.)
    const declared = res === this.#res ? Number(this.#res.headers['content-length']) : NaN;
    let into = Number.isSafeInteger(declared) && declared >= LARGE_BODY && declared <= MAX_PREALLOCATED ? Buffer.allocUnsafeSlow(declared) : undefined;
    let sinceCollected = 0;
    return new Promise((resolve, reject) => {
      res.on('data', (c: Buffer) => {
        if (!into) {
          chunks.push(c);
          size += c.length;
          return;
        }
        // A large body of known size is copied as it comes; the socket's chunks (64 KB each, outside
        // V8's heap, which would not collect them for a while) are let go of every megabyte.
        size += c.copy(into, size);
        sinceCollected += c.length;
        if (sinceCollected >= LARGE_BODY) {
          sinceCollected = 0;
          collectGarbage('minor');
        }
      });
      res.once('end', () => {
        resolve(into ? { chunks: [into.subarray(0, size)], size } : { chunks, size });
        // The listeners stay on the response: they must not keep the body alive.
        into = undefined;
        chunks = [];
      });
      res.once('error', (e) => reject(this.#terminated(e)));
      res.once('close', () => {
        if (!this.#ended) reject(this.#terminated(new Error('other side closed')));
      });
    });
  }

  #webStream(): ReadableStream<Uint8Array> {
    const res = this.#source;
    const terminated = (e: unknown) => this.#terminated(e);
    const ended = () => this.#ended;
    let finished = false;
    return new ReadableStream<Uint8Array>(
      {
        start(c) {
          res.on('data', (chunk: Buffer) => {
            if (finished) return;
            c.enqueue(chunk);
            if ((c.desiredSize ?? 1) <= 0) res.pause();
          });
          res.once('end', () => {
            if (finished) return;
            finished = true;
            c.close();
          });
          const error = (e: unknown) => {
            if (finished) return;
            finished = true;
            c.error(terminated(e));
          };
          res.once('error', error);
          res.once('close', () => {
            if (!ended()) error(new Error('other side closed'));
          });
          res.pause();
        },
        pull() {
          res.resume();
        },
        cancel: () => {
          finished = true;
          this.#res.destroy();
        },
      },
      { highWaterMark: 1 },
    );
  }
}

/**
 * The fetch the bridge sends with: this one, unless the environment names a proxy (HTTP(S)_PROXY, or
 * NODE_USE_ENV_PROXY, with which Node 24 routes its fetch through HTTPS_PROXY): this client knows no proxy.
 */
export function bridgeFetch(env: Record<string, string | undefined>): typeof fetch {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NODE_USE_ENV_PROXY'].some((k) => env[k]);
  return proxied ? (...a) => fetch(...a) : (lightFetch as unknown as typeof fetch);
}
