/**
 * `mcpwire doctor` with the real CLI against real servers on 127.0.0.1 — the OAuth server + MCP endpoint
 * (./oauth-server.ts, with its misbehaviours and hang()), the oidc-provider peer, the SDK's McpServer
 * (./proxy-peer.ts, JSON and SSE answers), a stateless 2026-07-28 server, an https server with a
 * self-signed certificate made at test time, a page that is not MCP, a closed port — and client files of
 * every wrong shape in a scratch HOME. Each finding is made to appear, then to go away.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, runCli, scratch, type Scratch } from './cli-harness.js';
import { startOAuthServer, type HangStep, type OAuthServer } from './oauth-server.js';
import { startOidcPeer, type OidcPeer } from './oidc-peer.js';
import { startPeer, type Peer } from './proxy-peer.js';
import { startTlsFront } from './tls-front.js';
import { clientsAvailable, CLIENTS_DIR, locateNode22 } from './clients.js';

const FOLLOW = path.join(ROOT, 'test', 'integration', 'conformance', 'follow-redirects.cjs');
/** A process whose first touch of Node's fetch takes 1.5 s more (test/integration/slow-first-fetch.cjs). */
const SLOW_FETCH = { NODE_OPTIONS: `--require ${path.join(ROOT, 'test', 'integration', 'slow-first-fetch.cjs')}`, SLOW_FIRST_FETCH_MS: '1500' };
const SLOW_REQUEST = { NODE_OPTIONS: `--require ${path.join(ROOT, 'test', 'integration', 'slow-first-request.cjs')}`, SLOW_FIRST_REQUEST_MS: '800' };

interface Check {
  id: string;
  subject: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
  server?: string;
  target?: string;
  ms?: number;
}
interface Report {
  ok: boolean;
  checks: Check[];
  fixed?: Array<{ target: string; name: string; action: string }>;
}

const env = (s: Scratch, extra: Record<string, string> = {}) => ({
  ...s.env,
  MCPWIRE_CREDENTIAL_STORE: 'file',
  BROWSER: `${process.execPath} ${FOLLOW}`,
  ...extra,
});

async function doctor(
  s: Scratch,
  args: string[],
  extra: Record<string, string> = {},
): Promise<{ code: number | null; report: Report; stderr: string; ms: number }> {
  const started = Date.now();
  const r = await runCli(['doctor', ...args, '--json'], { cwd: s.cwd, env: env(s, extra) });
  const ms = Date.now() - started;
  let report: Report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`doctor did not print JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr, ms };
}

/** `doctor NAME --timeout 1` (a Cursor entry NAME) against an OAuth test server that leaves `step` hanging. */
async function doctorHanging(step: HangStep, name: string, extra: Record<string, string> = {}): ReturnType<typeof doctor> {
  const srv = await startOAuthServer();
  try {
    srv.hang(step);
    const s = scratch();
    cursorEntries(s, { [name]: srv.url });
    return await doctor(s, [name, '--timeout', '1'], extra);
  } finally {
    await srv.close();
  }
}

const pick = (r: Report, id: string, subject?: string) => r.checks.filter((c) => c.id === id && (subject === undefined || c.subject === subject));
const one = (r: Report, id: string, subject?: string) => {
  const found = pick(r, id, subject);
  if (found.length === 0)
    throw new Error(`no ${id}${subject ? ` for ${subject}` : ''} in:\n${r.checks.map((c) => `${c.status} ${c.id} ${c.subject}: ${c.message}`).join('\n')}`);
  return found[0];
};
const failures = (r: Report) => r.checks.filter((c) => c.status === 'fail');

/** A Cursor entry (the simplest remote shape) for each name → URL. */
function cursorEntries(s: Scratch, servers: Record<string, string>) {
  s.write('.cursor/mcp.json', JSON.stringify({ mcpServers: Object.fromEntries(Object.entries(servers).map(([n, url]) => [n, { url }])) }, null, 2));
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * A stateless 2026-07-28 server (server/discover, _meta envelope); `dateOffsetMs` skews its Date header;
 * `noResultType` leaves out what every 2026 tools/list result must carry (resultType, ttlMs, cacheScope).
 */
async function startModern(o: { dateOffsetMs?: number; noResultType?: boolean } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const date = new Date(Date.now() + (o.dateOffsetMs ?? 0)).toUTCString();
    if (req.method !== 'POST') return void res.writeHead(405, { date }).end();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const m = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', date }).end(JSON.stringify(body));
    if (m.id === undefined) return void res.writeHead(202).end();
    if (req.headers['mcp-protocol-version'] !== '2026-07-28')
      return json(400, { jsonrpc: '2.0', id: m.id, error: { code: -32020, message: 'MCP-Protocol-Version missing' } });
    if (m.method === 'server/discover')
      return json(200, {
        jsonrpc: '2.0',
        id: m.id,
        result: {
          supportedVersions: ['2026-07-28'],
          capabilities: { tools: {} },
          _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'modern-peer', version: '2.0.0' } },
        },
      });
    if (m.method === 'tools/list')
      return json(200, {
        jsonrpc: '2.0',
        id: m.id,
        result: {
          ...(o.noResultType ? {} : { resultType: 'complete', ttlMs: 0, cacheScope: 'private' }),
          tools: [
            { name: 'a', inputSchema: { type: 'object' } },
            { name: 'b', inputSchema: { type: 'object' } },
          ],
        },
      });
    return json(404, { jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/mcp`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('doctor: servers', () => {
  let json: Peer;
  let sse: Peer;
  let modern: Awaited<ReturnType<typeof startModern>>;
  let skewed: Awaited<ReturnType<typeof startModern>>;
  let page: http.Server;
  let pageUrl: string;
  beforeAll(async () => {
    json = await startPeer({ mode: 'json' });
    sse = await startPeer({ mode: 'sse' });
    modern = await startModern();
    skewed = await startModern({ dateOffsetMs: 3_600_000 });
    page = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome</body></html>'));
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    pageUrl = `http://127.0.0.1:${(page.address() as net.AddressInfo).port}/`;
  });
  afterAll(async () => {
    await Promise.all([json.close(), sse.close(), modern.close(), skewed.close()]);
    page.closeAllConnections();
    page.close();
  });

  test('a healthy 2025 server (SDK McpServer), JSON and SSE answers: handshake, version, server name, tool count; exit 0', async () => {
    const s = scratch();
    cursorEntries(s, { plain: json.url, streamed: sse.url });
    const { code, report } = await doctor(s, []);
    expect(failures(report)).toEqual([]);
    expect(code).toBe(0);
    for (const name of ['plain', 'streamed']) {
      expect(one(report, 'mcp.handshake', name).message).toMatch(/^MCP 2025-11-25 \(initialize\): proxy-peer 1\.0\.0/);
      expect(one(report, 'mcp.tools', name).message).toMatch(/^\d+ tools: echo, /);
      expect(one(report, 'auth.challenge', name).message).toMatch(/no login asked for/);
      expect(one(report, 'server.tcp', name).status).toBe('ok');
    }
  });

  test('a stateless 2026-07-28 server: server/discover, no initialize', async () => {
    const s = scratch();
    cursorEntries(s, { modern: modern.url });
    const { code, report } = await doctor(s, ['modern']);
    expect(code).toBe(0);
    expect(one(report, 'mcp.handshake').message).toBe('MCP 2026-07-28 (server/discover, stateless): modern-peer 2.0.0');
    expect(one(report, 'mcp.tools').message).toBe('2 tools: a, b');
    expect(one(report, 'auth.clock').status).toBe('ok');
  });

  test('a 2026-07-28 result without its resultType fails tools/list, as it fails every SDK client; with it, the tools are counted', async () => {
    const broken = await startModern({ noResultType: true });
    try {
      const s = scratch();
      cursorEntries(s, { broken: broken.url, modern: modern.url });
      const { code, report } = await doctor(s, []);
      expect(code).toBe(1);
      expect(one(report, 'mcp.handshake', 'broken').status).toBe('ok');
      expect(one(report, 'mcp.tools', 'broken')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^tools\/list: .*resultType/) });
      expect(one(report, 'mcp.tools', 'modern')).toMatchObject({ status: 'ok', message: '2 tools: a, b' });
    } finally {
      await broken.close();
    }
  });

  test("clock skew against the server's Date appears with a skewed server and not with a true one", async () => {
    const s = scratch();
    cursorEntries(s, { skewed: skewed.url, modern: modern.url });
    const { report } = await doctor(s, []);
    expect(one(report, 'auth.clock', 'skewed')).toMatchObject({ status: 'warn', message: expect.stringMatching(/behind the server's Date/) });
    expect(one(report, 'auth.clock', 'modern').status).toBe('ok');
  });

  test('plain http to another machine is a warning with the https fix; to this machine (loopback) it is not', async () => {
    const s = scratch();
    const port = await closedPort();
    cursorEntries(s, { remote: 'http://mcp.invalid/mcp', local: `http://127.0.0.1:${port}/mcp` });
    const { report } = await doctor(s, ['--timeout', '1']);
    expect(one(report, 'server.url', 'remote')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/^http:\/\/mcp\.invalid\/mcp is plain http: .*unencrypted/),
      fix: 'mcpwire mcp add remote --url https://… --force',
    });
    expect(pick(report, 'server.url', 'local')).toEqual([]);
  });

  test('a server that is down: TCP refused, and nothing above it repeats the failure; it goes away when the server is up', async () => {
    const s = scratch();
    const port = await closedPort();
    cursorEntries(s, { down: `http://127.0.0.1:${port}/mcp` });
    const { code, report } = await doctor(s, ['down']);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(one(report, 'server.tcp')).toMatchObject({ status: 'fail', message: expect.stringMatching(/connection refused/) });
    expect(failures(report).map((c) => c.id)).toEqual(['server.tcp']);
    // The same port, now served by an MCP server.
    const up = await startModernOn(port);
    try {
      const after = await doctor(s, ['down']);
      expect(after.code).toBe(0);
      expect(one(after.report, 'server.tcp').status).toBe('ok');
    } finally {
      await up.close();
    }
  });

  test('a slow server: the handshake times out at --timeout, the other checks still report, and doctor does not wait longer', async () => {
    const { code, report, ms } = await doctorHanging('mcp', 'slow');
    expect(code).toBe(1);
    expect(one(report, 'server.http')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/no answer within 1 s/),
      // the connection was made: the fix is about the server's silence, not the network
      fix: expect.stringMatching(/took the connection but did not answer.*mcpwire doctor slow --timeout SECONDS/),
    });
    expect(one(report, 'server.tcp').status).toBe('ok');
    // Each request has its own limit of 1 s; the run is bounded by a few of them (the handshake's check
    // 4 s, discovery's 6 s, plus Node's start), not by a default of 30 s nor by a server that never answers.
    // 15 s, not 8: a loaded CI machine took 9.2–9.4 s twice.
    expect(ms).toBeLessThan(15000);
    // Not slow: the same server without the hang answers (401: a login is needed, which is a warning).
    // Under doctor's default limits: with 1 s for every check, a loaded CI machine (Node 24) once failed
    // a check of this answering server (exit 1); what this part shows is that the server is not
    // reported silent, not that every check of a busy machine fits in 1 s.
    const fast = await startOAuthServer();
    try {
      const s = scratch();
      cursorEntries(s, { slow: fast.url });
      const { code, report } = await doctor(s, ['slow']);
      expect(
        code,
        failures(report)
          .map((c) => `${c.id}: ${c.message} (${c.ms} ms)`)
          .join('; '),
      ).toBe(0);
      expect(pick(report, 'server.http').every((c) => c.status !== 'fail')).toBe(true);
    } finally {
      await fast.close();
    }
  });

  // Node loads its fetch (undici) on first use: ~40-50 ms, far more on a loaded machine. Loaded inside
  // the checks' time it was counted as the server's: a local TCP connect "took 854 ms", and on a loaded
  // CI machine a silent server read as "This operation was aborted" (most likely as the SDK's request
  // timer, armed before that load, fired before mcpwire's own). SLOW_FETCH makes that load 1.5 s longer.
  test('Node slow to load its fetch is not blamed on the server: latencies measure the server, silence is still named', async () => {
    const { code, report } = await doctorHanging('mcp', 'slow', SLOW_FETCH);
    expect(code).toBe(1);
    // A local TCP connect takes a few ms; the 1.5 s load is not in it.
    const tcp = one(report, 'server.tcp');
    expect(tcp.status).toBe('ok');
    expect(tcp.ms).toBeLessThan(750);
    expect(one(report, 'server.http')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/no answer within 1 s/),
      fix: expect.stringMatching(/took the connection but did not answer/),
    });
    const stream = await doctorHanging('mcp-stream', 'silent', SLOW_FETCH);
    expect(one(stream.report, 'server.http')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^server\/discover: an event stream opened but no answer came within 1\.5 s$/),
    });
  });

  // The SDK arms its own timer for a request (the limit plus 0.5 s) before it validates and serializes
  // it; on a loaded machine that work took over 0.5 s (CI, Node 24), so the SDK's timer ended the wait
  // before mcpwire's own and the silence read as "This operation was aborted". SLOW_REQUEST makes that
  // work 0.8 s longer.
  test("a server that never answers is named silent when the SDK's own request timer ends the wait first", async () => {
    const { code, report } = await doctorHanging('mcp', 'slow', SLOW_REQUEST);
    expect(code).toBe(1);
    // That slow first request is this process's work, not the network's: the local TCP connect is not
    // charged with it (it read 820 ms when the requests started beside the connection checks).
    const tcp = one(report, 'server.tcp');
    expect(tcp.status).toBe('ok');
    expect(tcp.ms).toBeLessThan(750);
    expect(one(report, 'server.http')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/no answer within 1 s/),
      fix: expect.stringMatching(/took the connection but did not answer/),
    });
  });

  test('an event stream that opens and never answers is cut at the limit and said so', async () => {
    const { code, report, ms } = await doctorHanging('mcp-stream', 'silent');
    expect(code).toBe(1);
    expect(one(report, 'server.http')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^server\/discover: an event stream opened but no answer came within 1\.5 s$/),
    });
    // Bounded like the slow-server run above (a few limits of 1–1.5 s plus Node's start, not the 30 s
    // default nor never): 15 s, not 8, as there: a loaded CI machine took 9.0 s on Node 24.
    expect(ms).toBeLessThan(15000);
  });

  test('a URL that is not an MCP endpoint is reported as such; the MCP URL of the same host is not', async () => {
    const s = scratch();
    cursorEntries(s, { site: pageUrl });
    const { code, report } = await doctor(s, ['site']);
    expect(code).toBe(1);
    expect(one(report, 'server.http')).toMatchObject({ status: 'fail', message: expect.stringMatching(/not an MCP endpoint: HTTP 200 \(an HTML page\)/) });
    expect(one(report, 'server.http').fix).toMatch(/MCP endpoint URL/);
    cursorEntries(s, { site: json.url });
    const after = await doctor(s, ['site']);
    expect(one(after.report, 'server.http').status).toBe('ok');
  });

  test('a self-signed certificate is spelled out with the NODE_EXTRA_CA_CERTS hint; trusting it makes the finding go away', async () => {
    const inner = await startModern();
    // The TLS layer is what is under test: a self-signed front for the plain modern server.
    const front = await startTlsFront(inner.url);
    const { url, cert } = front;
    try {
      const s = scratch();
      cursorEntries(s, { tls: url });
      const { code, report } = await doctor(s, ['tls']);
      expect(code).toBe(1);
      const tls = one(report, 'server.tls');
      expect(tls.status).toBe('fail');
      expect(tls.message).toMatch(/self-signed/);
      expect(tls.fix).toMatch(/NODE_EXTRA_CA_CERTS/);
      // The handshake's own failure (same cause) is not repeated.
      expect(failures(report).map((c) => c.id)).toEqual(['server.tls']);
      const trusted = await doctor(s, ['tls'], { NODE_EXTRA_CA_CERTS: cert });
      expect(trusted.code).toBe(0);
      expect(one(trusted.report, 'server.tls').message).toMatch(/certificate trusted/);
      expect(one(trusted.report, 'mcp.handshake').message).toMatch(/modern-peer/);
    } finally {
      front.close();
      await inner.close();
    }
  });
});

async function startModernOn(port: number) {
  // A modern server on a given port: a one-line relay to a fresh one.
  const inner = await startModern();
  const relay = http.createServer((req, res) => {
    const up = http.request(inner.url, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
  return {
    close: async () => {
      relay.closeAllConnections();
      await new Promise((r) => relay.close(r));
      await inner.close();
    },
  };
}

describe('doctor: authorization', () => {
  let srv: OAuthServer;
  beforeAll(async () => {
    srv = await startOAuthServer();
  });
  afterAll(() => srv.close());

  // The login's first touch of fetch comes inside the SDK's version probe (whose own limit is long), before
  // mcpwire's per-step timer starts: a slow load must not end the login as a step that took too long.
  test('`auth login --timeout 1` in a process slow to load its fetch: the load is not counted as the time of a step', async () => {
    const s = scratch();
    const r = await runCli(['auth', 'login', srv.url, '--name', 'slowfetch', '--timeout', '1'], { cwd: s.cwd, env: env(s, SLOW_FETCH) });
    expect(r.stderr).not.toMatch(/no answer within/);
    expect(r.code).toBe(0);
  });

  test('before login: challenge, resource metadata, issuer, S256, registration all found; the handshake says how to log in (a warning, exit 0)', async () => {
    const s = scratch();
    cursorEntries(s, { demo: srv.url });
    const { code, report } = await doctor(s, ['demo']);
    expect(code).toBe(0);
    expect(one(report, 'auth.challenge').message).toMatch(/401 with a Bearer challenge naming its resource metadata \(scope "mcp"\)/);
    expect(one(report, 'auth.resource-metadata').message).toMatch(/found from the 401 challenge: authorization server http:\/\/127\.0\.0\.1/);
    expect(one(report, 'auth.server-metadata')).toMatchObject({ status: 'ok', message: expect.stringMatching(/issuer matches/) });
    expect(one(report, 'auth.pkce').status).toBe('ok');
    expect(one(report, 'auth.registration').message).toMatch(/dynamic registration/);
    expect(one(report, 'mcp.handshake')).toMatchObject({ status: 'warn', fix: 'mcpwire auth login demo' });
    expect(one(report, 'auth.stored').message).toMatch(/no mcpwire login stored/);
  });

  test('after `mcpwire auth login`: the stored credential (file store, expiry, scopes, refreshable) reaches tools/list; no refresh is spent', async () => {
    const s = scratch();
    const login = await runCli(['auth', 'login', srv.url, '--name', 'demo'], { cwd: s.cwd, env: env(s) });
    expect(login.code).toBe(0);
    cursorEntries(s, { demo: srv.url });
    const before = srv.requests.filter((r) => r.path === '/token').length;
    const { code, report } = await doctor(s, ['demo']);
    expect(code).toBe(0);
    expect(one(report, 'auth.stored').message).toMatch(/^logged in \(the file .*credentials\.json\), until .* \(\d+ min\), refreshable, scopes: mcp$/);
    expect(one(report, 'mcp.tools').message).toBe('1 tool: whoami');
    expect(one(report, 'auth.registration').message).toMatch(/a registration mcpwire already holds/);
    expect(srv.requests.filter((r) => r.path === '/token').length).toBe(before);
    // An expired token: said so, with the command that refreshes it, and still no refresh spent by doctor.
    srv.expireAccessTokens();
    const creds = path.join(s.home, '.config', 'mcpwire', 'credentials.json');
    const stored = JSON.parse(fs.readFileSync(creds, 'utf8'));
    for (const rec of Object.values(stored.credentials) as Array<{ tokens?: Record<string, { obtainedAt: number }> }>)
      for (const t of Object.values(rec.tokens ?? {})) t.obtainedAt -= 7_200_000;
    fs.writeFileSync(creds, JSON.stringify(stored));
    const expired = await doctor(s, ['demo']);
    expect(one(expired.report, 'auth.stored')).toMatchObject({ status: 'warn', fix: 'mcpwire auth token demo >/dev/null' });
    expect(srv.requests.filter((r) => r.path === '/token').length).toBe(before);
    // --fix refreshes it (once, through `auth token`), and the finding goes away.
    const fixed = await doctor(s, ['demo', '--fix']);
    expect(fixed.report.fixed).toEqual([expect.objectContaining({ target: 'mcpwire', name: 'demo', action: 'access token refreshed' })]);
    expect(one(fixed.report, 'auth.stored').status).toBe('ok');
    expect(one(fixed.report, 'mcp.tools').message).toBe('1 tool: whoami');
    expect(srv.requests.filter((r) => r.path === '/token').map((r) => r.body.grant_type)).toEqual([
      ...Array(before).fill('authorization_code'),
      'refresh_token',
    ]);
  });

  test('--fix moves a second account sharing a URL in Claude Code onto the bridge, on its own login (undoable); the collision goes away', async () => {
    const s = scratch();
    const original = JSON.stringify({ mcpServers: { acme: { type: 'http', url: srv.url }, beta: { type: 'http', url: srv.url, timeout: 30 } } });
    s.write('.claude.json', original);
    // Without beta's login there is nothing safe to do: the fix stays a command.
    const first = await doctor(s, ['--fix']);
    expect(first.report.fixed).toEqual([]);
    expect(one(first.report, 'client.same-url', 'beta/claude-code').status).toBe('fail');
    expect((await runCli(['auth', 'login', srv.url, '--name', 'beta'], { cwd: s.cwd, env: env(s) })).code).toBe(0);
    // The fix command doctor gave, as given.
    const fixed = await doctor(s, ['beta', '--fix']);
    expect(fixed.report.fixed).toEqual([
      expect.objectContaining({ target: 'claude-code', name: 'beta', action: expect.stringMatching(/moved onto the bridge/) }),
    ]);
    const entry = JSON.parse(s.read('.claude.json')).mcpServers.beta;
    expect(entry).toMatchObject({ type: 'stdio', command: process.execPath, args: expect.arrayContaining(['proxy', 'beta', '--url', srv.url]), timeout: 30 });
    expect(pick(fixed.report, 'client.same-url').filter((c) => c.status === 'fail')).toEqual([]);
    expect(one(fixed.report, 'client.bridge-start', 'beta/claude-code').status).toBe('ok');
    expect((await runCli(['undo'], { cwd: s.cwd, env: env(s) })).code).toBe(0);
    expect(s.read('.claude.json')).toBe(original);
  });

  test('the loopback port a stored registration depends on: free is fine; taken is a warning naming the port', async () => {
    const s = scratch();
    const port = await closedPort();
    expect((await runCli(['auth', 'login', srv.url, '--name', 'pinned', '--port', String(port)], { cwd: s.cwd, env: env(s) })).code).toBe(0);
    cursorEntries(s, { pinned: srv.url });
    expect(one((await doctor(s, ['pinned'])).report, 'auth.loopback-port')).toMatchObject({ status: 'ok', message: expect.stringContaining(`port ${port}`) });
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const taken = one((await doctor(s, ['pinned'])).report, 'auth.loopback-port');
      expect(taken).toMatchObject({ status: 'warn', message: expect.stringMatching(new RegExp(`port ${port} .* is in use`)) });
      expect(taken.fix).toContain(`127.0.0.1:${port}`);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  test('the oidc-provider peer (authorization server on another origin): discovery through its metadata, issuer matches', async () => {
    const peer: OidcPeer = await startOidcPeer({ accessTokenTtl: 600 });
    try {
      const s = scratch();
      cursorEntries(s, { oidc: peer.resource });
      const { code, report } = await doctor(s, ['oidc']);
      expect(code).toBe(0);
      expect(one(report, 'auth.resource-metadata').message).toContain(`authorization server ${peer.issuer}`);
      expect(one(report, 'auth.server-metadata')).toMatchObject({ status: 'ok' });
      expect(one(report, 'auth.pkce').status).toBe('ok');
      expect(one(report, 'auth.registration').message).toMatch(/dynamic registration/);
    } finally {
      await peer.close();
    }
  });

  test.each([
    ['issuer-mismatch', 'auth.server-metadata', 'fail', /names issuer https:\/\/other-issuer\.example/],
    ['no-s256', 'auth.pkce', 'fail', /does not advertise PKCE S256/],
    ['no-www-authenticate', 'auth.challenge', 'warn', /without a Bearer WWW-Authenticate challenge/],
  ] as const)('broken metadata (%s) is reported as %s; the well-behaved server has none of it', async (misbehave, id, status, message) => {
    const bad = await startOAuthServer(misbehave);
    try {
      const s = scratch();
      cursorEntries(s, { bad: bad.url, good: srv.url });
      const { report } = await doctor(s, []);
      expect(one(report, id, 'bad')).toMatchObject({ status, message: expect.stringMatching(message) });
      expect(one(report, id, 'good').status).toBe('ok');
      if (misbehave === 'no-www-authenticate')
        expect(one(report, 'auth.resource-metadata', 'bad').message).toMatch(/path-specific well-known URL \(fallback\)/);
    } finally {
      await bad.close();
    }
  });

  test('a 2025 server that agrees to a protocol version no client knows fails the handshake; one that agrees to a known version passes', async () => {
    let agreed = '2099-01-01';
    const server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const m = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'POST') return void res.writeHead(405).end();
      if (m.id === undefined) return void res.writeHead(202).end();
      if (m.method === 'initialize')
        return json(200, {
          jsonrpc: '2.0',
          id: m.id,
          result: { protocolVersion: agreed, capabilities: { tools: {} }, serverInfo: { name: 'odd', version: '1.0.0' } },
        });
      if (m.method === 'tools/list') return json(200, { jsonrpc: '2.0', id: m.id, result: { tools: [] } });
      // As an SDK v1 server answers what it does not know before initialize.
      return json(400, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: Server not initialized' } });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const s = scratch();
      cursorEntries(s, { odd: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/mcp` });
      const unknown = await doctor(s, ['odd']);
      expect(one(unknown.report, 'mcp.handshake')).toMatchObject({ status: 'fail', message: expect.stringContaining('2099-01-01') });
      agreed = '2025-06-18';
      const known = await doctor(s, ['odd']);
      expect(one(known.report, 'mcp.handshake')).toMatchObject({ status: 'ok', message: expect.stringMatching(/2025-06-18.*odd 1\.0\.0/) });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('the resource the metadata names: another origin fails (login refuses it), a parent path is a warning, the URL itself is fine', async () => {
    let resource: (base: string) => string = () => `https://elsewhere.example/mcp`;
    const server = http.createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
      if (req.url === '/.well-known/oauth-protected-resource/api/mcp')
        return res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ resource: resource(base), authorization_servers: [srv.issuer] }));
      if (req.url === '/api/mcp')
        return res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/api/mcp"` }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const s = scratch();
      cursorEntries(s, { res: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/api/mcp` });
      const other = await doctor(s, ['res']);
      expect(one(other.report, 'auth.resource-metadata')).toMatchObject({
        status: 'fail',
        message: expect.stringMatching(/does not cover this URL: login refuses it/),
      });
      resource = (base) => `${base}/api`;
      const parent = await doctor(s, ['res']);
      expect(one(parent.report, 'auth.resource-metadata')).toMatchObject({
        status: 'warn',
        message: expect.stringMatching(/is not the URL: strict clients refuse it/),
      });
      resource = (base) => `${base}/api/mcp`;
      const exact = await doctor(s, ['res']);
      expect(one(exact.report, 'auth.resource-metadata')).toMatchObject({ status: 'ok', message: expect.stringMatching(/found from the 401 challenge/) });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test("a challenge naming metadata that is not there fails, as `auth login` does (the SDK does not fall back from the challenge's URL); naming the right one finds it", async () => {
    let named = '/.well-known/oauth-protected-resource/nowhere';
    const server = http.createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
      if (req.url === '/.well-known/oauth-protected-resource/mcp' || req.url === '/.well-known/oauth-protected-resource')
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ resource: `${base}/mcp`, authorization_servers: [srv.issuer] }));
      if (req.url === '/mcp') return res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${base}${named}"` }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const s = scratch();
      cursorEntries(s, { misnamed: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/mcp` });
      const before = await doctor(s, ['misnamed']);
      expect(one(before.report, 'auth.resource-metadata')).toMatchObject({
        status: 'fail',
        message: expect.stringMatching(
          /^no protected resource metadata \(RFC 9728\) at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/nowhere:/,
        ),
      });
      named = '/.well-known/oauth-protected-resource/mcp';
      const after = await doctor(s, ['misnamed']);
      expect(one(after.report, 'auth.resource-metadata')).toMatchObject({ status: 'ok', message: expect.stringMatching(/found from the 401 challenge/) });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test.each([
    ['resource-metadata', 'auth.resource-metadata', /^protected resource metadata: no answer within 2 s$/],
    ['as-metadata', 'auth.server-metadata', /^authorization server metadata for http:\/\/127\.0\.0\.1:\d+: no answer within 2 s$/],
  ] as const)('a discovery step that hangs (%s) is named with its time limit; the same server answering finds it', async (step, id, message) => {
    const hung = await startOAuthServer();
    try {
      hung.hang(step);
      const s = scratch();
      cursorEntries(s, { hung: hung.url, good: srv.url });
      // 2 s, not 1: on a loaded machine the steps before the hung one (TCP, the 401) can take a second.
      const { report } = await doctor(s, ['--timeout', '2']);
      expect(one(report, id, 'hung')).toMatchObject({ status: 'fail', message: expect.stringMatching(message) });
      expect(one(report, id, 'good').status).toBe('ok');
    } finally {
      await hung.close();
    }
  });
});

describe('doctor: client files', () => {
  // Entries point at a closed port: the client findings do not need a live server.
  let url: string;
  beforeAll(async () => {
    url = `http://127.0.0.1:${await closedPort()}/mcp`;
  });

  const shape = async (s: Scratch, name: string, target: string) => pick((await doctor(s, [name])).report, 'client.shape', `${name}/${target}`);

  test.each([
    ['codex', '.codex/config.toml', () => `[mcp_servers.x]\nurl = "${url}"\ntype = "http"\n`, /"type" under a url server/],
    [
      'codex',
      '.codex/config.toml',
      () => `[mcp_servers.x]\nurl = "${url}"\nbearer_token = "abc"\n`,
      /"bearer_token" under a url server makes every codex command fail/,
    ],
    ['claude-code', '.claude.json', () => JSON.stringify({ mcpServers: { x: { url } } }), /no "type": Claude Code reads it as a stdio server/],
    ['cursor', '.cursor/mcp.json', () => JSON.stringify({ mcpServers: { x: { serverUrl: url } } }), /"serverUrl" is Windsurf's key: this client reads "url"/],
    ['windsurf', '.codeium/windsurf/mcp_config.json', () => JSON.stringify({ mcpServers: { x: { url } } }), /Windsurf expects "serverUrl"/],
    [
      'vscode',
      '.config/Code/User/mcp.json',
      () => JSON.stringify({ mcpServers: { x: { type: 'http', url } } }),
      /under "mcpServers", which VS Code never reads/,
    ],
    ['claude-desktop', '.config/Claude/claude_desktop_config.json', () => JSON.stringify({ mcpServers: { x: { url } } }), /Claude Desktop ignores url entries/],
  ])('%s (%s): a wrong shape is found, `--fix` rewrites it (undoable), and the finding goes away', async (target, rel, text, message) => {
    const s = scratch();
    const original = text();
    s.write(rel, original);
    const before = await shape(s, 'x', target);
    expect(before.find((c) => c.status === 'fail')?.message).toMatch(message);
    expect(before.find((c) => c.status === 'fail')?.fix).toBe('mcpwire doctor x --fix');
    const fixed = await doctor(s, ['x', '--fix']);
    expect(fixed.report.fixed).toEqual([expect.objectContaining({ target, name: 'x' })]);
    expect(pick(fixed.report, 'client.shape', `x/${target}`).map((c) => c.status)).toEqual(['ok']);
    // undo puts the original bytes back.
    const undo = await runCli(['undo'], { cwd: s.cwd, env: env(s) });
    expect(undo.code).toBe(0);
    expect(s.read(rel)).toBe(original);
  });

  test('a file that does not parse: path:line:column and what it costs in that client; fixed by hand, it goes away', async () => {
    const s = scratch();
    const f = s.write('.codex/config.toml', `[mcp_servers.x]\nurl = "${url}"\nbroken = \n`);
    const { code, report } = await doctor(s, []);
    expect(code).toBe(1);
    const parse = one(report, 'client.parse', 'codex');
    expect(parse.status).toBe('fail');
    expect(parse.message).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: .*every codex command fails`));
    s.write('.codex/config.toml', `[mcp_servers.x]\nurl = "${url}"\n`);
    expect(one((await doctor(s, [])).report, 'client.parse', 'codex').status).toBe('ok');
  });

  test('two accounts of one server as native entries in Claude Code (logins keyed by URL): a failure with the bridge as the fix; elsewhere a warning', async () => {
    const s = scratch();
    s.write('.claude.json', JSON.stringify({ mcpServers: { acme: { type: 'http', url }, beta: { type: 'http', url } } }));
    cursorEntries(s, { acme: url, beta: url });
    const { report } = await doctor(s, []);
    const cc = one(report, 'client.same-url', 'beta/claude-code');
    expect(cc.status).toBe('fail');
    expect(cc.fix).toBe('mcpwire auth login beta && mcpwire doctor beta --fix');
    expect(one(report, 'client.same-url', 'beta/cursor').status).toBe('warn');
    // The second account through the bridge: no longer two native entries.
    s.write(
      '.claude.json',
      JSON.stringify({
        mcpServers: {
          acme: { type: 'http', url },
          beta: { command: process.execPath, args: [path.join(ROOT, 'bin', 'mcpwire.js'), 'proxy', 'beta', '--url', url] },
        },
      }),
    );
    expect(pick((await doctor(s, [])).report, 'client.same-url', 'beta/claude-code').filter((c) => c.status === 'fail')).toEqual([]);
  });

  test('a literal secret in a file others can read fails (chmod 600 as the fix); mode 0600 makes it go away', async () => {
    const s = scratch();
    const f = s.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { x: { url, headers: { Authorization: 'Bearer s3cret-value' } } } }));
    fs.chmodSync(f, 0o644);
    const { report, stderr } = await doctor(s, ['x']);
    const secret = one(report, 'client.secret');
    expect(secret).toMatchObject({ status: 'fail', fix: `chmod 600 ${f}` });
    expect(secret.message).toMatch(/mode 0644/);
    expect(JSON.stringify(report) + stderr).not.toContain('s3cret-value');
    fs.chmodSync(f, 0o600);
    expect(pick((await doctor(s, ['x'])).report, 'client.secret')).toEqual([]);
  });

  test('${VAR} unset here warns; set, a GUI client still warns that it will not see it; a terminal client does not', async () => {
    const s = scratch();
    s.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { x: { url, headers: { Authorization: 'Bearer ${env:DOC_TOKEN}' } } } }));
    s.write('.claude.json', JSON.stringify({ mcpServers: { x: { type: 'http', url, headers: { Authorization: 'Bearer ${DOC_TOKEN}' } } } }));
    const unset = (await doctor(s, ['x'])).report;
    expect(one(unset, 'client.env', 'x/cursor').message).toMatch(/\$DOC_TOKEN is not set here/);
    expect(one(unset, 'client.env', 'x/claude-code').message).toMatch(/\$DOC_TOKEN is not set here/);
    const set = (await doctor(s, ['x'], { DOC_TOKEN: 'value' })).report;
    expect(one(set, 'client.env', 'x/cursor').message).toMatch(/Cursor is a GUI app/);
    expect(pick(set, 'client.env', 'x/claude-code')).toEqual([]);
  });

  test('a bridge entry whose command does not resolve fails; the real node resolves', async () => {
    const s = scratch();
    const bridge = (command: string) =>
      s.write(
        '.config/Claude/claude_desktop_config.json',
        JSON.stringify({ mcpServers: { x: { command, args: ['/nowhere/mcpwire.js', 'proxy', 'x', '--url', url] } } }),
      );
    // `args` names mcpwire, so this is a bridge entry.
    bridge('/nonexistent/bin/node');
    const bad = one((await doctor(s, ['x'])).report, 'client.bridge');
    expect(bad).toMatchObject({ status: 'fail', message: expect.stringMatching(/does not resolve: \/nonexistent\/bin\/node does not exist/) });
    bridge(process.execPath);
    expect(pick((await doctor(s, ['x'])).report, 'client.bridge')).toEqual([]);
  });

  test('a name shadowed by a higher scope, and a project entry the client will ask to approve', async () => {
    const s = scratch();
    s.write('.claude.json', JSON.stringify({ mcpServers: { x: { type: 'http', url } } }));
    fs.writeFileSync(path.join(s.cwd, '.mcp.json'), JSON.stringify({ mcpServers: { x: { type: 'http', url } } }));
    const { report } = await doctor(s, ['x']);
    expect(one(report, 'client.shadowed', 'x/claude-code').message).toMatch(/shadowed by the project-scope entry/);
    expect(one(report, 'client.project-trust', 'x/claude-code').message).toMatch(/asks each user to approve/);
    fs.rmSync(path.join(s.cwd, '.mcp.json'));
    const after = (await doctor(s, ['x'])).report;
    expect(pick(after, 'client.shadowed')).toEqual([]);
    expect(pick(after, 'client.project-trust')).toEqual([]);
  });

  test('a project entry the user already answered for: approved is quiet, declined fails with the way back (Claude Code, Codex)', async () => {
    const s = scratch();
    fs.writeFileSync(path.join(s.cwd, '.mcp.json'), JSON.stringify({ mcpServers: { x: { type: 'http', url } } }));
    fs.mkdirSync(path.join(s.cwd, '.codex'));
    fs.writeFileSync(path.join(s.cwd, '.codex', 'config.toml'), `[mcp_servers.x]\nurl = "${url}"\n`);
    const asked = (await doctor(s, ['x'])).report;
    expect(one(asked, 'client.project-trust', 'x/claude-code').status).toBe('warn');
    expect(one(asked, 'client.project-trust', 'x/codex').status).toBe('warn');
    // Approved: Claude Code's project record in ~/.claude.json, Codex's trusted project.
    s.write('.claude.json', JSON.stringify({ projects: { [s.cwd]: { enabledMcpjsonServers: ['x'] } } }));
    s.write('.codex/config.toml', `[projects."${s.cwd}"]\ntrust_level = "trusted"\n`);
    expect(pick((await doctor(s, ['x'])).report, 'client.project-trust')).toEqual([]);
    // Declined: in the project's local settings (a comment in it, as settings files may hold), and an untrusted project.
    fs.mkdirSync(path.join(s.cwd, '.claude'));
    fs.writeFileSync(path.join(s.cwd, '.claude', 'settings.local.json'), '{\n  // mine\n  "disabledMcpjsonServers": ["x"]\n}\n');
    s.write('.codex/config.toml', `[projects."${s.cwd}"]\ntrust_level = "untrusted"\n`);
    const declined = (await doctor(s, ['x'])).report;
    expect(one(declined, 'client.project-trust', 'x/claude-code')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('claude mcp reset-project-choices'),
    });
    expect(one(declined, 'client.project-trust', 'x/codex')).toMatchObject({ status: 'fail', fix: expect.stringContaining('trust_level = "trusted"') });
  });

  test('Cursor with static headers for a server that advertises OAuth: warned (Cursor ignores them); without headers, not', async () => {
    const srv = await startOAuthServer();
    try {
      const s = scratch();
      s.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { o: { url: srv.url, headers: { 'X-Org': 'acme' } } } }));
      expect(one((await doctor(s, ['o'])).report, 'client.headers-ignored').status).toBe('warn');
      cursorEntries(s, { o: srv.url });
      expect(pick((await doctor(s, ['o'])).report, 'client.headers-ignored')).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  test("a credential in an entry's URL never reaches the output (masked in the JSON and the text)", async () => {
    const s = scratch();
    const f = s.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { q: { url: `${url}?token=abc123secret` } } }));
    fs.chmodSync(f, 0o600);
    const { report, stderr } = await doctor(s, ['q']);
    const text = await runCli(['doctor', 'q'], { cwd: s.cwd, env: env(s) });
    expect(JSON.stringify(report) + stderr + text.stdout + text.stderr).not.toContain('abc123secret');
    expect(text.stdout).toContain('?token=***');
  });

  test('a hostile entry name is quoted in the fix command, and escaped in the text', async () => {
    const s = scratch();
    const name = 'x; touch PWNED \u001b[2J';
    s.write('.claude.json', JSON.stringify({ mcpServers: { [name]: { url } } }));
    const { report } = await doctor(s, []);
    const shape = report.checks.find((c) => c.id === 'client.shape' && c.status === 'fail')!;
    expect(shape.fix).toBe(`mcpwire doctor '${name}' --fix`);
    const text = await runCli(['doctor'], { cwd: s.cwd, env: env(s) });
    expect(text.stdout).not.toContain('\u001b');
    expect(text.stdout).toContain("fix: mcpwire doctor 'x; touch PWNED \\x1b[2J' --fix");
  });

  test('one name at two URLs in two clients: the entry not checked says so; agreeing entries do not', async () => {
    const s = scratch();
    const other = `http://127.0.0.1:${await closedPort()}/other`;
    s.write('.claude.json', JSON.stringify({ mcpServers: { x: { type: 'http', url } } }));
    cursorEntries(s, { x: other });
    const { report } = await doctor(s, ['x']);
    expect(one(report, 'client.url', 'x/cursor').message).toMatch(/that server was not checked/);
    cursorEntries(s, { x: url });
    expect(pick((await doctor(s, ['x'])).report, 'client.url')).toEqual([]);
  });

  test('text output: grouped by server then client, ✓ ! ✗ lines, the fix under each problem, no colour when NO_COLOR; unknown NAME is exit 2', async () => {
    const s = scratch();
    s.write('.claude.json', JSON.stringify({ mcpServers: { x: { url } } }));
    const r = await runCli(['doctor', 'x'], { cwd: s.cwd, env: env(s) });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect(r.stdout).toMatch(new RegExp(`^x  ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    expect(r.stdout).toMatch(/\n {2}claude-code\n {4}✗ ~\/\.claude\.json: no "type"[^\n]*\n {6}fix: mcpwire doctor x --fix\n/);
    expect(r.stdout).toMatch(/\nenvironment\n {2}✓ Node v/);
    const unknown = await runCli(['doctor', 'y', '--json'], { cwd: s.cwd, env: env(s) });
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout).error.message).toMatch(/No server named "y".*Did you mean x\?/);
  });
});

describe('doctor: the bridges started as their client starts them', () => {
  let peer: Peer;
  let srv: OAuthServer;
  beforeAll(async () => {
    peer = await startPeer({ mode: 'json' });
    srv = await startOAuthServer();
  });
  afterAll(async () => {
    await peer.close();
    await srv.close();
  });
  const bridge = (s: Scratch, name: string, url: string) =>
    s.write(
      '.config/Claude/claude_desktop_config.json',
      JSON.stringify({ mcpServers: { [name]: { command: process.execPath, args: [path.join(ROOT, 'bin', 'mcpwire.js'), 'proxy', name, '--url', url] } } }),
    );

  test('a bridge that starts and answers initialize; one that answers with the login it needs', async () => {
    const s = scratch();
    bridge(s, 'open', peer.url);
    const good = await doctor(s, ['open']);
    expect(one(good.report, 'client.bridge-start', 'open/claude-desktop')).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/answers initialize .*proxy-peer 1\.0\.0/),
    });
    bridge(s, 'locked', srv.url);
    const locked = await doctor(s, ['locked']);
    expect(one(locked.report, 'client.bridge-start')).toMatchObject({ status: 'fail', fix: expect.stringContaining('mcpwire auth login locked') });
    // Logged in, the same bridge answers.
    expect((await runCli(['auth', 'login', srv.url, '--name', 'locked'], { cwd: s.cwd, env: env(s) })).code).toBe(0);
    expect(one((await doctor(s, ['locked'])).report, 'client.bridge-start').status).toBe('ok');
  });

  test('a bridge through a package runner (npx mcp-remote) is started only with --deep', async () => {
    const s = scratch();
    // A stand-in `npx` on PATH that runs the real bridge: what matters is that doctor starts it or not.
    const binDir = path.join(s.home, 'bin');
    fs.mkdirSync(binDir);
    const npx = path.join(binDir, 'npx');
    fs.writeFileSync(npx, `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'mcpwire.js')}" proxy runner --url "${peer.url}"\n`, {
      mode: 0o755,
    });
    s.write('.config/Claude/claude_desktop_config.json', JSON.stringify({ mcpServers: { runner: { command: 'npx', args: ['-y', 'mcp-remote', peer.url] } } }));
    const pathEnv = { PATH: `${binDir}:${process.env.PATH}` };
    expect(one((await doctor(s, ['runner'], pathEnv)).report, 'client.bridge-start').message).toMatch(/^not started: its package runner/);
    expect(one((await doctor(s, ['runner', '--deep'], pathEnv)).report, 'client.bridge-start').message).toMatch(/answers initialize .*proxy-peer/);
  });
});

describe.runIf(clientsAvailable())('doctor --deep: the real clients', () => {
  const bin = path.join(CLIENTS_DIR, 'node_modules', '.bin');
  const node22 = locateNode22();
  // codex's launcher runs on Node 22; every HTTP request of claude goes to a closed proxy port (offline).
  const clientEnv = () => ({
    PATH: `${bin}:${node22 ? path.dirname(node22) : ''}:${process.env.PATH}`,
    HTTPS_PROXY: 'http://127.0.0.1:9',
    MCP_TIMEOUT: '2000',
  });
  test('claude and codex agree with the files; an entry Claude Code does not see (no "type") is a disagreement', async () => {
    const s = scratch();
    const url = 'https://mcp.example.com/mcp';
    fs.mkdirSync(path.join(s.home, '.codex'), { recursive: true });
    s.write('.codex/config.toml', `[mcp_servers.x]\nurl = "${url}"\n`);
    s.write('.claude.json', JSON.stringify({ mcpServers: { x: { type: 'http', url } } }));
    const agree = await doctor(s, ['x', '--deep', '--timeout', '10'], clientEnv());
    expect(one(agree.report, 'deep.claude-code')).toMatchObject({ status: 'ok', message: expect.stringContaining(url) });
    expect(one(agree.report, 'deep.codex')).toMatchObject({ status: 'ok', message: expect.stringContaining(url) });
    s.write('.claude.json', JSON.stringify({ mcpServers: { x: { url } } }));
    const disagree = await doctor(s, ['x', '--deep', '--timeout', '10'], clientEnv());
    expect(one(disagree.report, 'deep.claude-code')).toMatchObject({ status: 'fail', message: expect.stringMatching(/does not know the entry/) });
  });
});
