/**
 * `mcpwire proxy` with the login mcpwire stores (issue 8, points 3, 4 and 7): real logins obtained
 * through the test OAuth server (./oauth-server.ts, file credential store in a scratch HOME), an SDK v1
 * Streamable HTTP server behind its bearer check with a `whoami` tool that names the caller, and the
 * SDK's stdio client starting the bridge as Claude Desktop does. Also static API keys
 * (`auth login NAME --api-key`) against ./proxy-peer.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BIN, ROOT, runCli, scratch, type Scratch } from './cli-harness.js';
import { startOAuthServer, type OAuthServer } from './oauth-server.js';
import { startPeer, whoamiServer, type Peer } from './proxy-peer.js';

const FOLLOW = path.join(ROOT, 'test', 'integration', 'conformance', 'follow-redirects.cjs');
const KEY = 'pk-live-5b2e9f0c1d7a4e36';

let srv: OAuthServer;
let mcp: ReturnType<typeof whoamiServer>;
let s: Scratch;
const open: Client[] = [];

const env = (extra: Record<string, string> = {}) => ({ ...s.env, MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: `${process.execPath} ${FOLLOW}`, ...extra });
const cli = (args: string[], input?: string) => {
  if (input === undefined) return runCli(args, { cwd: s.cwd, env: env() });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: s.cwd, env: env() });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d));
    c.stderr.on('data', (d: Buffer) => (stderr += d));
    c.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
    c.stdin.end(input);
  });
};
const grants = () => srv.requests.filter((r) => r.path === '/token').map((r) => r.body.grant_type);
const text = (r: unknown) => (r as { content: { type: string; text: string }[] }).content[0]?.text ?? '';

/** Start the bridge as a client would: this command, args and env, PATH=/usr/bin:/bin, cwd /. */
async function bridge(command: string, args: string[], entryEnv: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command,
    args,
    env: { ...entryEnv, PATH: '/usr/bin:/bin', HOME: s.home, MCPWIRE_CREDENTIAL_STORE: 'file' },
    cwd: '/',
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'proxy-auth-test', version: '1.0.0' });
  open.push(client);
  return { client, transport, stderr: () => stderr };
}
const proxy = (name: string, url: string) => bridge(process.execPath, [BIN, 'proxy', name, '--url', url]);

async function login(name: string, extra: string[] = []) {
  const r = await cli(['auth', 'login', srv.url, '--name', name, ...extra]);
  expect(r.code, r.stderr).toBe(0);
}
const storedAccess = (name: string) =>
  JSON.parse(fs.readFileSync(s.file('.config/mcpwire/credentials.json'), 'utf8')).credentials[name].tokens[srv.issuer].access_token as string;

beforeEach(async () => {
  mcp = whoamiServer();
  srv = await startOAuthServer(undefined, { mcp: mcp.handle });
  s = scratch();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => {});
  await srv.close();
});

describe('the bridge presents the stored OAuth login', () => {
  test('the entry `mcp add --target claude-desktop` writes, started as Claude Desktop starts it, reaches the server as the logged-in user', async () => {
    await login('demo');
    const add = await cli(['mcp', 'add', 'demo', '--target', 'claude-desktop', '-y']);
    expect(add.code, add.stderr).toBe(0);
    const file = s.read('.config/Claude/claude_desktop_config.json');
    const entry = JSON.parse(file).mcpServers.demo as { command: string; args: string[]; env?: Record<string, string> };
    expect(path.isAbsolute(entry.command)).toBe(true);
    // No secret in the client's file: the bridge reads the keychain (here the scratch credentials file).
    expect(file).not.toContain(storedAccess('demo'));
    const b = await bridge(entry.command, entry.args, entry.env);
    await b.client.connect(b.transport);
    expect(text(await b.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
    expect(b.stderr()).not.toContain(storedAccess('demo'));
  });

  test('a token that expires mid-session is refreshed before it is sent, in the same session, once', async () => {
    // 8 s: the bridge refreshes a token in its last quarter (2 s), so its first call has 6 s to come
    // while the token is fresh (4 s was too tight for a loaded CI machine: login, spawn, connect, call).
    srv.setLifetime(8);
    await login('demo');
    srv.setLifetime(3600);
    const loggedInAt = Date.now();
    const refused = () => srv.requests.filter((r) => r.path === '/mcp').length - mcp.calls.length; // the login's own 401 included
    const refusedAtLogin = refused();
    const b = await proxy('demo', srv.url);
    await b.client.connect(b.transport);
    expect(text(await b.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
    expect(grants()).toEqual(['authorization_code']); // still fresh: no refresh yet
    await new Promise((r) => setTimeout(r, Math.max(0, loggedInAt + 8200 - Date.now())));
    expect(text(await b.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
    expect(grants()).toEqual(['authorization_code', 'refresh_token']);
    // Refreshed before it was sent: the server refused nothing (every /mcp request passed its bearer check).
    expect(refused()).toBe(refusedAtLogin);
    const calls = mcp.calls.filter((c) => c.method === 'tools/call');
    expect(new Set(calls.map((c) => c.session)).size).toBe(1); // the client's session was kept
  });

  test('a 401 (the server dropped the token) is refreshed and retried without dropping the session', async () => {
    await login('demo');
    const b = await proxy('demo', srv.url);
    await b.client.connect(b.transport);
    expect(text(await b.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
    const before = storedAccess('demo');
    srv.expireAccessTokens();
    expect(text(await b.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
    expect(grants()).toEqual(['authorization_code', 'refresh_token']);
    expect(storedAccess('demo')).not.toBe(before); // stored for `auth token` and the other bridges
    const calls = mcp.calls.filter((c) => c.method === 'tools/call');
    expect(new Set(calls.map((c) => c.session)).size).toBe(1);
  });

  test('after a 401, a bridge whose token another bridge already renewed uses the new one: one refresh', async () => {
    await login('demo');
    const a = await proxy('demo', srv.url);
    const b = await proxy('demo', srv.url);
    await Promise.all([a.client.connect(a.transport), b.client.connect(b.transport)]);
    srv.expireAccessTokens();
    expect(text(await a.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
    expect(text(await b.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
    expect(grants()).toEqual(['authorization_code', 'refresh_token']);
  });

  test('three bridges of one login at expiry refresh once', async () => {
    srv.setLifetime(1);
    await login('demo');
    srv.setLifetime(3600);
    await new Promise((r) => setTimeout(r, 1100));
    // Counted from here: on a loaded machine `auth login` itself may already renew a one-second token
    // (its check of the login runs after the token's refresh margin), which is not the bridges' doing.
    const before = grants().length;
    const bridges = await Promise.all([0, 1, 2].map(() => proxy('demo', srv.url)));
    await Promise.all(bridges.map((b) => b.client.connect(b.transport)));
    const who = await Promise.all(bridges.map((b) => b.client.callTool({ name: 'whoami', arguments: {} })));
    expect(who.map(text)).toEqual(['user-1', 'user-1', 'user-1']);
    expect(grants().slice(before)).toEqual(['refresh_token']);
  });

  test('a refused refresh token (invalid_grant): the client is told to run `mcpwire auth login NAME`, on stderr too', async () => {
    srv.setLifetime(1);
    await login('pelcro');
    srv.expireRefreshTokens();
    await new Promise((r) => setTimeout(r, 1100));
    const b = await proxy('pelcro', srv.url);
    await expect(b.client.connect(b.transport)).rejects.toThrow(/refused the refresh token.*Fix: Run `mcpwire auth login pelcro`/);
    expect(b.stderr()).toMatch(/refused the refresh token.*mcpwire auth login pelcro/);
    // The dead login is forgotten, as `auth token` does.
    expect(JSON.parse((await cli(['auth', 'status', 'pelcro', '--json'])).stdout).accounts[0]).toMatchObject({ loggedIn: false });
  });

  test('logged out: the fix reaches the client; after a new login the same bridge works without a restart', async () => {
    await login('pelcro');
    const b = await proxy('pelcro', srv.url);
    await b.client.connect(b.transport);
    expect((await cli(['auth', 'logout', 'pelcro'])).code).toBe(0); // revokes the tokens at the server
    await expect(b.client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(/mcpwire auth login pelcro/);
    await login('pelcro');
    expect(text(await b.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-2');
  });
});

describe('one entry per account, never crossed', () => {
  test('two logins on one URL (pelcro-acme, pelcro-other): each bridge presents its own account', async () => {
    await login('pelcro', ['--account', 'acme']);
    await login('pelcro', ['--account', 'other']);
    const acme = await proxy('pelcro-acme', srv.url);
    const other = await proxy('pelcro-other', srv.url);
    await Promise.all([acme.client.connect(acme.transport), other.client.connect(other.transport)]);
    for (let i = 0; i < 3; i++) {
      expect(text(await acme.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
      expect(text(await other.client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-2');
    }
  });
});

describe('servers without a login', () => {
  let peer: Peer;
  beforeEach(async () => {
    peer = await startPeer({ mode: 'json' });
  });
  afterEach(() => peer.close());

  test('a server that needs no credential, unknown to mcpwire, just works', async () => {
    const b = await proxy('nobody', peer.url);
    await b.client.connect(b.transport);
    expect(text(await b.client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
    expect(b.stderr()).toBe('');
  });

  test('a login stored for another URL is not sent; stderr says so', async () => {
    await login('demo');
    const b = await proxy('demo', peer.url);
    await b.client.connect(b.transport);
    expect(text(await b.client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
    expect(peer.records.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(b.stderr()).toMatch(/the login stored as demo is for http:\/\/127\.0\.0\.1:\d+\/mcp, not .*sending no credential/);
  });
});

describe('auth login NAME --api-key', () => {
  let peer: Peer;
  beforeEach(async () => {
    peer = await startPeer({ mode: 'json', apiKey: KEY });
  });
  afterEach(() => peer.close());

  test('stored from stdin with --header X-API-Key, sent by the bridge, shown by status without its value, removed by logout', async () => {
    const r = await cli(['auth', 'login', peer.url, '--name', 'keyed', '--api-key', '--header', 'X-API-Key'], `${KEY}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Stored an API key for keyed .* sent as X-API-Key/);
    const status = await cli(['auth', 'status', '--json']);
    expect(JSON.parse(status.stdout).accounts).toEqual([expect.objectContaining({ name: 'keyed', loggedIn: true, apiKey: { header: 'X-API-Key' } })]);
    const add = await cli(['mcp', 'add', 'keyed', '--target', 'claude-desktop', '-y']);
    expect(add.code, add.stderr).toBe(0);
    for (const out of [r.stdout, r.stderr, status.stdout, s.read('.config/Claude/claude_desktop_config.json'), s.read('.config/mcpwire/state.json')])
      expect(out).not.toContain(KEY);

    const b = await proxy('keyed', peer.url);
    await b.client.connect(b.transport);
    expect(text(await b.client.callTool({ name: 'echo', arguments: { text: 'with key' } }))).toBe('with key');
    expect(peer.records.length).toBeGreaterThan(0);
    expect(peer.records.every((x) => x.keyOk)).toBe(true);
    await b.client.close();

    const token = await cli(['auth', 'token', 'keyed']);
    expect([token.code, token.stdout]).toEqual([1, '']);
    expect(token.stderr).toMatch(/keyed uses an API key, not an OAuth login/);

    // A key the server refuses: the client is told how to store the right one.
    const wrong = await cli(['auth', 'login', peer.url, '--name', 'keyed', '--api-key', '--header', 'X-API-Key'], 'not-the-key');
    expect(wrong.code).toBe(0);
    const refused = await proxy('keyed', peer.url);
    await expect(refused.client.connect(refused.transport)).rejects.toThrow(/HTTP 401.*mcpwire auth login keyed --api-key/);

    expect((await cli(['auth', 'logout', 'keyed'])).code).toBe(0);
    expect(fs.readFileSync(s.file('.config/mcpwire/credentials.json'), 'utf8')).not.toContain(KEY);
  });

  test('without --header the key goes as Authorization: Bearer; the peel preset says X-API-Key', async () => {
    const open = await startPeer({ mode: 'json' });
    try {
      expect((await cli(['auth', 'login', open.url, '--name', 'bearer', '--api-key'], KEY)).code).toBe(0);
      const b = await proxy('bearer', open.url);
      await b.client.connect(b.transport);
      await b.client.listTools();
      expect(open.records.every((x) => x.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    } finally {
      await open.close();
    }
    const peel = await cli(['auth', 'login', 'peel', '--api-key', '--json'], KEY);
    expect(peel.code, peel.stderr).toBe(0);
    expect(JSON.parse(peel.stdout)).toMatchObject({ name: 'peel', url: 'https://api.peel.sh/mcp', apiKey: { header: 'X-API-Key' } });
  });

  // util-linux `script` gives the command a terminal: the key is typed there, and must not be echoed.
  const hasScript = process.platform === 'linux' && fs.existsSync('/usr/bin/script');
  test.runIf(hasScript)('typed at a terminal, the key is read with no echo', async () => {
    const typed = 'sk-typed-2c9d41';
    const command = [process.execPath, BIN, 'auth', 'login', peer.url, '--name', 'tty', '--api-key'].map((a) => `'${a}'`).join(' ');
    const c = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { cwd: s.cwd, env: env() });
    let out = '';
    c.stdout.on('data', (d: Buffer) => {
      out += d;
      if (/not shown\): $/.test(out)) c.stdin.write(`${typed}\r`);
    });
    const code = await new Promise((resolve) => c.on('close', resolve));
    expect(code, out).toBe(0);
    expect(out).toMatch(/API key for tty .*not shown.*Stored an API key for tty/s);
    expect(out).not.toContain(typed);
    expect(JSON.parse(fs.readFileSync(s.file('.config/mcpwire/credentials.json'), 'utf8')).credentials.tty.apiKey).toEqual({
      header: 'Authorization',
      value: typed,
    });
  });

  test('no key on stdin, or a key passed as --header: refused, nothing stored', async () => {
    const empty = await cli(['auth', 'login', peer.url, '--name', 'k', '--api-key'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/No API key was given/);
    const asArg = await cli(['auth', 'login', peer.url, '--name', 'k', '--api-key', '--header', `X-API-Key: ${KEY}`], KEY);
    expect(asArg.code).toBe(2);
    expect(asArg.stderr).toMatch(/--header takes a header name/);
    expect(asArg.stderr).not.toContain(KEY);
    expect(fs.existsSync(s.file('.config/mcpwire/credentials.json'))).toBe(false);
  });
});
