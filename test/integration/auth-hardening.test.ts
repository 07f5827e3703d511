/**
 * Issue 7, points 4, 6 and 7 for `auth` and `tools`, with the real CLI against real servers on
 * 127.0.0.1 (./oauth-server.ts):
 * - every network step has a timeout that names the server and the step (a server that accepts the
 *   connection and never answers, one step at a time), and a URL that is not an MCP endpoint says so;
 * - the loopback listener: a foreign Host gets 400, a callback with another state gets 400 and the
 *   login goes on, the callback page escapes what the server sent, the terminal shows it printable;
 * - `auth status NAME` never logged in, `auth logout` with nothing stored, the keychain note.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ROOT, runCli, scratch, startPendingLogin, waitUntil, type Scratch } from './cli-harness.js';
import { HOSTILE_DESCRIPTION, HOSTILE_ERROR, startOAuthServer, type HangStep, type OAuthServer } from './oauth-server.js';

const FOLLOW = path.join(ROOT, 'test', 'integration', 'conformance', 'follow-redirects.cjs');
const RECORD_PAGE = path.join(ROOT, 'test', 'integration', 'record-page.cjs');

const run = (s: Scratch, args: string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: s.cwd, env: { ...s.env, MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: `${process.execPath} ${FOLLOW}`, ...env } });

let srv: OAuthServer;
let s: Scratch;
beforeEach(async () => {
  srv = await startOAuthServer();
  s = scratch();
});
afterEach(() => srv.close());

const credsFile = () => s.file('.config/mcpwire/credentials.json');
const creds = () => (fs.existsSync(credsFile()) ? JSON.parse(fs.readFileSync(credsFile(), 'utf8')).credentials : {});
const STACK = /\n\s+at .*\.(c?js|ts):\d+/;

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

describe('every network step has a timeout that names the server and the step', () => {
  const origin = () => new URL(srv.url).origin;
  test.each([
    ['resource-metadata', 'MCP server', 'protected resource metadata'],
    ['as-metadata', 'authorization server', 'authorization server metadata'],
    ['register', 'authorization server', 'dynamic registration'],
    ['token', 'authorization server', 'token request'],
    ['mcp', 'MCP server', 'MCP request server/discover'],
  ] as const)('auth login, %s never answers: exit 1 within seconds, "%s … (%s)"', async (step: HangStep, server, label) => {
    srv.hang(step);
    const t0 = Date.now();
    // 2 s, not 1: the steps before the hanging one must not time out on a loaded CI machine.
    const r = await run(s, ['auth', 'login', srv.url, '--name', 'slow', '--timeout', '2']);
    const ms = Date.now() - t0;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`mcpwire: Timed out after 2 s waiting for the ${server} ${origin()} (${label}).`);
    expect(r.stderr).toMatch(/fix: .*--timeout SECONDS/);
    expect(r.stderr).not.toMatch(STACK);
    // One timeout, not one per fallback URL: a single request was left hanging (counted, not timed: a
    // loaded machine stretches the wall clock, not the count), and no hang (each step has its 2 s).
    expect(srv.hung.length, srv.hung.join(', ')).toBe(1);
    expect(ms).toBeLessThan(20_000);
    expect(creds().slow?.tokens ?? {}).toEqual({});
  });

  test('the default is 30 s per step (said in --help), the browser wait its own flag', async () => {
    const help = (await run(s, ['auth', 'login', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--timeout <seconds> give up on a network step after this long (default 30)');
    expect(help).toContain('--browser-timeout <seconds> how long to wait for the browser sign-in (default 300)');
    const bad = await run(s, ['auth', 'login', srv.url, '--timeout', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--timeout 0 is not a whole number/);
  });

  test('a client secret is taken from an environment variable, never from the command line', async () => {
    const before = srv.requests.length;
    const help = (await run(s, ['auth', 'login', '--help'])).stdout;
    expect(help).toContain('--client-secret-env <VAR>');
    expect(help).not.toMatch(/--client-secret </);
    const onLine = await run(s, ['auth', 'login', srv.url, '--client-id', 'pre', '--client-secret', 's3cr3t-value']);
    expect(onLine.code).toBe(2);
    expect(onLine.stderr).toContain('--client-secret would put the secret on the command line');
    expect(onLine.stderr).toContain('--client-secret-env MY_SECRET');
    expect(onLine.stderr + onLine.stdout).not.toContain('s3cr3t-value');
    const unset = await run(s, ['auth', 'login', srv.url, '--client-id', 'pre', '--client-secret-env', 'MCPWIRE_TEST_UNSET_SECRET']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('--client-secret-env MCPWIRE_TEST_UNSET_SECRET: that environment variable is not set here.');
    expect(srv.requests.length).toBe(before); // refused before any network step
  });

  test('auth token: a refresh the authorization server never answers names the refresh request; the login is kept', async () => {
    srv.setLifetime(30);
    expect((await run(s, ['auth', 'login', srv.url, '--name', 'demo'])).code).toBe(0);
    const before = creds().demo.tokens[srv.issuer];
    srv.hang('token');
    const r = await run(s, ['auth', 'token', 'demo', '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Timed out after 1 s waiting for the authorization server ${srv.issuer} (refresh request).`);
    expect(r.stderr).not.toContain(before.refresh_token);
    expect(creds().demo.tokens[srv.issuer]).toEqual(before); // not forgotten: the server did not refuse it
  });

  test('tools: an expiring token whose refresh hangs fails with the refresh step, without opening a sign-in', async () => {
    srv.setLifetime(30);
    expect((await run(s, ['auth', 'login', srv.url, '--name', 'demo'])).code).toBe(0);
    srv.hang('token');
    const r = await run(s, ['tools', 'demo', '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(refresh request).');
    expect(r.stderr).not.toMatch(/Sign in to demo/);
    expect(srv.requests.filter((q) => q.path === '/authorize')).toHaveLength(1); // the first login only
  });

  test('tools: an MCP server that hangs after the login names the MCP request', async () => {
    expect((await run(s, ['auth', 'login', srv.url, '--name', 'demo'])).code).toBe(0);
    srv.hang('mcp');
    const r = await run(s, ['tools', 'demo', '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`Timed out after 1 s waiting for the MCP server ${origin()} \\(MCP request [\\w/]+\\)\\.`));
  });

  test('an MCP answer that starts a stream and then says nothing ends at the backstop (8 steps), not never', async () => {
    srv.hang('mcp-stream');
    const r = await run(s, ['tools', srv.url, '--name', 'mute', '--timeout', '1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`Timed out after 8 s waiting for the MCP server ${origin()} \\(MCP request [\\w/]+\\)\\.`));
  });

  test('auth logout: a revocation endpoint that never answers is waited for once, then the tokens are forgotten anyway', async () => {
    expect((await run(s, ['auth', 'login', srv.url, '--name', 'demo'])).code).toBe(0);
    srv.hang('revoke');
    const t0 = Date.now();
    const r = await run(s, ['auth', 'logout', 'demo', '--timeout', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(r.stdout).toContain(
      `Logged out of demo (the server did not confirm the revocation: Timed out after 1 s waiting for the authorization server ${srv.issuer} (revocation).)`,
    );
    expect(creds().demo).toBeUndefined();
    // The request reached the server (on a loaded machine this process may read it only after the
    // command has ended), and only once: nothing more arrives after it.
    const revocations = () => srv.requests.filter((q) => q.path === '/revoke');
    await waitUntil('the revocation request at the server', () => revocations().length > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(revocations()).toHaveLength(1);
  });
});

describe('a URL that is not an MCP endpoint says so, not that the authorization set-up was unsafe', () => {
  test.each([
    ['404 (an HTML page)', 404, 'text/html', '<h1>Not Found</h1>'],
    ['404', 404, 'text/plain', 'no such page'],
    ['200 (an HTML page)', 200, 'text/html; charset=utf-8', '<!doctype html><title>Welcome</title>'],
    ['501', 501, undefined, 'not implemented'],
    ['405', 405, 'text/plain', 'method not allowed'],
  ] as const)('HTTP %s', async (shown, status, type, body) => {
    srv.answerMcp(status, type, body);
    for (const args of [
      ['auth', 'login', srv.url, '--name', 'site'],
      ['tools', srv.url, '--name', 'site'],
    ]) {
      const r = await run(s, [...args, '--timeout', '5']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`mcpwire: ${srv.url} is not an MCP endpoint: HTTP ${shown} from ${new URL(srv.url).origin}; check the URL.`);
      expect(r.stderr).not.toMatch(/unsafe|authorization set-up/);
      expect(r.stderr).not.toContain(body); // the page itself is not printed
    }
    expect(creds().site).toBeUndefined();
  });
});

describe('the loopback listener and the callback page', () => {
  const pendingLogin = (name = 'demo') => startPendingLogin(s, srv.url, name);

  /** A GET with any Host header (fetch would not send a foreign one). */
  function get(url: URL, host: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: url.port, path: url.pathname + url.search, headers: { host } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  }

  /** The real browser round trip: the authorization server's redirect, then the callback. */
  async function signIn(authUrl: URL) {
    const r = await fetch(authUrl, { redirect: 'manual' });
    return fetch(r.headers.get('location')!);
  }

  test('a request whose Host is not 127.0.0.1:PORT gets 400 and does not end the login (DNS rebinding)', async () => {
    const l = await pendingLogin();
    const port = l.redirect.port;
    // A page on a rebound name (or localhost) that knows even the right state is turned away.
    for (const host of [`evil.example:${port}`, `localhost:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`]) {
      const forged = new URL(l.redirect);
      forged.searchParams.set('code', 'forged');
      forged.searchParams.set('state', l.state);
      const r = await get(forged, host);
      expect(r.status, host).toBe(400);
      expect(r.body).not.toContain('Signed in');
    }
    const ok = await signIn(l.authUrl);
    expect(ok.status).toBe(200);
    expect(await l.done, l.out().stderr).toBe(0);
    expect(l.out().stdout).toMatch(/Logged in to demo/);
  });

  test('a callback with another state gets 400 and the login goes on: the right one still signs in', async () => {
    const l = await pendingLogin();
    const forged = new URL(l.redirect);
    forged.searchParams.set('code', 'forged');
    forged.searchParams.set('state', 'not-this-sign-in');
    const bad = await get(forged, l.redirect.host);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/state mismatch/);
    const noState = new URL(l.redirect);
    noState.searchParams.set('code', 'forged');
    expect((await get(noState, l.redirect.host)).status).toBe(400);
    const ok = await signIn(l.authUrl);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/Signed in/);
    expect(await l.done, l.out().stderr).toBe(0);
    expect(l.out().stderr).toMatch(/state mismatch\) was ignored; still waiting/);
    expect(creds().demo.tokens[srv.issuer].access_token).toBeTruthy();
  });

  test('a server that answers with another state: the login waits for the right answer until the browser timeout', async () => {
    const bad = await startOAuthServer('wrong-state');
    try {
      const r = await run(s, ['auth', 'login', bad.url, '--name', 'bad', '--browser-timeout', '2']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/state mismatch\) was ignored; still waiting/);
      expect(r.stderr).toMatch(/No answer from the browser within 2 s \(1 callback with another sign-in's state ignored\); nothing was stored\./);
      expect(bad.requests.filter((q) => q.path === '/token')).toEqual([]);
    } finally {
      await bad.close();
    }
  });

  test("the callback page escapes the server's error; the terminal shows its control characters as \\xNN", async () => {
    const bad = await startOAuthServer('error-redirect');
    const pageFile = path.join(s.home, 'page.html');
    try {
      const r = await run(s, ['auth', 'login', bad.url, '--name', 'bad'], { BROWSER: `${process.execPath} ${RECORD_PAGE} ${pageFile}` });
      expect(r.code).toBe(1);
      for (let i = 0; i < 50 && !fs.existsSync(pageFile); i++) await new Promise((res) => setTimeout(res, 100));
      const page = fs.readFileSync(pageFile, 'utf8');
      expect(page).toMatch(/^400\n/);
      expect(page).not.toContain(HOSTILE_ERROR);
      expect(page).not.toContain('<img');
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page).toContain('&lt;img src=x onerror=alert(2)&gt; &amp; &quot;more&quot;');
      // The terminal: the text, with ESC and BEL shown, not obeyed.
      expect(r.stderr).toContain('The authorization server refused the sign-in: <script>alert(1)</script> (denied \\x1b]0;pwned\\x07\\x1b[2J<img');
      expect(r.stderr).not.toMatch(CONTROL);
      expect(HOSTILE_DESCRIPTION).toMatch(CONTROL); // (the test sends what it checks for)
    } finally {
      await bad.close();
    }
  });
});

describe('status, logout and the keychain note for a new user', () => {
  test('auth status NAME never logged in: "not logged in" and the login command, with the URL mcpwire knows', async () => {
    const unknown = await run(s, ['auth', 'status', 'demo']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/^demo {2}\(server URL unknown to mcpwire\) {2}not logged in$/m);
    expect(unknown.stdout).not.toMatch(/ \? /);
    expect(unknown.stderr).toContain('fix: mcpwire auth login <MCP URL> --name demo');

    // A preset's name: its URL, and `auth login pelcro` is enough (fixed: it said the URL was unknown).
    const preset = await run(s, ['auth', 'status', 'pelcro']);
    expect(preset.code).toBe(1);
    expect(preset.stdout).toMatch(/^pelcro {2}https:\/\/mcp\.pelcro\.com\/ {2}not logged in$/m);
    expect(preset.stderr).toContain('fix: mcpwire auth login pelcro');

    // mcpwire recorded the server (mcp add): its URL is shown, and `auth login demo` is enough.
    expect((await run(s, ['mcp', 'add', '--url', srv.url, '--name', 'demo', '--target', 'cursor'])).code).toBe(0);
    const known = await run(s, ['auth', 'status', 'demo']);
    expect(known.code).toBe(1);
    expect(known.stdout).toMatch(new RegExp(`^demo {2}${srv.url.replace(/[/.]/g, '\\$&')} {2}not logged in$`, 'm'));
    expect(known.stderr).toContain('fix: mcpwire auth login demo');
    const json = JSON.parse((await run(s, ['auth', 'status', 'demo', '--json'])).stdout);
    expect(json.accounts[0]).toMatchObject({ name: 'demo', url: srv.url, loggedIn: false });
    expect(json.fix).toBe('mcpwire auth login demo');

    // And the fix works as said.
    expect((await run(s, ['auth', 'login', 'demo'])).code).toBe(0);
    expect((await run(s, ['auth', 'status', 'demo'])).code).toBe(0);
  });

  test('auth status shows what the server sent (stored URL, issuer, scopes) with control characters as \\xNN', async () => {
    fs.mkdirSync(path.dirname(credsFile()), { recursive: true, mode: 0o700 });
    const rec = {
      version: 1,
      name: 'demo',
      url: 'https://mcp.example.com/\u001b[31mred',
      clients: {},
      issuer: 'iss',
      tokens: { iss: { access_token: 'secret-at', token_type: 'Bearer', scope: 'read \u001b]0;title\u0007', obtainedAt: Date.now() } },
    };
    fs.writeFileSync(credsFile(), JSON.stringify({ version: 1, credentials: { demo: rec } }), { mode: 0o600 });
    const r = await run(s, ['auth', 'status']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('https://mcp.example.com/\\x1b[31mred');
    expect(r.stdout).toContain('scopes: read \\x1b]0;title\\x07');
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).not.toContain('secret-at');
  });

  test('auth logout with nothing stored: exit 0, says there was nothing to log out of', async () => {
    const none = await run(s, ['auth', 'logout']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('Nothing to log out of: no logins are stored.\n');
    expect(JSON.parse((await run(s, ['auth', 'logout', '--json'])).stdout)).toEqual({ logouts: [] });
    expect((await run(s, ['auth', 'logout', '--all'])).code).toBe(0);
    const named = await run(s, ['auth', 'logout', 'demo']);
    expect(named.code).toBe(0);
    expect(named.stdout).toMatch(/demo: no login stored; nothing to log out of\./);
  });

  test('no keychain reachable: the note is one short line, once', async () => {
    // No MCPWIRE_CREDENTIAL_STORE and no D-Bus session bus: the file store, announced.
    const env = { ...s.env, BROWSER: 'false', XDG_RUNTIME_DIR: s.home };
    const r = await runCli(['auth', 'status'], { cwd: s.cwd, env });
    expect(r.code).toBe(0);
    const notes = r.stderr.split('\n').filter((l) => l.includes('keychain'));
    expect(notes).toEqual([
      'mcpwire: no OS keychain (no D-Bus session bus); tokens kept in ~/.config/mcpwire/credentials.json, mode 0600. MCPWIRE_CREDENTIAL_STORE=file hides this note.',
    ]);
    expect(notes[0].length).toBeLessThanOrEqual(160);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
