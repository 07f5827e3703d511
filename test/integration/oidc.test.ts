/**
 * End to end against real peers (./oidc-peer.ts): mcpwire's CLI logs in to an MCP server built with
 * `@modelcontextprotocol/sdk` whose authorization server is `oidc-provider`, through oidc-provider's own
 * login and consent pages driven in a real headless Chromium (Debian `chromium`, through
 * `playwright-core`). Checked: dynamic registration, PKCE S256 and `resource` on every request, the
 * consent page naming the resource and scope, a JWT access token whose audience is the resource, the MCP
 * server accepting it for tools/list and tools/call, and — with a 5-second token lifetime — the expired
 * token refused by the server, then refreshed (rotating, `resource` sent) by `tools` and `auth token`;
 * a spent refresh token refused (oidc-provider then revokes the grant, and mcpwire says to log in
 * again); logout revoking at the server.
 *
 * Needs /usr/bin/chromium (Debian package `chromium`, installed by .ci/install-system.sh). Without it:
 * fails when CI=true, skips otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeJwt, jwtVerify } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePortBelowEphemeral, ROOT, runCli, scratch, type Scratch } from './cli-harness.js';
import { SCOPE, startOidcPeer, type OidcPeer } from './oidc-peer.js';

const CHROMIUM = process.env.MCPWIRE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const RECORD = path.join(ROOT, 'test', 'integration', 'record-url.cjs');
const TTL = 5; // seconds an access token lives

if (!haveChromium && process.env.CI === 'true') {
  test('chromium is installed', () => {
    throw new Error(`No ${CHROMIUM}: install the Debian package chromium (bash .ci/install-system.sh, or apt-get install --no-install-recommends chromium).`);
  });
}

describe.skipIf(!haveChromium)('login end to end: oidc-provider + consent in headless Chromium + an SDK MCP server', () => {
  let peer: OidcPeer;
  let browser: Browser;
  let s: Scratch;
  let urls: string;

  beforeAll(async () => {
    peer = await startOidcPeer({ accessTokenTtl: TTL });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    s = scratch();
    urls = path.join(s.home, 'browser-urls.txt');
  });
  afterAll(async () => {
    await browser?.close();
    await peer?.close();
  });

  const run = (args: string[]) =>
    runCli(args, { cwd: s.cwd, env: { ...s.env, MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: `${process.execPath} ${RECORD} ${urls}` } });

  /** The next address mcpwire handed to the browser. */
  async function nextBrowserUrl(seen: number): Promise<string> {
    for (let i = 0; i < 300; i++) {
      const lines = fs.existsSync(urls) ? fs.readFileSync(urls, 'utf8').split('\n').filter(Boolean) : [];
      if (lines.length > seen) return lines[seen];
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('mcpwire never opened the browser');
  }

  /** Sign in as `user` on oidc-provider's login page, approve on its consent page; what the browser ends on. */
  async function signIn(url: string, user: string) {
    const page = await (await browser.newContext()).newPage();
    try {
      await page.goto(url);
      await page.fill('input[name=login]', user);
      await page.fill('input[name=password]', 'any password');
      await page.click('button[type=submit]');
      await page.waitForSelector('input[name=prompt][value=consent]', { state: 'attached' });
      const consent = await page.textContent('body');
      await page.click('button[type=submit]');
      await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
      return { consent: consent ?? '', landed: page.url(), result: (await page.textContent('body')) ?? '' };
    } finally {
      await page.context().close();
    }
  }

  const stored = () => JSON.parse(fs.readFileSync(s.file('.config/mcpwire/credentials.json'), 'utf8')).credentials.e2e;
  const tokenRequests = () => peer.asRequests.filter((r) => r.path === '/token');
  /** Use a refresh token at the token endpoint directly, as the given client. */
  const refreshAt = (refresh: string, clientId: string) =>
    fetch(`${peer.issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId, resource: peer.resource }),
    });

  test('login: registration, sign-in and consent in Chromium, a JWT for the resource, tools/list accepted', async () => {
    // A loopback port below the ephemeral range: the registration's redirect URI keeps it, and the later
    // login reuses the registration only if the port is still free. An ephemeral one could meanwhile be the
    // local end of any of the suite's connections (the login then registers again, rightly: seen in CI).
    const login = run(['auth', 'login', peer.resource, '--name', 'e2e', '--port', String(await freePortBelowEphemeral())]);
    const authUrl = new URL(await nextBrowserUrl(0));
    expect(authUrl.origin).toBe(peer.issuer);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('resource')).toBe(peer.resource);
    // The scope the resource metadata names, and offline_access (the authorization server offers it).
    expect(authUrl.searchParams.get('scope')!.split(' ').sort()).toEqual([SCOPE, 'offline_access']);

    const page = await signIn(authUrl.href, 'alice');
    expect(page.consent).toContain(peer.resource); // oidc-provider's consent page names the resource…
    expect(page.consent).toContain(SCOPE); // …and the scope asked for
    expect(page.result).toContain('Signed in'); // mcpwire's own page on the loopback
    const done = await login;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/Logged in to e2e/);

    // Dynamic registration: a public native client for exactly the loopback redirect URI used.
    expect(peer.registrations).toHaveLength(1);
    const reg = peer.registrations[0];
    expect(reg).toMatchObject({ token_endpoint_auth_method: 'none', application_type: 'native', grant_types: ['authorization_code', 'refresh_token'] });
    expect(reg.redirect_uris).toEqual([`${new URL(page.landed).origin}/callback`]);
    // The code exchange: PKCE verifier and the resource.
    expect(tokenRequests()).toHaveLength(1);
    expect(tokenRequests()[0]).toMatchObject({ status: 200, params: { grant_type: 'authorization_code', resource: peer.resource, client_id: reg.client_id } });
    expect(tokenRequests()[0].params.code_verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);

    // The access token is a JWT signed by the authorization server, for this resource, this client and alice.
    const rec = stored();
    const access = rec.tokens[peer.issuer].access_token as string;
    const { payload, protectedHeader } = await jwtVerify(access, peer.jwks, { issuer: peer.issuer, audience: peer.resource });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: 'alice', client_id: reg.client_id, scope: SCOPE });
    expect(payload.exp! - payload.iat!).toBe(TTL);
    expect(rec.tokens[peer.issuer].refresh_token).toBeTruthy();
    for (const out of [done.stdout, done.stderr]) expect(out).not.toContain(access);

    // The SDK's MCP server accepts the token for tools/list (the login itself already connected with it).
    const tools = await run(['tools', 'e2e']);
    expect(tools.code, tools.stderr).toBe(0);
    expect(tools.stdout).toMatch(/^whoami/m);
    const listed = peer.mcpRequests.filter((r) => r.method === 'tools/list');
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((r) => r.status === 200)).toBe(true);

    // doctor on the healthy server behind OAuth, with the stored login: all green, nothing spent.
    const grantsBefore = tokenRequests().length;
    const doctor = await run(['doctor', 'e2e', '--json']);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: Array<{ id: string; status: string; message: string }> };
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(doctor.code, doctor.stderr).toBe(0);
    const found = (id: string) => report.checks.find((c) => c.id === id);
    expect(found('mcp.tools')).toMatchObject({ status: 'ok', message: expect.stringMatching(/whoami/) });
    expect(found('auth.stored')).toMatchObject({ status: 'ok', message: expect.stringMatching(/refreshable/) });
    expect(found('auth.server-metadata')).toMatchObject({ status: 'ok', message: expect.stringContaining(peer.issuer) });
    expect(found('auth.pkce')?.status).toBe('ok');
    expect(tokenRequests().length).toBe(grantsBefore); // the refresh token is never spent by doctor
  });

  test('after the short lifetime the server refuses the old token; mcpwire refreshes (rotated, with the resource)', async () => {
    const before = stored().tokens[peer.issuer];
    const wait = decodeJwt(before.access_token).exp! * 1000 - Date.now() + 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    // The resource server really refuses it now (the SDK's bearer middleware: expired JWT).
    const refused = await fetch(peer.resource, {
      method: 'POST',
      headers: { authorization: `Bearer ${before.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/invalid_token/);

    const status = JSON.parse((await run(['auth', 'status', 'e2e', '--json'])).stdout).accounts[0];
    expect(status).toMatchObject({ loggedIn: true, expired: true, refreshable: true, scopes: [SCOPE] });

    const grantsBefore = tokenRequests().length;
    const call = await run(['tools', 'e2e', '--call', 'whoami']);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout.trim()).toBe('sub=alice');
    const refresh = tokenRequests().slice(grantsBefore);
    expect(refresh.map((r) => [r.params.grant_type, r.status])).toEqual([['refresh_token', 200]]);
    expect(refresh[0].params.resource).toBe(peer.resource);
    expect(fs.readFileSync(urls, 'utf8').trim().split('\n')).toHaveLength(1); // no new sign-in

    const after = stored().tokens[peer.issuer];
    expect(after.refresh_token).not.toBe(before.refresh_token); // rotated, and stored
    expect(after.access_token).not.toBe(before.access_token);
    expect((await jwtVerify(after.access_token, peer.jwks, { issuer: peer.issuer, audience: peer.resource })).payload.sub).toBe('alice');

    // `auth token` with a token that expires within a minute: refreshed again with the rotated token.
    const token = await run(['auth', 'token', 'e2e']);
    expect(token.code, token.stderr).toBe(0);
    expect(
      tokenRequests()
        .slice(grantsBefore)
        .map((r) => [r.params.grant_type, r.status]),
    ).toEqual([
      ['refresh_token', 200],
      ['refresh_token', 200],
    ]);
    expect(token.stdout.trim()).toBe(stored().tokens[peer.issuer].access_token);
  });

  test('a spent refresh token is refused; oidc-provider revokes the grant and mcpwire says to log in again', async () => {
    // Replaying an old refresh token, as a thief would: refused, and the whole grant goes with it.
    const spent = tokenRequests().filter((r) => r.params.grant_type === 'refresh_token')[0].params.refresh_token;
    expect(spent).toBeTruthy();
    const r = await refreshAt(spent, stored().clients[peer.issuer].client_id);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toBe('invalid_grant');

    // mcpwire's current refresh token died with the grant: the next refresh (the token lives 5 s, so
    // `auth token` refreshes) is refused.
    const token = await run(['auth', 'token', 'e2e']);
    expect(token.code).toBe(1);
    expect(token.stderr).toMatch(/mcpwire auth login e2e/);
    expect(token.stdout).toBe('');
    // The dead login is forgotten (its access token may pass for a few seconds more, but cannot be renewed).
    const status = JSON.parse((await run(['auth', 'status', '--json'])).stdout).accounts[0];
    expect(status).toMatchObject({ name: 'e2e', loggedIn: false });
  });

  test('log in again (the stored registration is reused), then logout revokes at the server', async () => {
    const login = run(['auth', 'login', 'e2e']);
    const url = await Promise.race([nextBrowserUrl(1), login.then((r) => Promise.reject(new Error(`login ended first: ${JSON.stringify(r)}`)))]);
    const page = await signIn(url, 'alice');
    expect(page.result).toContain('Signed in');
    const done = await login;
    expect(done.code, done.stderr).toBe(0);
    expect(peer.registrations).toHaveLength(1); // same port, same registration

    const rec = stored();
    const refresh = rec.tokens[peer.issuer].refresh_token as string;
    const out = await run(['auth', 'logout', 'e2e']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/revoked/);
    // The refresh token is revoked (and with it the grant); oidc-provider cannot revoke a JWT access
    // token and says so (RFC 7009 unsupported_token_type), which is not a failure: it lapses in 5 s.
    expect(peer.asRequests.filter((r) => r.path === '/token/revocation').map((r) => [r.params.token_type_hint, r.status])).toEqual([
      ['refresh_token', 200],
      ['access_token', 400],
    ]);
    // The refresh token no longer works at the server.
    expect((await refreshAt(refresh, rec.clients[peer.issuer].client_id)).status).toBe(400);
    expect(JSON.parse((await run(['auth', 'status', '--json'])).stdout).accounts).toEqual([]);
  });
});
