/**
 * A 2025 stdio client (as Claude Desktop is) before a stateless 2026-07-28 server, through `mcpwire
 * proxy`: what the bridge answers itself, what it adds to each request, and how it cancels. The server
 * is a small raw HTTP peer on 127.0.0.1 that records every POST (the SDK's own 2026 server package is
 * not installed here); the client is the real CLI driven line by line over stdio.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BIN, waitUntil } from './cli-harness.js';

const PV = 'io.modelcontextprotocol/protocolVersion';
const CI = 'io.modelcontextprotocol/clientInfo';
const LOG = 'io.modelcontextprotocol/logLevel';

type Reply = Record<string, any>;

interface Post {
  method: string;
  id: unknown;
  headers: http.IncomingHttpHeaders;
  meta: Record<string, unknown>;
  params: Record<string, unknown>;
}

let server: http.Server;
let url: string;
const posts: Post[] = [];
const events: string[] = [];
/** What server/discover declares (the subscriptions test declares list changes and resource subscriptions). */
let capabilities: Record<string, unknown> = { tools: {}, logging: {} };
/** Answer subscriptions/listen with 404 Method not found (a server that declares list changes but has no listen). */
let listenRefused = false;
/** Open subscriptions/listen streams, newest last. */
const listens: { res: http.ServerResponse; id: unknown; filter: Record<string, unknown>; closed: boolean }[] = [];

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const m = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const params = m.params ?? {};
    posts.push({ method: m.method, id: m.id, headers: req.headers, meta: params._meta ?? {}, params });
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (m.id === undefined) return void res.writeHead(202).end();
    if (req.headers['mcp-protocol-version'] !== '2026-07-28' || params._meta?.[PV] !== '2026-07-28') {
      return json(400, { jsonrpc: '2.0', id: m.id, error: { code: -32020, message: 'MCP-Protocol-Version missing or different from _meta' } });
    }
    switch (m.method) {
      case 'server/discover':
        return json(200, {
          jsonrpc: '2.0',
          id: m.id,
          result: {
            resultType: 'complete',
            supportedVersions: ['2026-07-28'],
            capabilities,
            instructions: 'be kind',
            _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'modern-peer', version: '2.0.0' } },
          },
        });
      case 'tools/list':
        return json(200, {
          jsonrpc: '2.0',
          id: m.id,
          result: {
            resultType: 'complete',
            tools: [
              { name: 'region', inputSchema: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } } },
              { name: 'bad', inputSchema: { type: 'object', properties: { n: { type: 'number', 'x-mcp-header': 'N' } } } },
              { name: 'slow', inputSchema: { type: 'object' } },
            ],
          },
        });
      case 'tools/call':
        if (params.name === 'region') {
          if (req.headers['mcp-param-region'] !== params.arguments?.region)
            return json(400, { jsonrpc: '2.0', id: m.id, error: { code: -32020, message: 'Mcp-Param-Region does not match the body' } });
          return json(200, {
            jsonrpc: '2.0',
            id: m.id,
            result: { resultType: 'complete', content: [{ type: 'text', text: `region=${params.arguments.region} level=${params._meta[LOG]}` }] },
          });
        }
        if (params.name === 'escaped') {
          // Hand-written bodies: a key that is one backslash, then (same object shape) a key spelled with an escape.
          const sc = params.arguments?.poison ? '{"h":[],"\\\\":0}' : '{"h":1,"\\u0061":2}';
          const body = `{"jsonrpc":"2.0","id":${JSON.stringify(m.id)},"result":{"resultType":"complete","content":[],"structuredContent":${sc}}}`;
          if (params.arguments?.sse) return void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`event: message\ndata: ${body}\n\n`);
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        }
        if (params.name === 'slow') {
          // An SSE stream that stays open until the client closes it (2026 cancellation).
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(': waiting\n\n');
          req.socket.on('close', () => events.push('aborted'));
          return;
        }
        return json(200, { jsonrpc: '2.0', id: m.id, error: { code: -32602, message: 'unknown tool' } });
      case 'subscriptions/listen': {
        if (listenRefused) return json(404, { jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } });
        // 2026: notifications outside any request come on this stream, acknowledged first, each stamped with the subscription id.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const sub = { res, id: m.id, filter: params.notifications, closed: false };
        listens.push(sub);
        req.socket.on('close', () => (sub.closed = true));
        res.write(
          `data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': m.id } } })}\n\n`,
        );
        return;
      }
      default:
        return json(404, { jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function bridge(): { child: ChildProcessWithoutNullStreams; send(m: unknown): void; next(id: unknown): Promise<Reply>; lines: Reply[] } {
  const child = spawn(process.execPath, [BIN, 'proxy', 'modern', '--url', url], { env: { PATH: '/usr/bin:/bin' } });
  const lines: Reply[] = [];
  let buf = '';
  const waiters: [unknown, (m: Reply) => void][] = [];
  child.stdout.on('data', (d) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
      const m = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      lines.push(m);
      const i = waiters.findIndex(([id]) => id === m.id);
      if (i !== -1) waiters.splice(i, 1)[0][1](m);
    }
  });
  return {
    child,
    lines,
    send: (m) => child.stdin.write(JSON.stringify(m) + '\n'),
    next: (id) => new Promise((resolve) => waiters.push([id, resolve])),
  };
}

const DESK = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'desk', version: '1' } };

/** A 2025 client's handshake through the bridge: initialize (id 1), its answer, then notifications/initialized. */
async function handshake(b: ReturnType<typeof bridge>, params: Record<string, unknown>): Promise<Reply> {
  const init = b.next(1);
  b.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params });
  const answer = await init;
  b.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return answer;
}

test('a 2025 client before a 2026 server: initialize, ping and setLevel answered by the bridge, _meta and headers added, -32020 answered by listing again, cancellation closes the stream', async () => {
  const b = bridge();
  const r1 = await handshake(b, { protocolVersion: '2025-06-18', capabilities: { sampling: {} }, clientInfo: { name: 'old-desktop', version: '0.9' } });
  expect(r1.result).toEqual({
    protocolVersion: '2025-06-18',
    capabilities: { tools: {}, logging: {} },
    serverInfo: { name: 'modern-peer', version: '2.0.0' },
    instructions: 'be kind',
  });

  const ping = b.next(2);
  b.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
  expect((await ping).result).toEqual({});
  const level = b.next(3);
  b.send({ jsonrpc: '2.0', id: 3, method: 'logging/setLevel', params: { level: 'debug' } });
  expect((await level).result).toEqual({});

  // No tools/list yet: the bridge does not know the header, the server says -32020, the bridge lists and retries.
  const call = b.next(4);
  b.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'region', arguments: { region: 'eu-west' } } });
  const r4 = await call;
  expect(r4.result).toEqual({ content: [{ type: 'text', text: 'region=eu-west level=debug' }] });
  const calls = posts.filter((p) => p.method === 'tools/call' && p.params.name === 'region');
  expect(calls.length).toBe(2);
  expect(calls[0].id).not.toEqual(calls[1].id);
  expect(calls[1].headers['mcp-param-region']).toBe('eu-west');
  expect(calls[1].headers['mcp-name']).toBe('region');

  const list = b.next(5);
  b.send({ jsonrpc: '2.0', id: 5, method: 'tools/list' });
  expect((await list).result.tools.map((t: { name: string }) => t.name)).toEqual(['region', 'slow']);

  b.send({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'slow', arguments: {} } });
  for (let i = 0; i < 50 && !posts.some((p) => p.params.name === 'slow'); i++) await new Promise((r) => setTimeout(r, 50));
  b.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 6, reason: 'user' } });
  for (let i = 0; i < 50 && !events.includes('aborted'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(events).toContain('aborted');

  b.child.stdin.end();
  expect(await new Promise((r) => b.child.on('exit', r))).toBe(0);
  // What reached the server: no 2025 method, every request with the envelope and the matching header.
  expect(
    posts.map((p) => p.method).filter((m) => ['initialize', 'notifications/initialized', 'ping', 'logging/setLevel', 'notifications/cancelled'].includes(m)),
  ).toEqual([]);
  for (const p of posts) {
    expect(p.headers['mcp-protocol-version']).toBe('2026-07-28');
    expect(p.headers['mcp-method']).toBe(p.method);
    expect((p.meta[CI] as { name?: string } | undefined)?.name).toBe('old-desktop');
  }
  expect(b.lines.some((m) => m.id === 6)).toBe(false);
});

test('keys spelled with escapes reach the client as the server wrote them, in JSON and SSE answers (JSON.parse misreads them on Node 24)', async () => {
  const b = bridge();
  await handshake(b, { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } });
  let id = 10;
  const call = async (args: Record<string, unknown>) => {
    const n = id++;
    const r = b.next(n);
    b.send({ jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'escaped', arguments: args } });
    return (await r).result?.structuredContent;
  };
  for (const sse of [false, true]) {
    expect(await call({ poison: true, sse })).toEqual({ h: [], '\\': 0 });
    const got = await call({ sse });
    expect(Object.keys(got)).toEqual(['h', 'a']);
    expect(got).toEqual({ h: 1, a: 2 });
  }
  b.child.stdin.end();
});

test('a 2025 client before a 2026 server gets its list-changed notifications and resource updates: the bridge listens with subscriptions/listen, and resources/subscribe reopens it with the URI', async () => {
  capabilities = { tools: { listChanged: true }, resources: { subscribe: true } };
  const b = bridge();
  expect((await handshake(b, DESK)).result.capabilities).toEqual(capabilities);
  await waitUntil('a listen stream', () => listens.length === 1);
  expect(listens[0].filter).toEqual({ toolsListChanged: true });
  const stamp = (id: unknown) => ({ _meta: { 'io.modelcontextprotocol/subscriptionId': id } });
  listens[0].res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: stamp(listens[0].id) })}\n\n`);
  await waitUntil('the list-changed notification at the client', () => b.lines.some((l) => l.method === 'notifications/tools/list_changed'));

  // resources/subscribe is answered by the bridge and becomes part of a new listen's filter; the old stream is closed.
  const sub = b.next(2);
  b.send({ jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: { uri: 'file:///notes.md' } });
  expect((await sub).result).toEqual({});
  await waitUntil('a second listen stream', () => listens.length === 2);
  expect(listens[1].filter).toEqual({ toolsListChanged: true, resourceSubscriptions: ['file:///notes.md'] });
  await waitUntil('the first stream closed', () => listens[0].closed);
  listens[1].res.write(
    `data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'file:///notes.md', ...stamp(listens[1].id) } })}\n\n`,
  );
  await waitUntil('the resource update at the client', () => b.lines.some((l) => l.method === 'notifications/resources/updated'));

  // The server ends the subscription (a restart): the bridge listens again.
  listens[1].res.end(
    `data: ${JSON.stringify({ jsonrpc: '2.0', id: listens[1].id, result: { resultType: 'complete', _meta: stamp(listens[1].id)._meta } })}\n\n`,
  );
  await waitUntil('a third listen stream', () => listens.length === 3);
  expect(listens[2].filter).toEqual({ toolsListChanged: true, resourceSubscriptions: ['file:///notes.md'] });

  b.child.stdin.end();
  expect(await new Promise((r) => b.child.on('exit', r))).toBe(0);
  await waitUntil('the last stream closed', () => listens[2].closed);
  // The client saw neither the 2026 acknowledgement nor the listen's own answer; the server no resources/subscribe.
  expect(b.lines.some((l) => l.method === 'notifications/subscriptions/acknowledged' || (typeof l.id === 'string' && l.id.includes('listen')))).toBe(false);
  expect(posts.some((p) => p.method === 'resources/subscribe')).toBe(false);
  capabilities = { tools: {}, logging: {} };
});

test('a 2026 server that refuses subscriptions/listen is asked once, not again and again', async () => {
  capabilities = { tools: { listChanged: true } };
  listenRefused = true;
  const before = posts.filter((p) => p.method === 'subscriptions/listen').length;
  const b = bridge();
  let stderr = '';
  b.child.stderr.on('data', (d) => (stderr += d));
  await handshake(b, DESK);
  // Past the first retry delay (1 s): still one attempt.
  await new Promise((r) => setTimeout(r, 2500));
  expect(posts.filter((p) => p.method === 'subscriptions/listen').length - before).toBe(1);
  const list = b.next(2);
  b.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  expect((await list).result.tools.length).toBeGreaterThan(0); // the rest works
  b.child.stdin.end();
  expect(await new Promise((r) => b.child.on('exit', r))).toBe(0);
  expect(stderr.match(/refused subscriptions\/listen/g)?.length).toBe(1);
  listenRefused = false;
  capabilities = { tools: {}, logging: {} };
});
