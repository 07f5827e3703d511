/**
 * Authorization as a client meets it: the 401 challenge, the protected resource metadata (RFC 9728, and
 * which fallback found it), the authorization server's metadata (RFC 8414 / OpenID) and its issuer, S256,
 * how a client can register; then mcpwire's stored login (store, expiry, scopes, refreshable: read only,
 * the refresh token is never spent), the loopback port its registration depends on, and the clock
 * against the server's Date.
 */
import net from 'node:net';
import { registeredPort, type AuthRecord } from '../auth/provider.js';
import { currentTokens, storedApiKey, apiKeyHeaders } from '../auth/record.js';
import type { CredentialStore } from '../auth/store/common.js';
import { isObject } from '../mcp/jsonrpc.js';
import { META, MODERN_VERSIONS } from '../mcp/versions.js';
import { printable } from '../ui.js';
import { fail, ok, sh, warn, type Where } from './engine.js';
import { describeFetchError, exchange } from './http.js';
import type { DoctorCheck } from './types.js';

/** How each client takes a pre-registered client id, for a server that offers no way to register. */
const CLIENT_ID_HOWTO =
  'mcpwire: `mcpwire auth login NAME --client-id ID`; Claude Code: `claude mcp add --transport http --client-id ID NAME URL`; Codex: `oauth.client_id` under [mcp_servers.NAME]; VS Code: `"oauth": {"clientId": ID}` in the entry; Cursor and Windsurf: none (use the bridge: `mcpwire mcp add NAME --target cursor` after `mcpwire auth login`)';

interface Challenge {
  resourceMetadata?: string;
  scope?: string;
}

export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header || !/^\s*bearer\b/i.test(header)) return undefined;
  const param = (k: string) => new RegExp(`${k}\\s*=\\s*(?:"([^"]*)"|([^\\s,]+))`, 'i').exec(header);
  const rm = param('resource_metadata');
  const sc = param('scope');
  return { resourceMetadata: rm ? (rm[1] ?? rm[2]) : undefined, scope: sc ? (sc[1] ?? sc[2]) : undefined };
}

export interface AuthProbeOptions {
  url: string;
  name: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** The stored record (for a registration mcpwire already holds). */
  record?: AuthRecord;
}

export async function probeAuth(w: Where, o: AuthProbeOptions): Promise<{ checks: DoctorCheck[]; date?: string }> {
  const checks: DoctorCheck[] = [];
  const get = (url: string, what: string) => exchange(url, { timeoutMs: o.timeoutMs, signal: o.signal, what, headers: { accept: 'application/json' } });
  // The request a client sends first, without a credential.
  const version = MODERN_VERSIONS[0];
  let first;
  try {
    first = await exchange(o.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': version,
        'mcp-method': 'server/discover',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'server/discover',
        params: { _meta: { [META.protocolVersion]: version, [META.clientInfo]: { name: 'mcpwire-doctor', version: '1' }, [META.clientCapabilities]: {} } },
      }),
      timeoutMs: o.timeoutMs,
      signal: o.signal,
      what: 'a request without a credential',
      id: 1,
    });
  } catch (e) {
    return { checks: [fail(w, 'auth.challenge', `no answer to a request without a credential: ${describeFetchError(e)}`)] };
  }
  const date = first.headers.get('date') ?? undefined;
  if (first.status !== 401) {
    checks.push(ok(w, 'auth.challenge', `no login asked for (HTTP ${first.status} to a request without a credential)`));
    return { checks, date };
  }
  const challenge = parseChallenge(first.headers.get('www-authenticate'));
  const origin = new URL(o.url).origin;
  const path = new URL(o.url).pathname.replace(/\/$/, '');
  const candidates: Array<{ url: string; how: string }> = [];
  if (challenge?.resourceMetadata) {
    checks.push(
      ok(w, 'auth.challenge', `401 with a Bearer challenge naming its resource metadata${challenge.scope ? ` (scope "${printable(challenge.scope)}")` : ''}`),
    );
    candidates.push({ url: challenge.resourceMetadata, how: 'from the 401 challenge' });
  } else {
    checks.push(
      warn(
        w,
        'auth.challenge',
        challenge
          ? '401 with a Bearer challenge that names no resource_metadata: clients fall back to the well-known URLs'
          : '401 without a Bearer WWW-Authenticate challenge: clients must guess where the metadata is',
        'Tell the server\'s operator: the 401 should carry WWW-Authenticate: Bearer resource_metadata="…" (RFC 9728).',
      ),
    );
  }
  if (path) candidates.push({ url: `${origin}/.well-known/oauth-protected-resource${path}`, how: 'at the path-specific well-known URL (fallback)' });
  candidates.push({ url: `${origin}/.well-known/oauth-protected-resource`, how: 'at the root well-known URL (fallback)' });

  let prm: Record<string, unknown> | undefined;
  let prmHow = '';
  for (const c of candidates) {
    try {
      const x = await get(c.url, 'protected resource metadata');
      if (x.status === 200 && isObject(x.json)) {
        prm = x.json;
        prmHow = c.how;
        break;
      }
    } catch (e) {
      if (o.signal.aborted) throw e;
    }
  }
  if (!prm) {
    // No Bearer challenge and no metadata: the server shows no sign of OAuth at all. It most likely takes
    // a static key, which is a way to sign in, not a broken OAuth set-up.
    checks.push(
      challenge
        ? fail(
            w,
            'auth.resource-metadata',
            'no protected resource metadata (RFC 9728) at any of the URLs a client tries: clients cannot find the authorization server',
            "Tell the server's operator: serve /.well-known/oauth-protected-resource (RFC 9728).",
          )
        : warn(
            w,
            'auth.resource-metadata',
            'no OAuth discovery (no Bearer challenge, no RFC 9728 metadata): clients cannot sign in by themselves; the server likely takes a static key',
            `mcpwire auth login ${sh(o.name)} --api-key (the bridge sends it), or --header-env for clients that read their environment`,
          ),
    );
    return { checks, date };
  }
  const servers = Array.isArray(prm.authorization_servers) ? prm.authorization_servers.filter((s): s is string => typeof s === 'string') : [];
  const resource = typeof prm.resource === 'string' ? prm.resource : undefined;
  const resourceNote =
    resource && resource.replace(/\/$/, '') !== o.url.replace(/\/$/, '') ? ` (resource ${printable(resource)} is not the URL: strict clients refuse it)` : '';
  if (servers.length === 0) {
    checks.push(fail(w, 'auth.resource-metadata', `resource metadata ${prmHow} names no authorization server`, "Tell the server's operator."));
    return { checks, date };
  }
  checks.push(
    (resourceNote ? warn : ok)(w, 'auth.resource-metadata', `resource metadata found ${prmHow}: authorization server ${printable(servers[0])}${resourceNote}`),
  );

  // RFC 8414, then OpenID Connect discovery (path-inserted, then path-appended), as the SDK tries them.
  const as = new URL(servers[0]);
  const asPath = as.pathname.replace(/\/$/, '');
  const asCandidates = [
    `${as.origin}/.well-known/oauth-authorization-server${asPath}`,
    `${as.origin}/.well-known/openid-configuration${asPath}`,
    ...(asPath ? [`${as.origin}${asPath}/.well-known/openid-configuration`] : []),
  ];
  let meta: Record<string, unknown> | undefined;
  let metaUrl = '';
  for (const u of asCandidates) {
    try {
      const x = await get(u, 'authorization server metadata');
      if (x.status === 200 && isObject(x.json)) {
        meta = x.json;
        metaUrl = u;
        break;
      }
    } catch (e) {
      if (o.signal.aborted) throw e;
    }
  }
  if (!meta) {
    checks.push(
      fail(
        w,
        'auth.server-metadata',
        `no authorization server metadata for ${printable(servers[0])} (RFC 8414 nor OpenID discovery)`,
        "Tell the server's operator.",
      ),
    );
    return { checks, date };
  }
  const issuer = typeof meta.issuer === 'string' ? meta.issuer : undefined;
  if (!issuer || issuer.replace(/\/$/, '') !== servers[0].replace(/\/$/, '')) {
    checks.push(
      fail(
        w,
        'auth.server-metadata',
        `the metadata at ${printable(metaUrl)} names issuer ${issuer ? printable(issuer) : '(none)'}, not ${printable(servers[0])}: clients refuse it (RFC 8414 §3.3)`,
        "Tell the server's operator: the issuer must equal the authorization server's URL.",
      ),
    );
  } else checks.push(ok(w, 'auth.server-metadata', `authorization server metadata at ${printable(metaUrl)}, issuer matches`));
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
