/**
 * The bridge's HTTP client (src/proxy/http-fetch.ts) and its Headers (src/proxy/http-headers.ts),
 * against real HTTP servers on 127.0.0.1: what the MCP SDK's transport and the bridge rely on fetch for.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { bridgeFetch, lightFetch } from '../../src/proxy/http-fetch.js';
import { LightHeaders } from '../../src/proxy/http-headers.js';

describe('LightHeaders', () => {
  test('case-insensitive, appended values joined, iterated sorted with lower-case names', () => {
    const h = new LightHeaders({ 'Content-Type': 'application/json', Accept: 'a' });
    h.append('accept', 'b');
    h.set('X-Z', ' padded\t');
    expect(h.get('content-type')).toBe('application/json');
    expect(h.get('ACCEPT')).toBe('a, b');
    expect(h.get('x-z')).toBe('padded');
    expect(h.has('X-Z')).toBe(true);
    h.delete('x-z');
    expect(h.get('x-z')).toBeNull();
    expect([...h]).toEqual([
      ['accept', 'a, b'],
      ['content-type', 'application/json'],
    ]);
    const seen: string[] = [];
    h.forEach((v, n) => seen.push(`${n}=${v}`));
    expect(seen).toEqual(['accept=a, b', 'content-type=application/json']);
  });

  test("built from pairs, from another LightHeaders and from Node's Headers; Node's fetch takes one as it takes any pairs", () => {
    const pairs = new LightHeaders([['A', '1']]);
    expect(new LightHeaders(pairs).get('a')).toBe('1');
    expect(new LightHeaders(new Headers({ B: '2' })).get('b')).toBe('2');
    expect(new Headers(pairs as unknown as HeadersInit).get('a')).toBe('1');
  });

  test('names such as constructor, __proto__ or toString are headers like any other', () => {
    const h = new LightHeaders();
    expect(h.get('constructor')).toBeNull();
    expect(h.has('toString')).toBe(false);
    h.set('__proto__', 'x');
    h.set('constructor', 'y');
    expect(h.get('__proto__')).toBe('x');
    expect(h.get('constructor')).toBe('y');
    // An own property of that name (JSON.parse makes those) is a header too; the prototype is never read.
    expect(new LightHeaders(JSON.parse('{"__proto__":"z"}') as Record<string, string>).get('__proto__')).toBe('z');
    expect(new LightHeaders({}).get('constructor')).toBeNull();
  });

  test('a name that is not a token, or a value holding CR, LF or NUL, is a TypeError that never quotes the value', () => {
    expect(() => new LightHeaders({ 'bad name': 'v' })).toThrow(TypeError);
    // (Surrounding whitespace, CR and LF included, is trimmed as fetch trims it; inside the value it is refused.)
    for (const v of ['sk-secret\r\nX-Injected: 1', 'sk-\nsecret', 'sk-\0secret']) {
      let err: unknown;
      try {
        new LightHeaders().set('Authorization', v);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect(String(err)).toMatch(/authorization|Authorization/);
      expect(String(err)).not.toContain('secret');
    }
  });
});

// ---- a server per test ----

interface Server {
  url: string;
  connections: number;
  requests: { method: string; headers: http.IncomingHttpHeaders; body: string }[];
  server: http.Server;
}
const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, s: Server) => void): Promise<Server> {
  const server = http.createServer();
  const s: Server = { url: '', connections: 0, requests: [], server };
  server.on('connection', () => s.connections++);
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      s.requests.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      handler(req, res, s);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return s;
}

describe('lightFetch', () => {
  test('a POST as the SDK sends one: method, headers, body and its length reach the server; status, headers and json() come back', async () => {
    const s = await serve((_q, res) =>
      res.writeHead(200, 'Fine', { 'content-type': 'application/json', 'Mcp-Session-Id': 'abc' }).end('{"jsonrpc":"2.0","id":1,"result":{"ok":"é"}}'),
    );
    const headers = new LightHeaders({ 'content-type': 'application/json', 'Mcp-Protocol-Version': '2025-11-25' });
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { s: 'é' } });
    const r = await lightFetch(new URL(s.url), { method: 'post', headers, body });
    expect([r.ok, r.status, r.statusText, r.url]).toEqual([true, 200, 'Fine', s.url]);
    expect(r.headers.get('mcp-session-id')).toBe('abc');
    expect(await r.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { ok: 'é' } });
    const got = s.requests[0];
    expect(got.method).toBe('POST');
    expect(got.body).toBe(body);
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(got.headers['mcp-protocol-version']).toBe('2025-11-25');
    expect(got.headers['user-agent']).toBe('mcpwire');
    expect(got.headers.accept).toBe('*/*');
    expect(got.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  test('a compressed answer (gzip, deflate, br) is decoded: whole, large, and as an SSE stream flushed event by event', async () => {
    const big = JSON.stringify({ result: { content: [{ type: 'text', text: 'compressible '.repeat(250_000) }] } });
    const s = await serve((req, res) => {
      const coding = req.url!.slice(1);
      if (coding === 'sse') {
        const gz = zlib.createGzip();
        res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
        gz.pipe(res);
        gz.write('data: one\n\n');
        gz.flush(); // the event goes out now, the stream stays open
        return;
      }
      const packed = coding === 'gzip' ? zlib.gzipSync(big) : coding === 'deflate' ? zlib.deflateSync(big) : zlib.brotliCompressSync(big);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding, 'content-length': packed.length }).end(packed);
    });
    const base = s.url.replace('/mcp', '');
    for (const coding of ['gzip', 'deflate', 'br']) expect(await (await lightFetch(`${base}/${coding}`)).json(), coding).toEqual(JSON.parse(big));
    const r = await lightFetch(`${base}/sse`);
    const reader = r.body!.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
    expect((await reader.read()).value).toBe('data: one\n\n');
    await reader.cancel();
  });

  test('text(): UTF-8 split across chunks decoded whole, a byte-order mark dropped; a body read twice is refused', async () => {
    const bytes = Buffer.from('\ufeff{"a":"€ and 😀"}', 'utf8');
    const s = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, 10)); // inside the euro sign
      setTimeout(() => res.end(bytes.subarray(10)), 20);
    });
    const r = await lightFetch(s.url);
    expect(await r.text()).toBe('{"a":"€ and 😀"}');
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
  });

  test('body: a web stream that delivers each chunk as the server sends it (an SSE stream), and cancel() closes the connection', async () => {
    let release!: () => void;
    const closed = new Promise<void>((r) => (release = r));
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      req.socket.on('close', release);
    });
    const r = await lightFetch(s.url);
    const reader = r.body!.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
    expect((await reader.read()).value).toBe('data: one\n\n'); // while the stream is still open
    await reader.cancel();
    await closed;
  });

  test('large bodies (3 MB), with and without a Content-Length, parse whole; null-body statuses have no body', async () => {
    const big = JSON.stringify({ result: { content: [{ type: 'text', text: 'é'.repeat(1_500_000) }] } });
    const s = await serve((req, res) => {
      if (req.url === '/none') return void res.writeHead(204).end();
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const b = Buffer.from(big);
        for (let i = 0; i < b.length; i += 100_000) res.write(b.subarray(i, i + 100_000));
        return void res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) }).end(big);
    });
    const base = s.url.replace('/mcp', '');
    expect(await (await lightFetch(s.url)).json()).toEqual(JSON.parse(big));
    const chunked = await lightFetch(`${base}/chunked`);
    expect(chunked.headers.get('content-length')).toBeNull();
    expect(await chunked.json()).toEqual(JSON.parse(big));
    const none = await lightFetch(`${base}/none`);
    expect([none.status, none.body]).toEqual([204, null]);
  });

  test('an error status and a redirect come back as answers, not followed (the SDK follows redirects itself)', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/old') return void res.writeHead(307, { location: '/mcp' }).end();
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such session');
    });
    const r = await lightFetch(s.url, { method: 'POST', body: '{}', redirect: 'manual' });
    expect([r.ok, r.status, await r.text()]).toEqual([false, 404, 'no such session']);
    const moved = await lightFetch(s.url.replace('/mcp', '/old'), { redirect: 'manual' });
    expect([moved.status, moved.headers.get('location')]).toEqual([307, '/mcp']);
    expect(s.requests.map((q) => q.method)).toEqual(['POST', 'GET']);
  });

  test('abort: before the answer the request rejects with the reason and the connection closes; during the body the body fails', async () => {
    let closedEarly!: () => void;
    const early = new Promise<void>((r) => (closedEarly = r));
    const s = await serve((req, res) => {
      if (req.url === '/slow') return void req.socket.on('close', closedEarly); // never answers
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    const a = new AbortController();
    const pending = lightFetch(s.url.replace('/mcp', '/slow'), { signal: a.signal });
    setTimeout(() => a.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await early;

    const b = new AbortController();
    const r = await lightFetch(s.url, { signal: b.signal });
    const body = r.text();
    b.abort(new Error('stopped by the client'));
    await expect(body).rejects.toThrow('stopped by the client');

    const c = new AbortController();
    c.abort();
    await expect(lightFetch(s.url, { signal: c.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('unreachable: TypeError "fetch failed" with the cause, as Node\'s fetch says it (the bridge tells the user to check the URL)', async () => {
    const s = await serve(() => {});
    const port = (s.server.address() as AddressInfo).port;
    s.server.close();
    s.server.closeAllConnections();
    await new Promise((r) => setTimeout(r, 20));
    const e = await lightFetch(`http://127.0.0.1:${port}/mcp`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toBe('fetch failed');
    expect((e as { cause: { code: string } }).cause.code).toBe('ECONNREFUSED');
    // A value node:http refuses (a control character) is refused before anything is sent.
    const bad = await lightFetch(s.url, { headers: [['x-a', 'a\u0001b']] }).catch((x: unknown) => x);
    expect(bad).toBeInstanceOf(TypeError);
    await expect(lightFetch('ftp://127.0.0.1/')).rejects.toThrow(TypeError);
  });

  test('connections are kept alive; one the server closed as the next request went out is replaced, and the request answered', async () => {
    const answered = new Set<Socket>();
    let drop = false;
    const s = await serve((req, res) => {
      // The server "restarts" as a request arrives on a kept connection: no answer, the connection reset.
      if (drop && answered.has(req.socket)) {
        drop = false;
        return void req.socket.destroy();
      }
      answered.add(req.socket);
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"n":${s.requests.length}}`);
    });
    expect(await (await lightFetch(s.url, { method: 'POST', body: '{}' })).json()).toEqual({ n: 1 });
    expect(await (await lightFetch(s.url, { method: 'POST', body: '{}' })).json()).toEqual({ n: 2 });
    expect(s.connections).toBe(1);
    drop = true;
    expect(await (await lightFetch(s.url, { method: 'POST', body: '{}' })).json()).toEqual({ n: 4 });
    expect(s.connections).toBe(2);
  });
});

describe('bridgeFetch', () => {
  test("its own client, unless the environment names a proxy, which only Node's fetch is set up to honour", () => {
    expect(bridgeFetch({})).toBe(lightFetch);
    for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NODE_USE_ENV_PROXY'])
      expect(bridgeFetch({ [k]: 'http://proxy:3128' })).not.toBe(lightFetch);
  });
});
