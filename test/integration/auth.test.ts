/**
 * `auth login|status|token|logout` and `tools` with the real CLI against a real OAuth server + MCP
 * server on 127.0.0.1 (./oauth-server.ts), credentials in the 0600 file store of a scratch HOME (the
 * OS keychain itself is tested in keychain.test.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BIN, freePortBelowEphemeral, ROOT, runCli, scratch, startPendingLogin, type Scratch } from './cli-harness.js';
import { startOAuthServer, type OAuthServer } from './oauth-server.js';

const FOLLOW = path.join(ROOT, 'test', 'integration', 'conformance', 'follow-redirects.cjs');

const run = (s: Scratch, args: string[]) =>
  runCli(args, { cwd: s.cwd, env: { ...s.env, MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: `${process.execPath} ${FOLLOW}` } });

let srv: OAuthServer;
let s: Scratch;
beforeEach(async () => {
  srv = await startOAuthServer();
  s = scratch();
});
afterEach(() => srv.close());

const grants = () => srv.requests.filter((r) => r.path === '/token').map((r) => r.body.grant_type);

describe('auth login, status, token, logout', () => {
  test('login stores the tokens (0600), status reports them, and no token is ever printed', async () => {
    const login = await run(s, ['auth', 'login', srv.url, '--name', 'demo']);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/Logged in to demo/);
    const file = s.file('.config/mcpwire/credentials.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    const access = stored.credentials.demo.tokens[srv.issuer].access_token as string;
    expect(access).toMatch(/^[0-9a-f]{32}$/);
    // PKCE and RFC 8707: the code exchange carried the verifier and the resource, verbatim.
    const exchange = srv.requests.find((r) => r.path === '/token')!.body;
    expect(exchange).toMatchObject({ grant_type: 'authorization_code', resource: srv.url });
    expect(exchange.code_verifier).toBeTruthy();

    const status = await run(s, ['auth', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).accounts).toEqual([
      expect.objectContaining({ name: 'demo', url: srv.url, loggedIn: true, scopes: ['mcp'], store: 'file' }),
    ]);
    for (const out of [login.stdout, login.stderr, status.stdout, status.stderr]) expect(out).not.toContain(access);
    // Not in mcpwire's state either, and the known server is recorded.
    expect(fs.readFileSync(s.file('.config/mcpwire/state.json'), 'utf8')).not.toContain(access);

    const token = await run(s, ['auth', 'token', 'demo']);
    expect(token.stdout.trim()).toBe(access);
    expect(grants()).toEqual(['authorization_code']); // fresh: no refresh
  });

  test('a token that expires within a minute is refreshed first, with rotation and the resource', async () => {
    srv.setLifetime(30);
    await run(s, ['auth', 'login', srv.url, '--name', 'demo']);
    const first = await run(s, ['auth', 'token', 'demo']);
    expect(first.code, first.stderr).toBe(0);
    expect(grants()).toEqual(['authorization_code', 'refresh_token']);
    expect(srv.requests.filter((r) => r.path === '/token')[1].body.resource).toBe(srv.url);
    srv.setLifetime(3600);
    const stored = JSON.parse(fs.readFileSync(s.file('.config/mcpwire/credentials.json'), 'utf8')).credentials.demo.tokens[srv.issuer];
    expect(first.stdout.trim()).toBe(stored.access_token);
    // The rotated refresh token was stored: the next refresh (after another short-lived token) works.
    const tools = await run(s, ['tools', 'demo', '--call', 'whoami']);
    expect(tools.stdout).toMatch(/you are logged in/);
  });

  // The MCP SDK (~450 KB with zod) is the OAuth session's bundle: `auth status`, `auth token` with a
  // valid token and `auth logout` never load it (auth status: 2.4x -> ~1.2x of `node -e 0`); a refresh does.
  test('status, token and logout load no MCP SDK; a login and a refresh load it from the session bundle', async () => {
    const recorder = path.join(s.home, 'bundles.cjs');
    fs.writeFileSync(
      recorder,
      `const fs = require('node:fs'), path = require('node:path'), read = fs.readFileSync, seen = [];
       fs.readFileSync = function (p, ...rest) { if (typeof p === 'string' && p.endsWith('.cjs')) seen.push(path.basename(p, '.cjs')); return read.call(this, p, ...rest); };
       process.on('exit', () => process.stderr.write('bundles: ' + seen.join(',') + '\\n'));\n`,
    );
    const bundles = async (args: string[]) => {
      const r = await runCli(args, {
        cwd: s.cwd,
        env: { ...s.env, MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: `${process.execPath} ${FOLLOW}`, NODE_OPTIONS: `--require ${recorder}` },
      });
      expect(r.code, r.stderr).toBe(0);
      return r.stderr.match(/^bundles: (.*)$/m)![1].split(',');
    };
    srv.setLifetime(30);
    expect(await bundles(['auth', 'login', srv.url, '--name', 'demo'])).toContain('authsession');
    expect(await bundles(['auth', 'token', 'demo'])).toContain('authsession'); // refreshed first
    expect(grants()).toEqual(['authorization_code', 'refresh_token']);
    srv.setLifetime(3600);
    expect(await bundles(['auth', 'token', 'demo'])).toContain('authsession'); // the 30 s token again
    for (const args of [
      ['auth', 'token', 'demo'],
      ['auth', 'status'],
      ['auth', 'status', 'demo', '--json'],
      ['auth', 'logout', 'demo'],
    ]) {
      const loaded = await bundles(args);
      expect(loaded, args.join(' ')).toContain('auth');
      expect(loaded, args.join(' ')).not.toContain('authsession');
      expect(loaded, args.join(' ')).not.toContain('mcpsdk');
    }
  });

  test('two `auth token` at the same moment spend the refresh token once', async () => {
    srv.setLifetime(30);
    await run(s, ['auth', 'login', srv.url, '--name', 'demo']);
    srv.setLifetime(3600);
    const [a, b] = await Promise.all([run(s, ['auth', 'token', 'demo']), run(s, ['auth', 'token', 'demo'])]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect(grants()).toEqual(['authorization_code', 'refresh_token']);
    expect(a.stdout.trim()).toBe(b.stdout.trim());
  });

  test('two `tools` sessions with an expired token refresh it once, under the lock (the SDK never races)', async () => {
    srv.setLifetime(1);
    await run(s, ['auth', 'login', srv.url, '--name', 'demo']);
    srv.setLifetime(3600);
    await new Promise((r) => setTimeout(r, 1100)); // the server now refuses the access token
    const [a, b] = await Promise.all([run(s, ['tools', 'demo', '--call', 'whoami']), run(s, ['tools', 'demo', '--call', 'whoami'])]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect([a.stdout.trim(), b.stdout.trim()]).toEqual(['you are logged in', 'you are logged in']);
    // One refresh, and no new sign-in (a raced refresh token would have ended in invalid_grant and a login).
    expect(grants()).toEqual(['authorization_code', 'refresh_token']);
    expect(srv.requests.filter((r) => r.path === '/authorize')).toHaveLength(1);
  });

  test('a refresh token the server refuses (invalid_grant) ends with "run mcpwire auth login", exit 1', async () => {
    srv.setLifetime(30);
    // The login at the end reuses this registration: a port no connection of the suite can take meanwhile.
    await run(s, ['auth', 'login', srv.url, '--name', 'demo', '--port', String(await freePortBelowEphemeral())]);
    srv.expireRefreshTokens();
    const r = await run(s, ['auth', 'token', 'demo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has expired/);
    expect(r.stderr).toMatch(/mcpwire auth login demo/);
    expect(r.stdout).toBe('');
    // The dead login is forgotten, the registration kept: status says so, and the next login signs in anew.
    expect(JSON.parse((await run(s, ['auth', 'status', 'demo', '--json'])).stdout).accounts[0]).toMatchObject({ name: 'demo', loggedIn: false });
    const again = await run(s, ['auth', 'login', 'demo']);
    expect(again.code, again.stderr).toBe(0);
    expect(srv.requests.filter((r) => r.path === '/authorize')).toHaveLength(2);
    expect(srv.requests.filter((r) => r.path === '/register')).toHaveLength(1);
  });

  test('logout revokes at the server and forgets; other accounts on the same server stay', async () => {
    expect((await run(s, ['auth', 'login', srv.url, '--name', 'demo', '--account', 'acme'])).code).toBe(0);
    expect((await run(s, ['auth', 'login', srv.url, '--name', 'demo', '--account', 'beta'])).code).toBe(0);
    const creds = JSON.parse(fs.readFileSync(s.file('.config/mcpwire/credentials.json'), 'utf8')).credentials;
    expect(Object.keys(creds).sort()).toEqual(['demo-acme', 'demo-beta']);
    // Separate registrations and tokens.
    expect(creds['demo-acme'].clients[srv.issuer].client_id).not.toBe(creds['demo-beta'].clients[srv.issuer].client_id);
    const acmeTokens = creds['demo-acme'].tokens[srv.issuer];
    const out = await run(s, ['auth', 'logout', 'demo-acme']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/revoked/);
    expect(srv.revoked.sort()).toEqual([acmeTokens.access_token, acmeTokens.refresh_token].sort());
    const status = JSON.parse((await run(s, ['auth', 'status', '--json'])).stdout);
    expect(status.accounts.map((a: { name: string; loggedIn: boolean }) => [a.name, a.loggedIn])).toEqual([['demo-beta', true]]);
    expect((await run(s, ['auth', 'logout', '--all'])).code).toBe(0);
    expect(JSON.parse((await run(s, ['auth', 'status', '--json'])).stdout).accounts).toEqual([]);
  });

  test('--no-browser: the URL is printed and the address the browser ended on can be pasted (SSH)', async () => {
    const { c, done, authUrl, out } = await startPendingLogin(s, srv.url, 'demo', 'paste the address');
    // The browser "elsewhere": the authorization server redirects to a 127.0.0.1 it cannot reach.
    const r = await fetch(authUrl, { redirect: 'manual' });
    const callback = r.headers.get('location')!;
    expect(callback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
    c.stdin.write('https://example.com/not-it\n');
    await new Promise((res) => setTimeout(res, 300));
    c.stdin.write(callback + '\n');
    const code = await done;
    const { stdout, stderr } = out();
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/not the callback address/);
    expect(stdout).toMatch(/Logged in to demo/);
  });

  test('bad input is exit 2 with the fix', async () => {
    const r = await run(s, ['tools', srv.url, '--args', '{not json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--args is not JSON/);
    const t = await run(s, ['auth', 'token']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/No logins stored/);
    const timeout = await run(s, ['auth', 'token', 'demo', '--timeout', 'soon']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(/--timeout soon is not a whole number from 1 to 3600/);
  });
});

describe('servers that misbehave', () => {
  const creds = () =>
    fs.existsSync(s.file('.config/mcpwire/credentials.json'))
      ? JSON.parse(fs.readFileSync(s.file('.config/mcpwire/credentials.json'), 'utf8')).credentials
      : {};
  const tokensOf = (name: string) => Object.keys(creds()[name]?.tokens ?? {});

  test('no WWW-Authenticate: the resource metadata is found at the well-known path', async () => {
    const bad = await startOAuthServer('no-www-authenticate');
    try {
      const r = await run(s, ['auth', 'login', bad.url, '--name', 'quiet']);
      expect(r.code, r.stderr).toBe(0);
      expect(bad.requests.map((q) => q.path)).toContain('/.well-known/oauth-protected-resource/mcp');
    } finally {
      await bad.close();
    }
  });

  test.each([
    ['no-s256', /S256|PKCE|code challenge/i],
    ['wrong-iss', /iss|issuer/i],
    ['issuer-mismatch', /issuer/i],
    ['plain-http-as', /over plain http.*requires HTTPS/s],
  ] as const)('%s: refused, exit 1, nothing stored, no stack trace', async (mode, message) => {
    const bad = await startOAuthServer(mode);
    try {
      const r = await run(s, ['auth', 'login', bad.url, '--name', 'bad', '--timeout', '10']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at .*\.(c?js|ts):\d+/);
      expect(tokensOf('bad')).toEqual([]);
      expect(bad.requests.filter((q) => q.path === '/token')).toEqual([]);
    } finally {
      await bad.close();
    }
  });

  test('the browser never comes back: a clear timeout, exit 1', async () => {
    const bad = await startOAuthServer('never-redirect');
    try {
      const t0 = Date.now();
      const r = await run(s, ['auth', 'login', bad.url, '--name', 'slow', '--browser-timeout', '2']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/No answer from the browser within 2 s/);
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      await bad.close();
    }
  });

  test('Ctrl-C while waiting for the browser: "no token was stored", exit 130', async () => {
    const bad = await startOAuthServer('never-redirect');
    try {
      const c = spawn(process.execPath, [BIN, 'auth', 'login', bad.url, '--name', 'slow'], {
        env: { ...s.env, MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: `${process.execPath} ${FOLLOW}` },
      });
      let stderr = '';
      const done = new Promise<number | null>((resolve) => c.on('close', resolve));
      await new Promise<void>((resolve) => c.stderr.on('data', (d) => ((stderr += d), stderr.includes('Waiting') && resolve())));
      c.kill('SIGINT');
      expect(await done).toBe(130);
      expect(stderr).toMatch(/Cancelled; no token was stored/);
      const stored = JSON.parse(fs.readFileSync(s.file('.config/mcpwire/credentials.json'), 'utf8')).credentials.slow;
      expect(stored.tokens).toEqual({}); // the client registration is kept for the next login; no token
      expect(Object.keys(stored.clients)).toHaveLength(1);
    } finally {
      await bad.close();
    }
  });

  test('a server that cannot be reached: says so, exit 1', async () => {
    const r = await run(s, ['auth', 'login', 'http://127.0.0.1:9/mcp', '--name', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9\/mcp\b/);
    expect(r.stderr).toMatch(/fix: .*HTTPS_PROXY/);
  });

  test('a registration is done again when its redirect URI can no longer be used (port taken)', async () => {
    srv.setLifetime(1);
    expect((await run(s, ['auth', 'login', srv.url, '--name', 'demo'])).code).toBe(0);
    const first = creds().demo.clients[srv.issuer];
    const port = Number(new URL(first.redirect_uris[0]).port);
    srv.expireRefreshTokens(); // the next login must sign in again
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const again = await run(s, ['auth', 'login', 'demo', '--timeout', '10']);
      expect(again.code, again.stderr).toBe(0);
    } finally {
      squatter.close();
    }
    const second = creds().demo.clients[srv.issuer];
    expect(second.client_id).not.toBe(first.client_id);
    expect(Number(new URL(second.redirect_uris[0]).port)).not.toBe(port);
    expect(srv.requests.filter((r) => r.path === '/register')).toHaveLength(2);
  });

  test('--verbose shows no token either, not even in a failure', async () => {
    srv.setLifetime(30);
    await run(s, ['auth', 'login', srv.url, '--name', 'demo', '--verbose']);
    const t = creds().demo.tokens[srv.issuer];
    const outs = [await run(s, ['auth', 'status', '--verbose']), await run(s, ['tools', 'demo', '--verbose'])];
    srv.expireRefreshTokens();
    const failed = await run(s, ['auth', 'token', 'demo', '--verbose']);
    expect(failed.code).toBe(1);
    for (const o of [...outs, failed]) {
      for (const secret of [t.access_token, t.refresh_token]) {
        expect(o.stdout).not.toContain(secret);
        expect(o.stderr).not.toContain(secret);
      }
    }
  });

  test('a registration the server purged is done again at the next login', async () => {
    expect((await run(s, ['auth', 'login', srv.url, '--name', 'demo'])).code).toBe(0);
    const first = creds().demo.clients[srv.issuer].client_id;
    srv.purgeClients();
    const again = await run(s, ['auth', 'login', srv.url, '--name', 'demo', '--timeout', '10']);
    expect(again.code, again.stderr).toBe(0);
    expect(creds().demo.clients[srv.issuer].client_id).not.toBe(first);
  });
});
