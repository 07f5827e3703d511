/**
 * Real peers for the end-to-end login test, both on 127.0.0.1, neither written by us:
 *
 * - an authorization server: `oidc-provider` (panva), with dynamic client registration, its own
 *   login and consent pages (devInteractions), PKCE, RFC 8707 resource indicators issuing JWT access
 *   tokens whose audience is the MCP server, refresh tokens that rotate (a spent one is refused and
 *   revokes the grant, as oidc-provider does), revocation, and a short access-token lifetime;
 * - an MCP server: `@modelcontextprotocol/sdk`'s McpServer over Streamable HTTP behind the SDK's
 *   `requireBearerAuth`, verifying the JWT (signature against the authorization server's JWKS, issuer,
 *   audience = this resource, `at+jwt`), with its RFC 9728 metadata from `mcpAuthMetadataRouter`.
 *
 * Every request to either is recorded (path, status, the OAuth parameters) for assertions.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { getOAuthProtectedResourceMetadataUrl, mcpAuthMetadataRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { OAuthMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import express from 'express';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWTPayload } from 'jose';
import Provider, { errors } from 'oidc-provider';

export const SCOPE = 'mcp:tools';

export interface OidcPeer {
  issuer: string;
  /** The MCP server's URL, which is also the resource (the access tokens' audience). */
  resource: string;
  /** The public keys the access tokens are signed with. */
  jwks: ReturnType<typeof createLocalJWKSet>;
  /** Requests to the authorization server: path, status and the OAuth parameters it parsed. */
  asRequests: Array<{ method: string; path: string; status: number; params: Record<string, string> }>;
  /** Requests to the MCP server: the bearer token (if any), status and JSON-RPC method. */
  mcpRequests: Array<{ token?: string; status: number; method?: string }>;
  /** Dynamic client registrations, in order. */
  registrations: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function startOidcPeer(o: { accessTokenTtl: number }): Promise<OidcPeer> {
  const asServer = http.createServer();
  const mcpServer = http.createServer();
  const issuer = `http://127.0.0.1:${await listen(asServer)}`;
  const resource = `http://127.0.0.1:${await listen(mcpServer)}/mcp`;

  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'e2e-key';
  const signing = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] });

  const asRequests: OidcPeer['asRequests'] = [];
  const mcpRequests: OidcPeer['mcpRequests'] = [];
  const registrations: OidcPeer['registrations'] = [];

  const provider = new Provider(issuer, {
    jwks: { keys: [signing] },
    cookies: { keys: ['mcpwire-e2e-cookie-key'] },
    scopes: ['openid', 'offline_access', SCOPE],
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    features: {
      devInteractions: { enabled: true }, // oidc-provider's own login and consent pages
      registration: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return { scope: SCOPE, audience: resource, accessTokenTTL: o.accessTokenTtl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    // A refresh token for every client allowed the grant (not only with offline_access), rotated on every use.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: { AccessToken: o.accessTokenTtl, AuthorizationCode: 60, Grant: 3600, Interaction: 600, RefreshToken: 3600, Session: 3600 },
  });
  provider.on('registration_create.success', (_ctx, client) => registrations.push(client.metadata()));
  provider.use(async (ctx, next) => {
    await next();
    const params = ctx.oidc?.params ? Object.fromEntries(Object.entries(ctx.oidc.params).filter(([, v]) => typeof v === 'string')) : {};
    asRequests.push({ method: ctx.method, path: ctx.path, status: ctx.status, params: params as Record<string, string> });
  });
  asServer.on('request', provider.callback());

  // The MCP server: its resource metadata names the authorization server; /mcp needs a valid JWT.
  const oauthMetadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as OAuthMetadata;
  const verifier = {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, { issuer, audience: resource, typ: 'at+jwt' }));
      } catch (e) {
        throw new InvalidTokenError(`invalid token: ${(e as Error).message}`);
      }
      return {
        token,
        clientId: String(payload.client_id),
        scopes: String(payload.scope ?? '')
          .split(' ')
          .filter(Boolean),
        expiresAt: payload.exp,
        resource: new URL(String(payload.aud)),
        extra: { sub: payload.sub },
      };
    },
  };
  const app = express();
  app.use(mcpAuthMetadataRouter({ oauthMetadata, resourceServerUrl: new URL(resource), scopesSupported: [SCOPE], resourceName: 'mcpwire e2e' }));
  app.use('/mcp', (req, res, next) => {
    const auth = req.headers.authorization;
    res.on('finish', () =>
      mcpRequests.push({ token: auth?.replace(/^Bearer /i, ''), status: res.statusCode, method: (req.body as { method?: string } | undefined)?.method }),
    );
    next();
  });
  app.use(express.json());
  const bearer = requireBearerAuth({
    verifier,
    requiredScopes: [SCOPE],
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(new URL(resource)),
    expectedResource: new URL(resource),
  });
  app.post('/mcp', bearer, async (req, res) => {
    // Stateless: one server and transport per request.
    const server = new McpServer({ name: 'e2e', version: '1.0.0' });
    server.registerTool('whoami', { description: 'Who the token says you are' }, async (extra) => ({
      content: [{ type: 'text', text: `sub=${(extra.authInfo?.extra as { sub?: string } | undefined)?.sub}` }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.all('/mcp', bearer, (_req, res) => {
    res.status(405).set('Allow', 'POST').end();
  });
  mcpServer.on('request', app);

  return {
    issuer,
    resource,
    jwks,
    asRequests,
    mcpRequests,
    registrations,
    close: async () => {
      for (const s of [asServer, mcpServer]) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
    },
  };
}
