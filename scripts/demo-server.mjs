// The demo's server, on 127.0.0.1 only: an OAuth 2.1 authorization server (RFC 8414 metadata, RFC 7591
// dynamic registration, PKCE S256, a consent page a person or a browser stand-in answers, refresh-token
// rotation) in front of a real MCP server (the official SDK's McpServer over Streamable HTTP) that
// takes only its own bearer tokens and announces itself with RFC 9728 resource metadata.
// Plain JavaScript with the project's own dependencies, so `npm run demo` works from a fresh clone.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const token = () => randomBytes(24).toString('base64url');

export async function startDemoServer({ user = 'demo-user' } = {}) {
  const clients = new Map(); // client_id → registration
  const pending = new Map(); // consent request id → the /authorize parameters
  const codes = new Map(); // code → { challenge, clientId, redirectUri, scope }
  const access = new Map(); // access token → expiry (ms)
  const refresh = new Map(); // refresh token → scope
  const sessions = new Map(); // MCP session id → transport
  const log = [];
  let base = '';

  const mcpServer = () => {
    const server = new McpServer({ name: 'mcpwire-demo', version: '1.0.0' });
    server.registerTool('hello', { description: 'Says hello to the signed-in user', inputSchema: {} }, async () => ({
      content: [{ type: 'text', text: `Hello, ${user}: this answer came through your MCP login.` }],
    }));
    return server;
  };

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', base);
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    let body;
    try {
      body = type.includes('json') ? (raw ? JSON.parse(raw) : {}) : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return res.writeHead(400).end();
    }
    log.push(`${req.method} ${u.pathname}`);
    const json = (status, v, headers = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(v));

    if (u.pathname.startsWith('/.well-known/oauth-protected-resource'))
      return json(200, { resource: `${base}/mcp`, authorization_servers: [base], scopes_supported: ['mcp'] });
    if (u.pathname === '/.well-known/oauth-authorization-server')
      return json(200, {
        issuer: base,
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        registration_endpoint: `${base}/register`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        authorization_response_iss_parameter_supported: true,
      });
    if (u.pathname === '/health') return json(200, { ok: true });
    if (u.pathname === '/register' && req.method === 'POST') {
      const uris = Array.isArray(body.redirect_uris) ? body.redirect_uris : [];
      if (!uris.length || !uris.every((r) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(r)))
        return json(400, { error: 'invalid_redirect_uri', error_description: 'loopback redirect URIs only' });
      const id = 'demo-client-' + token().slice(0, 10);
      clients.set(id, { ...body, client_id: id });
      return json(201, { ...body, client_id: id, client_id_issued_at: Math.floor(Date.now() / 1000) });
    }
    if (u.pathname === '/authorize' && req.method === 'GET') {
      const p = Object.fromEntries(u.searchParams);
      const client = clients.get(p.client_id);
      if (!client || !client.redirect_uris.includes(p.redirect_uri)) return res.writeHead(400).end('unknown client or redirect URI');
      if (p.response_type !== 'code' || p.code_challenge_method !== 'S256' || !p.code_challenge) return res.writeHead(400).end('PKCE S256 is required');
      const id = token();
      pending.set(id, p);
      // The consent page: what a person sees in the browser. The stand-in browser submits this form too.
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html><head><title>mcpwire demo: sign in</title></head>
<body style="font-family: system-ui; max-width: 32em; margin: 4em auto">
<h1>Allow access?</h1>
<p><b>${esc(client.client_name ?? p.client_id)}</b> asks to use the demo MCP server as <b>${esc(user)}</b>.</p>
<form method="post" action="/consent">
<input type="hidden" name="request" value="${esc(id)}">
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form></body></html>`);
    }
    if (u.pathname === '/consent' && req.method === 'POST') {
      const p = pending.get(body.request);
      pending.delete(body.request);
      if (!p) return res.writeHead(400).end('this sign-in request is unknown or was answered already');
      const back = new URL(p.redirect_uri);
      back.searchParams.set('state', p.state ?? '');
      back.searchParams.set('iss', base);
      if (body.decision !== 'allow') back.searchParams.set('error', 'access_denied');
      else {
        const code = token();
        codes.set(code, { challenge: p.code_challenge, clientId: p.client_id, redirectUri: p.redirect_uri, scope: p.scope ?? 'mcp' });
        back.searchParams.set('code', code);
      }
      return res.writeHead(302, { location: back.toString() }).end();
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      const issue = (scope) => {
        const a = token();
        const r = token();
        access.set(a, Date.now() + 3600_000);
        refresh.set(r, scope);
        return json(200, { access_token: a, token_type: 'Bearer', expires_in: 3600, refresh_token: r, scope });
      };
      if (body.grant_type === 'authorization_code') {
        const c = codes.get(body.code);
        codes.delete(body.code);
        const challenge = createHash('sha256')
          .update(body.code_verifier ?? '')
          .digest('base64url');
        if (!c || c.challenge !== challenge || c.clientId !== body.client_id || c.redirectUri !== body.redirect_uri)
          return json(400, { error: 'invalid_grant' });
        return issue(c.scope);
      }
      if (body.grant_type === 'refresh_token') {
        const scope = refresh.get(body.refresh_token);
        refresh.delete(body.refresh_token);
        if (scope === undefined) return json(400, { error: 'invalid_grant' });
        return issue(scope);
      }
      return json(400, { error: 'unsupported_grant_type' });
    }
    if (u.pathname === '/mcp') {
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const expiry = access.get(bearer);
      if (expiry === undefined || expiry <= Date.now())
        return json(
          401,
          { error: 'invalid_token' },
          { 'www-authenticate': `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp", scope="mcp"` },
        );
      const sid = req.headers['mcp-session-id'];
      let t = sid ? sessions.get(sid) : undefined;
      if (!t && req.method === 'POST' && isInitializeRequest(body)) {
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: randomUUID,
          enableJsonResponse: true,
          onsessioninitialized: (id) => sessions.set(id, created),
        });
        await mcpServer().connect(created);
        t = created;
      }
      if (!t) return res.writeHead(sid ? 404 : 400).end();
      return t.handleRequest(req, res, raw ? body : undefined);
    }
    res.writeHead(404).end();
  });
  // Idle connections stay open longer than the clients keep them (undici: 4 s): with Node's 5 s default, a
  // busy machine lets the server close a socket the client is just reusing ("other side closed").
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: `${base}/mcp`,
    base,
    log,
    close: () =>
      new Promise((r) => {
        for (const t of sessions.values()) t.close().catch(() => {});
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
