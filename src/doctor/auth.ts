/**
 * Authorization as a client meets it, through the SDK's own discovery (what `auth login` runs, with a
 * recording fetch to say which URL answered): the 401 challenge, the protected resource metadata (RFC
 * 9728, and which fallback found it), the authorization server's metadata (RFC 8414 / OpenID) and its
 * issuer, S256, how a client can register; then mcpwire's stored login (store, expiry, scopes, refreshable: read only,
 * the refresh token is never spent), the loopback port its registration depends on, and the clock
 * against the server's Date.
 */
import net from 'node:net';
import type { IssuerMismatchError, OAuthProtectedResourceMetadata } from '@modelcontextprotocol/client';
import { registeredPort, type AuthRecord } from '../auth/provider.js';
import { currentTokens, storedApiKey, apiKeyHeaders } from '../auth/record.js';
import type { CredentialStore } from '../auth/store/common.js';
import { isObject } from '../mcp/jsonrpc.js';
import { META, MODERN_VERSIONS } from '../mcp/versions.js';
import { printable } from '../ui.js';
import { fail, ok, sh, warn, type Where } from './engine.js';
import { describeFetchError, lastOf, recordingFetch, type Recorder } from './http.js';
import type { DoctorCheck } from './types.js';

/** How each client takes a pre-registered client id, for a server that offers no way to register. */
const CLIENT_ID_HOWTO =
  'mcpwire: `mcpwire auth login NAME --client-id ID`; Claude Code: `claude mcp add --transport http --client-id ID NAME URL`; Codex: `oauth.client_id` under [mcp_servers.NAME]; VS Code: `"oauth": {"clientId": ID}` in the entry; Cursor and Windsurf: none (use the bridge: `mcpwire mcp add NAME --target cursor` after `mcpwire auth login`)';

/** A Bearer (or DPoP) challenge, with or without parameters: the SDK's parser tells only what it names. */
const CHALLENGE = /^\s*(bearer|dpop)\b/i;

export interface AuthProbeOptions {
  url: string;
  name: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** The stored record (for a registration mcpwire already holds). */
  record?: AuthRecord;
}

/** The 200 answer the SDK took (the last GET that succeeded), and what it was. */
const answered = (rec: Recorder, from: number) => lastOf(rec.log.slice(from), (x) => x.method === 'GET' && x.status === 200 && x.json !== undefined);

const describeStep = (u: URL) =>
  u.pathname.includes('/.well-known/oauth-protected-resource')
    ? 'protected resource metadata'
    : /\/\.well-known\/(oauth-authorization-server|openid-configuration)/.test(u.pathname)
      ? 'authorization server metadata'
      : 'a request';

export async function probeAuth(w: Where, o: AuthProbeOptions): Promise<{ checks: DoctorCheck[]; date?: string }> {
  const checks: DoctorCheck[] = [];
  // Loaded on first use (see probeMcp): the same functions `auth login` runs.
  const {
    checkResourceAllowed,
    discoverAuthorizationServerMetadata,
    discoverOAuthProtectedResourceMetadata,
    extractWWWAuthenticateParams,
    IssuerMismatchError,
    resourceUrlFromServerUrl,
    StreamableHTTPClientTransport,
  } = await import('./sdk.js');
  const rec = recordingFetch({ timeoutMs: o.timeoutMs, signal: o.signal, describe: describeStep });
  const url = new URL(o.url);
  // The request a client sends first, without a credential: the SDK's version probe, as `auth login` sends it.
  const transport = new StreamableHTTPClientTransport(url, { fetch: rec.fetch });
  const version = MODERN_VERSIONS[0];
  try {
    await transport.start();
    await transport.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'server/discover',
      params: { _meta: { [META.protocolVersion]: version, [META.clientInfo]: { name: 'mcpwire-doctor', version: '1' }, [META.clientCapabilities]: {} } },
    } as Parameters<typeof transport.send>[0]);
  } catch {
    /* the recording says what happened */
  } finally {
    void transport.close().catch(() => {});
  }
  const first = rec.log[0];
  const date = rec.date();
  if (!first || first.status === undefined) {
    const why = first?.error !== undefined ? describeFetchError(first.error) : 'nothing was sent';
    return { checks: [fail(w, 'auth.challenge', `no answer to a request without a credential: ${why.replace(/^server\/discover: /, '')}`)] };
  }
  if (first.status !== 401) {
    checks.push(ok(w, 'auth.challenge', `no login asked for (HTTP ${first.status} to a request without a credential)`));
    return { checks, date };
  }
  const header = first.headers?.get('www-authenticate') ?? null;
  const challenge = extractWWWAuthenticateParams(new Response(null, { status: 401, headers: first.headers }));
  if (challenge.resourceMetadataUrl) {
    checks.push(
      ok(w, 'auth.challenge', `401 with a Bearer challenge naming its resource metadata${challenge.scope ? ` (scope "${printable(challenge.scope)}")` : ''}`),
    );
  } else {
    checks.push(
      warn(
        w,
        'auth.challenge',
        header && CHALLENGE.test(header)
          ? '401 with a Bearer challenge that names no resource_metadata: clients fall back to the well-known URLs'
          : '401 without a Bearer WWW-Authenticate challenge: clients must guess where the metadata is',
        'Tell the server\'s operator: the 401 should carry WWW-Authenticate: Bearer resource_metadata="…" (RFC 9728).',
      ),
    );
  }

  // RFC 9728, as the SDK looks: the challenge's URL alone when it names one, else the path-specific
  // well-known URL, then the root one.
  const prmFrom = rec.log.length;
  let prm: OAuthProtectedResourceMetadata | undefined;
  try {
    prm = await discoverOAuthProtectedResourceMetadata(url, { resourceMetadataUrl: challenge.resourceMetadataUrl }, rec.fetch);
  } catch (e) {
    // Not found, refused, or not valid metadata: said below from what was fetched.
    if (o.signal.aborted) throw e;
  }
  const prmAt = answered(rec, prmFrom);
  if (!prm) {
    const tried = rec.log.slice(prmFrom);
    const timedOut = tried.find((x) => x.error !== undefined);
    const invalid = prmAt ? ` (the document at ${printable(prmAt.url)} is not valid RFC 9728 metadata)` : '';
    // No Bearer challenge and no metadata: the server shows no sign of OAuth at all. It most likely takes
    // a static key, which is a way to sign in, not a broken OAuth set-up.
    const noOAuth = !timedOut && !prmAt && !(header && CHALLENGE.test(header));
    checks.push(
      noOAuth
        ? warn(
            w,
            'auth.resource-metadata',
            'no OAuth discovery (no Bearer challenge, no RFC 9728 metadata): clients cannot sign in by themselves; the server likely takes a static key',
            `mcpwire auth login ${sh(o.name)} --api-key (the bridge sends it), or --header-env for clients that read their environment`,
          )
        : fail(
            w,
            'auth.resource-metadata',
            timedOut
              ? describeFetchError(timedOut.error) // it names the step: "protected resource metadata: no answer within 5 s"
              : `no protected resource metadata (RFC 9728) at ${tried.map((x) => printable(x.url)).join(' nor ') || 'any URL a client tries'}${invalid}: clients cannot find the authorization server`,
            "Tell the server's operator: serve /.well-known/oauth-protected-resource (RFC 9728).",
          ),
    );
    return { checks, date };
  }
  const prmHow =
    challenge.resourceMetadataUrl && prmAt?.url === challenge.resourceMetadataUrl.href
      ? 'from the 401 challenge'
      : prmAt && new URL(prmAt.url).pathname !== '/.well-known/oauth-protected-resource'
        ? 'at the path-specific well-known URL (fallback)'
        : 'at the root well-known URL (fallback)';
  const servers = prm.authorization_servers ?? [];
  if (servers.length === 0) {
    checks.push(fail(w, 'auth.resource-metadata', `resource metadata ${prmHow} names no authorization server`, "Tell the server's operator."));
    return { checks, date };
  }
  // The resource must cover this URL (the SDK's check: login refuses otherwise); an exact match is what strict clients want.
  const covered = checkResourceAllowed({ requestedResource: resourceUrlFromServerUrl(url), configuredResource: prm.resource });
  const exact = prm.resource.replace(/\/$/, '') === o.url.replace(/\/$/, '');
  const line = `resource metadata found ${prmHow}: authorization server ${printable(servers[0])}`;
  checks.push(
    !covered
      ? fail(
          w,
          'auth.resource-metadata',
          `${line} (resource ${printable(prm.resource)} does not cover this URL: login refuses it)`,
          "Tell the server's operator: the metadata's resource must be the MCP URL.",
        )
      : exact
        ? ok(w, 'auth.resource-metadata', line)
        : warn(w, 'auth.resource-metadata', `${line} (resource ${printable(prm.resource)} is not the URL: strict clients refuse it)`),
  );

  // RFC 8414, then OpenID Connect discovery, as the SDK tries them; it checks the issuer (RFC 8414 §3.3).
  const asFrom = rec.log.length;
  let meta: Record<string, unknown> | undefined;
  let mismatch: IssuerMismatchError | undefined;
  try {
    meta = (await discoverAuthorizationServerMetadata(servers[0], { fetchFn: rec.fetch })) as Record<string, unknown> | undefined;
  } catch (e) {
    if (o.signal.aborted) throw e;
    if (e instanceof IssuerMismatchError) mismatch = e;
    else {
      checks.push(
        fail(
          w,
          'auth.server-metadata',
          `authorization server metadata for ${printable(servers[0])}: ${printable(describeFetchError(e).replace(/^authorization server metadata: /, ''))}`,
          "Tell the server's operator.",
        ),
      );
      return { checks, date };
    }
  }
  const metaAt = answered(rec, asFrom);
  if (mismatch) {
    // Refused by the SDK, as by every client; the document it read still says what else is wrong.
    meta = metaAt && isObject(metaAt.json) ? metaAt.json : {};
    checks.push(
      fail(
        w,
        'auth.server-metadata',
        `the metadata at ${printable(metaAt?.url ?? servers[0])} names issuer ${mismatch.received ? printable(mismatch.received) : '(none)'}, not ${printable(servers[0])}: clients refuse it (RFC 8414 §3.3)`,
        "Tell the server's operator: the issuer must equal the authorization server's URL.",
      ),
    );
  } else if (!meta) {
    checks.push(
      fail(
        w,
        'auth.server-metadata',
        `no authorization server metadata for ${printable(servers[0])} (RFC 8414 nor OpenID discovery)`,
        "Tell the server's operator.",
      ),
    );
    return { checks, date };
  } else checks.push(ok(w, 'auth.server-metadata', `authorization server metadata at ${printable(metaAt?.url ?? servers[0])}, issuer matches`));
  if (!meta) return { checks, date };
  const issuer = typeof meta.issuer === 'string' ? meta.issuer : undefined;
  const methods = Array.isArray(meta.code_challenge_methods_supported) ? meta.code_challenge_methods_supported : [];
  checks.push(
    methods.includes('S256')
      ? ok(w, 'auth.pkce', 'PKCE S256 supported')
      : fail(
          w,
          'auth.pkce',
          'the authorization server does not advertise PKCE S256: MCP clients refuse to log in',
          "Tell the server's operator (code_challenge_methods_supported must list S256).",
        ),
  );
  const ways: string[] = [];
  if (issuer && o.record?.clients?.[issuer]) ways.push('a registration mcpwire already holds');
  if (typeof meta.registration_endpoint === 'string') ways.push('dynamic registration');
  if (meta.client_id_metadata_document_supported === true) ways.push('Client ID Metadata Documents');
  checks.push(
    ways.length
      ? ok(w, 'auth.registration', `clients can register: ${ways.join(', ')}`)
      : warn(
          w,
          'auth.registration',
          'no dynamic registration and no Client ID Metadata Document: each client needs a pre-registered client id',
          CLIENT_ID_HOWTO.replace(/NAME/g, o.name),
        ),
  );
  return { checks, date };
}

/** The stored login, read only. Returns the headers it provides (for tools/list) when it can be used as is. */
export async function checkStored(
  w: Where,
  o: { name: string; url: string; store: CredentialStore; now: number; needsLogin?: boolean },
): Promise<{ checks: DoctorCheck[]; headers: Record<string, string>; record?: AuthRecord; source?: string; apiKey?: boolean }> {
  const rec = (await o.store.get(o.name)) as AuthRecord | undefined;
  const where = o.store.kind === 'keychain' ? 'the OS keychain' : `the file ${o.store.location}`;
  if (!rec) return { checks: [ok(w, 'auth.stored', 'no mcpwire login stored (needed only by bridge entries)')], headers: {} };
  const other = rec.url && rec.url.replace(/\/$/, '') !== o.url.replace(/\/$/, '') ? rec.url : undefined;
  if (other)
    return {
      checks: [
        warn(
          w,
          'auth.stored',
          `the login stored as ${sh(o.name)} is for ${printable(other)}, not this URL: it is not used`,
          `mcpwire auth login ${sh(o.name)}`,
        ),
      ],
      headers: {},
      record: rec,
    };
  const key = storedApiKey(rec);
  const t = currentTokens(rec);
  if (key && !t)
    return {
      checks: [ok(w, 'auth.stored', `API key stored in ${where} (sent as ${printable(key.header)})`)],
      headers: apiKeyHeaders(key),
      record: rec,
      source: 'the stored API key',
      apiKey: true,
    };
  if (!t)
    return {
      checks: [warn(w, 'auth.stored', `logged out (a registration is kept in ${where}, no tokens)`, `mcpwire auth login ${sh(o.name)}`)],
      headers: {},
      record: rec,
    };
  const scopes = t.scope ? `, scopes: ${printable(t.scope)}` : '';
  const refresh = t.refresh_token ? 'refreshable' : 'no refresh token';
  if (t.expiresAt !== undefined && t.expiresAt <= o.now) {
    const msg = `logged in (${where}), but the access token expired at ${new Date(t.expiresAt).toISOString()}; ${refresh}${scopes}`;
    return {
      checks: [
        t.refresh_token
          ? warn(w, 'auth.stored', msg, `mcpwire auth token ${sh(o.name)} >/dev/null`)
          : fail(w, 'auth.stored', msg, `mcpwire auth login ${sh(o.name)}`),
      ],
      headers: {},
      record: rec,
    };
  }
  const until =
    t.expiresAt !== undefined ? `until ${new Date(t.expiresAt).toISOString()} (${Math.round((t.expiresAt - o.now) / 60_000)} min)` : 'no expiry given';
  return {
    checks: [ok(w, 'auth.stored', `logged in (${where}), ${until}, ${refresh}${scopes}`)],
    headers: { Authorization: `Bearer ${t.access_token}` },
    record: rec,
    source: 'the stored login',
  };
}

/** The fixed loopback port a stored registration was made for must be free, or the next login fails. */
export function checkLoopbackPort(w: Where, rec: AuthRecord | undefined, name: string): Promise<DoctorCheck[]> {
  const port = registeredPort(rec);
  if (port === undefined) return Promise.resolve([]);
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', (e: NodeJS.ErrnoException) =>
      resolve([
        warn(
          w,
          'auth.loopback-port',
          `the loopback port ${port} the stored registration was made for is in use (${e.code}): the next login cannot receive its redirect`,
          `Stop what listens on 127.0.0.1:${port}, or register anew: mcpwire auth logout ${sh(name)} && mcpwire auth login ${sh(name)}`,
        ),
      ]),
    );
    s.listen(port, '127.0.0.1', () => s.close(() => resolve([ok(w, 'auth.loopback-port', `loopback port ${port} (of the stored registration) is free`)])));
  });
}

/** The server's clock against ours: beyond a minute, token expiry is computed wrong somewhere. */
export function checkClock(w: Where, date: string | undefined, now: number): DoctorCheck[] {
  if (!date) return [];
  const theirs = Date.parse(date);
  if (!Number.isFinite(theirs)) return [];
  const skew = Math.round((now - theirs) / 1000);
  if (Math.abs(skew) <= 60) return [ok(w, 'auth.clock', `clock agrees with the server's Date (${skew >= 0 ? '+' : ''}${skew} s)`)];
  return [
    warn(
      w,
      'auth.clock',
      `this clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the server's Date: token expiry is misjudged`,
      'Turn on network time (timedatectl set-ntp true, or your OS clock settings).',
    ),
  ];
}
