/**
 * A small OAuth authorization server + MCP resource server on 127.0.0.1 for the auth command tests:
 * RFC 9728 resource metadata, RFC 8414 metadata, dynamic registration, an /authorize that redirects at
 * once (the "browser" follows it), PKCE S256 checked, `resource` recorded, refresh-token rotation
 * (a spent refresh token is refused with invalid_grant), revocation, and a JSON-RPC MCP endpoint that
 * requires the bearer token. Every request is recorded for assertions. `hang(step)` makes one step
 * accept the request and never answer (a server that hangs); `answer` replaces the MCP endpoint's
 * answer (a URL that is not an MCP endpoint).
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';

/** Ways the server misbehaves, one at a time. */
export type Misbehaviour =
  'no-www-authenticate' | 'no-s256' | 'wrong-state' | 'wrong-iss' | 'issuer-mismatch' | 'never-redirect' | 'plain-http-as' | 'error-redirect';

/** The steps `hang()` can stall. */
export type HangStep = 'resource-metadata' | 'as-metadata' | 'register' | 'token' | 'revoke' | 'mcp' | 'mcp-stream';

/** What error-redirect sends back: markup and terminal escapes, as a hostile server could. */
export const HOSTILE_ERROR = '<script>alert(1)</script>';
export const HOSTILE_DESCRIPTION = 'denied \u001b]0;pwned\u0007\u001b[2J<img src=x onerror=alert(2)> & "more"';

export interface OAuthServer {
  url: string; // the MCP URL
  issuer: string;
  requests: Array<{ path: string; body: Record<string, string> }>;
  revoked: string[];
  /** Access tokens issued from now on live this many seconds. */
  setLifetime(seconds: number): void;
  /** Refuse every refresh token (as a server that expired them). */
  expireRefreshTokens(): void;
  /** Forget every client registration and the tokens issued to them (an old client id: invalid_client). */
  purgeClients(): void;
  /** From now on, requests of this step are accepted and never answered. */
  hang(step: HangStep): void;
  /** The paths of the requests left hanging, in order. */
  hung: string[];
  /** From now on, every POST to the MCP endpoint gets this answer instead (status, content type, body). */
  answerMcp(status: number, type: string | undefined, body: string): void;
  /** The server no longer takes any access token issued so far (refresh tokens stay good). */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

/**
 * `mcp`: serve the MCP endpoint with this handler once the bearer token checked out (the request's
 * body already read and parsed), told whose token it is: each sign-in is a new user, `user-1`,
 * `user-2`, … (kept through refreshes), so tests can tell two logins to one server apart.
 */
export interface OAuthServerOptions {
  mcp?: (req: http.IncomingMessage, res: http.ServerResponse, body: unknown, subject: string) => void | Promise<void>;
}

export async function startOAuthServer(misbehave?: Misbehaviour, opts: OAuthServerOptions = {}): Promise<OAuthServer> {
  const subjects = new Map<string, string>(); // access or refresh token (or code) → the user it was issued to
  let users = 0;
  const clients = new Set<string>();
  const requests: OAuthServer['requests'] = [];
  const revoked: string[] = [];
  const codes = new Map<string, { challenge: string; clientId: string; scope: string }>();
  const access = new Map<string, number>(); // access token → expiry (ms)
  const refresh = new Map<string, string>(); // refresh token → scope
  let lifetime = 3600;
  let refreshDead = false;
  let base = '';
  const hanging = new Set<HangStep>();
  const hung: string[] = [];
  let mcpAnswer: { status: number; type?: string; body: string } | undefined;
  const token = () => randomBytes(16).toString('hex');
  const stepOf = (path: string): HangStep | undefined =>
    path.startsWith('/.well-known/oauth-protected-resource')
      ? 'resource-metadata'
      : path === '/.well-known/oauth-authorization-server'
        ? 'as-metadata'
        : path === '/register'
          ? 'register'
          : path === '/token'
            ? 'token'
            : path === '/revoke'
              ? 'revoke'
              : path === '/mcp'
                ? 'mcp'
                : undefined;

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', base);
    const step = stepOf(u.pathname);
    if (step && hanging.has(step)) {
      requests.push({ path: u.pathname, body: {} });
      hung.push(u.pathname);
      return; // accepted, never answered
    }
    if (step === 'mcp' && hanging.has('mcp-stream') && req.method === 'POST') {
      requests.push({ path: u.pathname, body: {} });
      return res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders(); // a stream that never says anything
    }
    if (u.pathname === '/mcp' && mcpAnswer && req.method === 'POST') {
      requests.push({ path: u.pathname, body: {} });
      return res.writeHead(mcpAnswer.status, mcpAnswer.type ? { 'content-type': mcpAnswer.type } : {}).end(mcpAnswer.body);
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body: Record<string, string> = req.headers['content-type']?.includes('json')
      ? raw
        ? JSON.parse(raw)
        : {}
      : Object.fromEntries(new URLSearchParams(raw));
    requests.push({ path: u.pathname, body });
    const json = (status: number, v: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(v));

    if (u.pathname.startsWith('/.well-known/oauth-protected-resource')) {
      // plain-http-as: an authorization server elsewhere, over plain http (the name never resolves here).
      return json(200, {
        resource: `${base}/mcp`,
        authorization_servers: [misbehave === 'plain-http-as' ? 'http://auth.mcpwire-test.example' : base],
        scopes_supported: ['mcp'],
      });
    }
    if (u.pathname === '/.well-known/oauth-authorization-server') {
      return json(200, {
        issuer: misbehave === 'issuer-mismatch' ? 'https://other-issuer.example' : base,
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        registration_endpoint: `${base}/register`,
        revocation_endpoint: `${base}/revoke`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: misbehave === 'no-s256' ? ['plain'] : ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    }
    if (u.pathname === '/register') {
      const id = 'client-' + token().slice(0, 8);
      clients.add(id);
      return json(201, { ...body, client_id: id, client_id_issued_at: Math.floor(Date.now() / 1000) });
    }
    if (u.pathname === '/authorize') {
      if (misbehave === 'never-redirect') return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Sign in…</p>');
      if (misbehave === 'error-redirect') {
        const back = new URL(u.searchParams.get('redirect_uri')!);
        back.searchParams.set('error', HOSTILE_ERROR);
        back.searchParams.set('error_description', HOSTILE_DESCRIPTION);
        back.searchParams.set('state', u.searchParams.get('state') ?? '');
        return res.writeHead(302, { location: back.toString() }).end();
      }
      const code = token();
      subjects.set(code, `user-${++users}`);
      codes.set(code, {
        challenge: u.searchParams.get('code_challenge') ?? '',
        clientId: u.searchParams.get('client_id') ?? '',
        scope: u.searchParams.get('scope') ?? 'mcp',
      });
      const back = new URL(u.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', misbehave === 'wrong-state' ? 'not-the-state-you-sent' : (u.searchParams.get('state') ?? ''));
      back.searchParams.set('iss', misbehave === 'wrong-iss' ? 'https://evil.example' : base);
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (u.pathname === '/token') {
      if (body.client_id && !clients.has(body.client_id)) return json(401, { error: 'invalid_client', error_description: 'unknown client' });
      const issue = (scope: string, subject = subjects.get(body.code ?? '') ?? subjects.get(body.refresh_token ?? '') ?? 'unknown') => {
        const a = token();
        const r = token();
        access.set(a, Date.now() + lifetime * 1000);
        refresh.set(r, scope);
        subjects.set(a, subject);
        subjects.set(r, subject);
        return json(200, { access_token: a, token_type: 'Bearer', expires_in: lifetime, refresh_token: r, scope });
      };
      if (body.grant_type === 'authorization_code') {
        const c = codes.get(body.code);
        codes.delete(body.code);
        const challenge = createHash('sha256')
          .update(body.code_verifier ?? '')
          .digest('base64url');
        if (!c || c.challenge !== challenge) return json(400, { error: 'invalid_grant' });
        return issue(c.scope);
      }
      if (body.grant_type === 'refresh_token') {
        const scope = refresh.get(body.refresh_token);
        refresh.delete(body.refresh_token); // rotation: a refresh token is spent once
        if (scope === undefined || refreshDead) return json(400, { error: 'invalid_grant', error_description: 'refresh token expired or spent' });
        return issue(scope);
      }
      return json(400, { error: 'unsupported_grant_type' });
    }
    if (u.pathname === '/revoke') {
      revoked.push(body.token);
      access.delete(body.token);
      refresh.delete(body.token);
      return res.writeHead(200).end();
    }
    if (u.pathname === '/mcp') {
      const auth = req.headers.authorization ?? '';
      const expiry = access.get(auth.replace(/^Bearer /, ''));
      if (expiry === undefined || expiry <= Date.now()) {
        const challenge: Record<string, string> =
          misbehave === 'no-www-authenticate'
            ? {}
            : { 'www-authenticate': `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp", scope="mcp"` };
        return json(401, { error: 'invalid_token' }, challenge);
      }
      if (opts.mcp) return opts.mcp(req, res, raw ? body : undefined, subjects.get(auth.replace(/^Bearer /, '')) ?? 'unknown');
      if (req.method === 'GET') return res.writeHead(405).end(); // no standalone stream
      const msg = body as unknown as { id?: number; method: string; params?: { protocolVersion?: string } };
      if (msg.id === undefined) return res.writeHead(202).end();
      const reply = (result: unknown) => json(200, { jsonrpc: '2.0', id: msg.id, result });
      if (msg.method === 'initialize')
        return reply({ protocolVersion: msg.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'test', version: '1' } });
      if (msg.method === 'tools/list') return reply({ tools: [{ name: 'whoami', description: 'who the token belongs to', inputSchema: { type: 'object' } }] });
      if (msg.method === 'tools/call') return reply({ content: [{ type: 'text', text: 'you are logged in' }] });
      return json(200, { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'method not found' } });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: `${base}/mcp`,
    issuer: base,
    requests,
    revoked,
    setLifetime: (s) => (lifetime = s),
    expireRefreshTokens: () => (refreshDead = true),
    purgeClients: () => {
      clients.clear();
      access.clear();
      refresh.clear();
    },
    hang: (step) => hanging.add(step),
    hung,
    answerMcp: (status, type, body) => (mcpAnswer = { status, type, body }),
    expireAccessTokens: () => access.clear(),
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections(); // hanging requests included
      }),
  };
}
