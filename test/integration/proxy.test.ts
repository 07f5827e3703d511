/**
 * `mcpwire proxy` between real peers, all on 127.0.0.1: the MCP SDK's v2 stdio client starts the
 * built CLI (`node bin/mcpwire.js proxy NAME --url URL`) exactly as Claude Desktop starts an entry,
 * and the bridge talks to the SDK v1 Streamable HTTP server of ./proxy-peer.ts, in JSON and in SSE
 * response mode.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, ROOT, waitUntil } from './cli-harness.js';
import { startPeer, type Peer } from './proxy-peer.js';
import { startTlsFront } from './tls-front.js';

const KEY = 'sk-proxy-test-4f1c9a0b7e2d';
const SECRET_ARG = 'arg-marker-7731';

interface Connected {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  errors: Error[];
}

async function connect(url: string, opts: { env?: Record<string, string>; args?: string[]; capabilities?: Record<string, unknown> } = {}): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'proxy', 'peer', '--url', url, ...(opts.args ?? [])],
    env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir(), ...opts.env },
    stderr: 'pipe',
    // The SDK's stdio reader stops at 10 MiB by default; the 10 MB result test needs more.
    maxBufferSize: 32 * 1024 * 1024,
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'proxy-test', version: '1.0.0' }, { capabilities: opts.capabilities ?? { sampling: {} } });
  const errors: Error[] = [];
  client.onerror = (e) => errors.push(e);
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, errors };
}

const text = (r: unknown) => (r as { content: { type: string; text: string }[] }).content[0]?.text ?? '';

describe.each(['sse', 'json'] as const)('mcpwire proxy to an SDK server, %s responses', (mode) => {
  let peer: Peer;
  let c: Connected;
  let logFile: string;
  beforeAll(async () => {
    peer = await startPeer({ mode, apiKey: KEY });
    logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-proxy-log-')), 'proxy.log');
    // The key travels as the Claude Desktop entry passes it: in the entry's env, never in args.
    c = await connect(peer.url, { env: { MCPWIRE_HEADER_1: `X-API-Key: ${KEY}` }, args: ['--log', logFile] });
  });
  afterAll(async () => {
    await c?.client.close();
    await peer?.close();
  });

  test('initialize, tools/list and tools/call reach the server with the session and the key', async () => {
    expect(c.client.getServerVersion()?.name).toBe('proxy-peer');
    const { tools } = await c.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['big', 'echo', 'notify', 'progress', 'sample', 'slow']);
    expect(text(await c.client.callTool({ name: 'echo', arguments: { text: SECRET_ARG } }))).toBe(SECRET_ARG);
    const posts = peer.records.filter((r) => r.http === 'POST');
    expect(posts.every((r) => r.keyOk)).toBe(true);
    const session = posts.find((r) => r.method === 'tools/list')?.session;
    expect(session).toBeTruthy();
    expect(posts.find((r) => r.method === 'tools/call')?.session).toBe(session);
    expect(posts.find((r) => r.method === 'tools/call')?.headers['mcp-protocol-version']).toBe('2025-11-25');
  });

  test('concurrent calls answered out of order keep their ids', async () => {
    const [slow, fast] = await Promise.all([
      c.client.callTool({ name: 'echo', arguments: { text: 'slow', delayMs: 300 } }),
      c.client.callTool({ name: 'echo', arguments: { text: 'fast', delayMs: 10 } }),
    ]);
    expect([text(slow), text(fast)]).toEqual(['slow', 'fast']);
  });

  // The SDK server sends a call's notifications on its SSE stream only (JSON mode drops them), so this
  // case exists for the SSE server alone (not a skip: there is nothing to test in JSON mode).
  if (mode === 'sse')
    test('progress notifications reach the client with its progress token', async () => {
      const seen: number[] = [];
      const r = await c.client.callTool({ name: 'progress', arguments: {} }, { onprogress: (p) => seen.push(p.progress) });
      expect(text(r)).toBe('done');
      expect(seen).toEqual([1, 2, 3]);
    });

  test('a server notification on the standalone GET stream reaches the client', async () => {
    // The stream opens after notifications/initialized, in the background: wait for it (this test may run first).
    for (let i = 0; i < 100 && !peer.records.some((r) => r.http === 'GET'); i++) await new Promise((r) => setTimeout(r, 50));
    const got = new Promise<void>((resolve) => c.client.setNotificationHandler('notifications/tools/list_changed', () => resolve()));
    await c.client.callTool({ name: 'notify', arguments: {} });
    await expect(Promise.race([got.then(() => 'yes'), new Promise((r) => setTimeout(() => r('timeout'), 5000))])).resolves.toBe('yes');
  });

  test('a cancelled call is cancelled at the server', async () => {
    const ac = new AbortController();
    const call = c.client.callTool({ name: 'slow', arguments: {} }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    const before = peer.events.length;
    ac.abort();
    await expect(call).rejects.toThrow();
    for (let i = 0; i < 50 && peer.events.length === before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(peer.events.slice(before).some((e) => e.startsWith('cancelled:'))).toBe(true);
  });

  test('a sampling request from the server is answered by the client', async () => {
    c.client.setRequestHandler('sampling/createMessage', async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'hi from the client' },
      model: 'test',
    }));
    expect(text(await c.client.callTool({ name: 'sample', arguments: {} }))).toBe('sampled: hi from the client');
  });

  test('a 10 MB result passes whole', async () => {
    const r = await c.client.callTool({ name: 'big', arguments: { bytes: 10_000_000 } });
    expect(text(r).length).toBe(10_000_000);
  });

  test('after a server restart (session 404) the bridge starts a new session and the client does not notice', async () => {
    const initsBefore = peer.records.filter((r) => r.method === 'initialize').length;
    peer.restart();
    expect(text(await c.client.callTool({ name: 'echo', arguments: { text: 'after restart' } }))).toBe('after restart');
    const inits = peer.records.filter((r) => r.method === 'initialize');
    expect(inits.length).toBe(initsBefore + 1);
    expect(peer.records.some((r) => r.status === 404)).toBe(true);
    // The replayed initialize carries the client's own details.
    expect(text(await c.client.callTool({ name: 'echo', arguments: { text: 'still' } }))).toBe('still');
  });

  test('stdout carried protocol only; neither stderr nor the --log file holds the key or a tool argument', () => {
    expect(c.errors.map(String)).toEqual([]);
    const log = fs.readFileSync(logFile, 'utf8');
    expect(
      log
        .split('\n')
        .filter(Boolean)
        .every((l) => typeof JSON.parse(l).t === 'string'),
    ).toBe(true);
    expect(log).toContain('"method":"tools/call"');
    for (const secret of [KEY, SECRET_ARG]) {
      expect(log).not.toContain(secret);
      expect(c.stderr()).not.toContain(secret);
    }
  });
});

describe('mcpwire proxy: start, stop, errors', () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startPeer({ mode: 'sse', apiKey: KEY });
  });
  afterAll(async () => peer?.close());

  test('stdin closing ends the bridge cleanly: exit 0, the session deleted, only JSON-RPC lines on stdout', async () => {
    const child = spawn(process.execPath, [BIN, 'proxy', 'peer', '--url', peer.url], { env: { PATH: '/usr/bin:/bin', MCPWIRE_HEADER_1: `X-API-Key: ${KEY}` } });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const send = (m: unknown) => child.stdin.write(JSON.stringify(m) + '\n');
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    for (let i = 0; i < 100 && !stdout.includes('"id":1'); i++) await new Promise((r) => setTimeout(r, 50));
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    for (let i = 0; i < 100 && !stdout.includes('"id":2'); i++) await new Promise((r) => setTimeout(r, 50));
    child.stdin.write('this is not json\n');
    await new Promise((r) => setTimeout(r, 200));
    const sessions = peer.records.filter((r) => r.session).map((r) => r.session);
    const t0 = Date.now();
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(peer.records.some((r) => r.http === 'DELETE' && sessions.includes(r.session))).toBe(true);
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.every((m) => m.jsonrpc === '2.0')).toBe(true);
    expect(lines.map((m) => m.id)).toEqual([1, 2, null]);
    expect(lines[2].error.code).toBe(-32700);
  });

  test("no key where the server wants one: the client's initialize fails with the fix, also on stderr", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'proxy', 'peer', '--url', peer.url],
      env: { PATH: '/usr/bin:/bin' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d) => (stderr += d));
    const client = new Client({ name: 'proxy-test', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toThrow(/HTTP 401.*mcpwire auth login peer/);
    await client.close().catch(() => {});
    expect(stderr).toMatch(/mcpwire auth login peer/);
  });

  test('--header-env naming an unset variable: the error names the variable and the fix, never a value', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'proxy', 'peer', '--url', peer.url, '--header-env', 'X-API-Key=PEER_KEY'],
      env: { PATH: '/usr/bin:/bin' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d) => (stderr += d));
    const client = new Client({ name: 'proxy-test', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toThrow(/PEER_KEY.*not set/);
    await client.close().catch(() => {});
    expect(stderr).toMatch(/Set PEER_KEY in the entry's "env"/);
    expect(peer.records.filter((r) => !r.keyOk).length).toBeGreaterThanOrEqual(0);
  });

  test("the bridge's own bundle holds neither the SDK nor zod: they load with the first message, not at start", () => {
    const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'proxy.cjs'), 'utf8');
    expect(bundle).not.toMatch(/@modelcontextprotocol|ZodError|JSONRPCMessageSchema/);
    // The SDK bundle leaves out the Client's JSON Schema validator (Ajv), which the bridge never uses.
    expect(fs.readFileSync(path.join(ROOT, 'dist', 'mcpsdk.cjs'), 'utf8')).not.toMatch(/\bAjv\b/);
  });

  // Node's fetch (undici) costs the bridge ~12 MB the moment it is touched, Web Crypto ~2 MB: a session
  // runs without either unless the environment names a proxy, which only Node's fetch honours.
  const modulesLoaded = async (env: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-proxy-modules-'));
    const preload = path.join(dir, 'record.cjs');
    const out = path.join(dir, 'modules.json');
    fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)));`);
    const c = await connect(peer.url, { env: { MCPWIRE_HEADER_1: `X-API-Key: ${KEY}`, NODE_OPTIONS: `--require ${preload}`, ...env } });
    expect(text(await c.client.callTool({ name: 'echo', arguments: { text: 'through' } }))).toBe('through');
    await c.client.close();
    await waitUntil('the bridge to exit', () => fs.existsSync(out));
    const loaded = JSON.parse(fs.readFileSync(out, 'utf8')) as string[];
    fs.rmSync(dir, { recursive: true, force: true });
    return loaded;
  };

  test("a session (SSE stream, tool call) sends with the bridge's own HTTP client: Node's fetch and Web Crypto never load", async () => {
    const loaded = await modulesLoaded({});
    expect(loaded).toContain('NativeModule http');
    expect(loaded).not.toContain('NativeModule internal/deps/undici/undici');
    expect(loaded).not.toContain('NativeModule internal/crypto/webcrypto');
  });

  test('https: a self-signed server is refused with the cause named; trusted through NODE_EXTRA_CA_CERTS, the session works over TLS', async () => {
    // A TLS front for the plain peer: what is under test is the bridge's https client.
    const front = await startTlsFront(peer.url);
    const { url, cert } = front;
    try {
      await expect(connect(url, { env: { MCPWIRE_HEADER_1: `X-API-Key: ${KEY}` } })).rejects.toThrow(
        /cannot reach 127\.0\.0\.1:\d+ \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/,
      );
      const c = await connect(url, { env: { MCPWIRE_HEADER_1: `X-API-Key: ${KEY}`, NODE_EXTRA_CA_CERTS: cert } });
      for (const t of ['one', 'two']) expect(text(await c.client.callTool({ name: 'echo', arguments: { text: t } }))).toBe(t);
      await c.client.close();
    } finally {
      front.close();
    }
  });

  test("with a proxy set up in the environment, the bridge sends with Node's fetch, and works the same", async () => {
    // NODE_USE_ENV_PROXY without a proxy variable: Node 24's fetch would honour HTTPS_PROXY; here it goes direct.
    const loaded = await modulesLoaded({ NODE_USE_ENV_PROXY: '1' });
    expect(loaded).toContain('NativeModule internal/deps/undici/undici');
  });

  test('a server that never answers: closing stdin still ends the bridge within 2 s', async () => {
    const silent = (await import('node:http')).createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const child = spawn(process.execPath, [BIN, 'proxy', 'silent', '--url', `http://127.0.0.1:${(silent.address() as { port: number }).port}/mcp`], {
      env: { PATH: '/usr/bin:/bin' },
    });
    child.stdin.write(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }) + '\n',
    );
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    child.stdin.end();
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
    silent.closeAllConnections();
    silent.close();
  });

  test('usage errors exit 2 with the fix on stderr and nothing on stdout: no URL, a non-http URL, a log file that cannot be opened', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-proxy-home-'));
    const run = (args: string[]) =>
      spawnSync(process.execPath, [BIN, 'proxy', ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: home }, input: '' });
    for (const [args, fix] of [
      [
        ['peer'],
        /No URL for peer: mcpwire has no server of that name\.\nfix: Run `mcpwire proxy peer --url URL`, or connect it first: `mcpwire setup URL --name peer`/,
      ],
      [['peer', '--url', 'ftp://example.com/'], /fix: Pass an http\(s\) URL/],
      [['peer', '--url', peer.url, '--log', '/nonexistent-dir/x.log'], /fix: Pass --log a file in a folder that exists/],
    ] as const) {
      const r = run([...args]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(fix);
    }
  });

  test('without --url (run by hand), the bridge takes the URL and the --header-env headers mcpwire recorded for NAME', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-proxy-home-'));
    const env = { PATH: '/usr/bin:/bin', HOME: home };
    const other = spawnSync(process.execPath, [BIN, 'mcp', 'add', 'elsewhere', '--url', 'https://elsewhere.example/mcp', '--target', 'cursor'], {
      env,
      encoding: 'utf8',
    });
    expect(other.status).toBe(0);
    // A name mcpwire does not know: the error names the ones it does.
    const unknown = spawnSync(process.execPath, [BIN, 'proxy', 'peer'], { env, encoding: 'utf8', input: '' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('No URL for peer: mcpwire has no server of that name (it knows elsewhere).');
    const added = spawnSync(process.execPath, [BIN, 'mcp', 'add', 'peer', '--url', peer.url, '--header-env', 'X-API-Key=PEER_KEY', '--target', 'cursor'], {
      env,
      encoding: 'utf8',
    });
    expect(added.status).toBe(0);
    // The key reaches the server from the variable the entry names, as the client's entry would send it.
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'proxy', 'peer'], env: { ...env, PEER_KEY: KEY }, stderr: 'pipe' });
    const client = new Client({ name: 'proxy-test', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.length).toBe(6);
    } finally {
      await client.close();
    }
  });

  test('--header-env with the variable set sends its value', async () => {
    const c = await connect(peer.url, { env: { PEER_KEY: KEY }, args: ['--header-env', 'X-API-Key=PEER_KEY'] });
    expect((await c.client.listTools()).tools.length).toBe(6);
    await c.client.close();
  });
});

/**
 * A 2025 server written out by hand, so a test can cut its standalone GET stream and refuse new ones
 * for a while (as a server behind a restarting proxy does), then send a notification on whatever
 * stream is open.
 */
async function startStreamServer() {
  const SESSION = 'sess-stream-1';
  let down = false;
  let gets = 0;
  let refused = 0;
  let stream: http.ServerResponse | undefined;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      gets++;
      if (down) {
        refused++;
        return void res.writeHead(503).end();
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': SESSION });
      // The SDK takes the server's retry interval for its reconnections: 20 ms keeps the test short.
      res.write('retry: 20\n\n');
      stream = res;
      res.on('close', () => stream === res && (stream = undefined));
      return;
    }
    if (req.method === 'DELETE') return void res.writeHead(200).end();
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const m = JSON.parse(body) as { id?: number | string; method: string };
      if (m.id === undefined) return void res.writeHead(202).end();
      const result =
        m.method === 'initialize'
          ? { protocolVersion: '2025-11-25', capabilities: { tools: { listChanged: true } }, serverInfo: { name: 'stream-server', version: '1' } }
          : m.method === 'tools/list'
            ? { tools: [] }
            : {};
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': SESSION });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    counts: () => ({ gets, refused }),
    streamOpen: () => stream !== undefined,
    /** Cut the open stream; refuse new ones until up(). */
    cut() {
      down = true;
      stream?.socket?.destroy();
    },
    up() {
      down = false;
    },
    notify(method: string) {
      stream?.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method })}\n\n`);
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('mcpwire proxy: the standalone GET stream', () => {
  test('lost for longer than the reconnections last, it is opened again once the server answers, and notifications flow again', async () => {
    const s = await startStreamServer();
    const c = await connect(s.url);
    try {
      await waitUntil('the standalone stream', s.streamOpen);
      s.cut();
      // The SDK tries again (every 20 ms, as the server asked) until its retries are used up.
      await waitUntil('the reconnections to be refused', () => s.counts().refused >= 5);
      await new Promise((r) => setTimeout(r, 300));
      const refused = s.counts().refused;
      expect(s.streamOpen()).toBe(false);
      s.up();
      // Nothing reaches the server yet; the next exchange that does brings the stream back.
      await c.client.listTools();
      await waitUntil('the stream to be opened again', s.streamOpen);
      expect(s.counts().refused).toBe(refused);
      const got = new Promise<void>((resolve) => c.client.setNotificationHandler('notifications/tools/list_changed', () => resolve()));
      s.notify('notifications/tools/list_changed');
      await expect(Promise.race([got.then(() => 'yes'), new Promise((r) => setTimeout(() => r('timeout'), 5000))])).resolves.toBe('yes');
      expect(c.stderr()).toMatch(/stream for notifications was lost/);
    } finally {
      await c.client.close();
      await s.close();
    }
  });
});
