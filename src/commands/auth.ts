/** `mcpwire auth login` and `mcpwire tools`: an authenticated session from the terminal. */
import { UserError } from '../errors.js';
import type { Session } from '../auth/session.js';
import type { LoadBundle } from '../cli.js';
import { openCredentialStore } from '../auth/store/index.js';
import { emptyRecord, type AuthRecord } from '../auth/provider.js';
import { storedApiKey } from '../auth/record.js';
import { readSecret } from '../auth/secret.js';
import { PRESETS } from '../presets/index.js';
import { DEFAULT_NETWORK_TIMEOUT_S } from '../auth/net.js';
import { currentTokens, freshAccessToken, revokeAtServer } from '../auth/tokens.js';
import { findPreset, presetUrl, resolveServer, validateName } from '../servers.js';
import { printable } from '../ui.js';
import { VERSION } from '../version.js';
import type { Context } from './context.js';
import { parseJsonText } from '../json-text.js';
import { isoTime } from '../platform.js';

export interface SessionFlags {
  name?: string;
  account?: string;
  env?: string;
  port?: string;
  browser?: boolean; // commander: --no-browser sets false
  /** Seconds for each network step (default 30). */
  timeout?: string;
  /** Seconds to wait for the browser to come back (default 300). */
  browserTimeout?: string;
  clientId?: string;
  /** Refused: a secret on a command line is visible to every process and kept in shell history. */
  clientSecret?: string;
  clientSecretEnv?: string;
  clientMetadataUrl?: string;
  json?: boolean;
}

function numberFlag(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UserError(`${flag} ${raw} is not a whole number from ${min} to ${max}.`, { fix: `Pass ${flag} with a number from ${min} to ${max}.` });
  return n;
}

/** `--timeout S`: each network step (discovery, registration, token, MCP request), default 30 s. */
export function networkTimeoutMs(o: { timeout?: string }): number {
  return (numberFlag(o.timeout, '--timeout', 1, 3600) ?? DEFAULT_NETWORK_TIMEOUT_S) * 1000;
}

/** Server text, one line per line of it, each made printable (a tool's multi-line answer keeps its lines). */
function printableLines(text: string): string {
  return text
    .split('\n')
    .map((l) => printable(l.replace(/\r$/, '')))
    .join('\n');
}

async function session(
  ctx: Context,
  server: string | undefined,
  o: SessionFlags,
  load: LoadBundle,
): Promise<{ s: Session; name: string; url: string; storeKind: string }> {
  const spec = resolveServer(ctx, { server, name: o.name, account: o.account, env: o.env });
  const store = await openCredentialStore({ platform: ctx.platform, announce: (line) => ctx.io.err(line) });
  // The OAuth session (the MCP SDK, ~450 KB) is a bundle of its own, loaded only for a login or a session.
  const s = await load('authsession').openSession({
    platform: ctx.platform,
    io: ctx.io,
    store,
    name: spec.name,
    url: spec.url,
    port: numberFlag(o.port, '--port', 1, 65535),
    noBrowser: o.browser === false,
    timeoutMs: networkTimeoutMs(o),
    browserTimeoutMs: (numberFlag(o.browserTimeout, '--browser-timeout', 1, 86_400) ?? 300) * 1000,
    clientId: o.clientId,
    clientSecret: clientSecretFrom(ctx, o),
    clientMetadataUrl: o.clientMetadataUrl,
    version: VERSION,
  });
  ctx.state.update((st) => {
    st.servers[spec.name] ??= { name: spec.name, url: spec.url, addedAt: isoTime(ctx.platform.now()) };
  });
  return { s, name: spec.name, url: spec.url, storeKind: store.kind };
}

/** `--client-secret-env VAR`: the pre-registered client's secret, read from the environment. */
function clientSecretFrom(ctx: Context, o: SessionFlags): string | undefined {
  if (o.clientSecret !== undefined) {
    throw new UserError('--client-secret would put the secret on the command line, where other processes and the shell history see it.', {
      fix: 'Put the secret in an environment variable and pass its name: MY_SECRET=… mcpwire auth login … --client-secret-env MY_SECRET',
    });
  }
  if (o.clientSecretEnv === undefined) return undefined;
  const value = ctx.platform.env[o.clientSecretEnv];
  if (!value) {
    throw new UserError(`--client-secret-env ${printable(o.clientSecretEnv)}: that environment variable is not set here.`, {
      fix: `Set ${printable(o.clientSecretEnv)} to the client secret in this shell, or leave out --client-secret-env for a client without one.`,
    });
  }
  return value;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the bridge sets itself: a key there would break the protocol. */
const RESERVED_HEADERS = new Set(['content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'content-length', 'host']);

/**
 * `auth login NAME --api-key [--header H]`: a static key, stored like a login (keychain, by entry name)
 * and sent by `mcpwire proxy NAME`. The key is read hidden from the terminal or from stdin, never
 * taken from the command line.
 */
async function apiKeyLogin(ctx: Context, server: string | undefined, o: SessionFlags & { header?: string }): Promise<number> {
  const spec = resolveServer(ctx, { server, name: o.name, account: o.account, env: o.env });
  const preset = PRESETS.find((p) => Object.values(p.urls).includes(spec.url));
  const header = (o.header ?? preset?.apiKeyHeader ?? 'Authorization').trim();
  if (!HEADER_NAME.test(header)) {
    // Not echoed: what was passed may be the key itself ("X-API-Key: sk-…").
    throw new UserError('--header takes a header name only (letters, digits, dashes).', {
      fix: 'Pass only the name (e.g. --header X-API-Key); the key itself is typed or piped in, never put on the command line.',
    });
  }
  if (RESERVED_HEADERS.has(header.toLowerCase()))
    throw new UserError(`The bridge sets ${header} itself.`, { fix: 'Pass the header the server reads the key from (e.g. --header X-API-Key).' });
  const store = await openCredentialStore({ platform: ctx.platform, announce: (line) => ctx.io.err(line) });
  const shown = header.toLowerCase() === 'authorization' ? 'Authorization: Bearer' : header;
  const value = await readSecret(
    `API key for ${printable(spec.name)} (sent as ${shown}; not shown): `,
    'API key',
    `Type it when asked, or pipe it in: \`printf %s "$KEY" | mcpwire auth login ${spec.name} --api-key\`.`,
  );
  // A new key replaces whatever was stored under this name (an OAuth login included): the user asked for it.
  await store.set(spec.name, { ...emptyRecord(spec.name, spec.url), apiKey: { header, value } } as unknown as Record<string, unknown>);
  ctx.state.update((st) => {
    st.servers[spec.name] ??= { name: spec.name, url: spec.url, addedAt: isoTime(ctx.platform.now()) };
  });
  if (o.json) ctx.io.json({ name: spec.name, url: spec.url, loggedIn: true, apiKey: { header }, store: store.kind });
  else
    ctx.io.out(
      `Stored an API key for ${printable(spec.name)} (${printable(spec.url)}), sent as ${shown}, in the ${store.kind === 'keychain' ? 'OS keychain' : 'credentials file'}.`,
    );
  return 0;
}

export async function authLogin(
  ctx: Context,
  server: string | undefined,
  o: SessionFlags & { apiKey?: boolean; header?: string },
  load: LoadBundle,
): Promise<number> {
  if (o.apiKey) return apiKeyLogin(ctx, server, o);
  if (o.header !== undefined)
    throw new UserError('--header goes with --api-key.', {
      fix: `Run \`mcpwire auth login ${server ?? 'NAME'} --api-key --header ${o.header}\`, or leave --header out for an OAuth login.`,
    });
  const { s, name, url, storeKind } = await session(ctx, server, o, load);
  try {
    const rec: AuthRecord = s.provider.record;
    const t = rec.tokens[rec.issuer ?? ''];
    const expiresAt = t?.expires_in ? new Date(t.obtainedAt + Number(t.expires_in) * 1000).toISOString() : undefined;
    if (o.json)
      ctx.io.json({
        name,
        url,
        loggedIn: Boolean(t),
        issuer: rec.issuer || undefined,
        expiresAt,
        scopes: t?.scope?.split(' ').filter(Boolean) ?? [],
        store: storeKind,
      });
    else
      ctx.io.out(
        t
          ? `Logged in to ${printable(name)} (${printable(url)}); the token is in the ${storeKind === 'keychain' ? 'OS keychain' : 'credentials file'}${expiresAt ? `, valid until ${expiresAt}` : ''}.`
          : `${printable(name)} (${printable(url)}) needs no login: it answered without one.`,
      );
    return 0;
  } finally {
    await s.close();
  }
}

export async function toolsCommand(
  ctx: Context,
  server: string | undefined,
  o: SessionFlags & { call?: string; args?: string },
  load: LoadBundle,
): Promise<number> {
  let args: Record<string, unknown> = {};
  if (o.args !== undefined) {
    try {
      args = parseJsonText(o.args) as Record<string, unknown>;
    } catch {
      throw new UserError(`--args is not JSON: ${printable(o.args.length > 200 ? o.args.slice(0, 199) + '…' : o.args)}`, {
        fix: `Pass the tool's arguments as a JSON object, e.g. --args '{"id": 42}'.`,
      });
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args))
      throw new UserError('--args must be a JSON object.', { fix: `e.g. --args '{"id": 42}'` });
  }
  const { s } = await session(ctx, server, o, load);
  try {
    const { tools } = await s.run('tools/list', () => s.client.listTools(undefined, s.requestOptions));
    if (!o.call) {
      if (o.json) ctx.io.json({ tools: tools.map((t) => ({ name: t.name, description: t.description })) });
      else for (const t of tools) ctx.io.out(`${printable(t.name)}${t.description ? `  ${ctx.io.style.dim(printable(t.description.split('\n')[0]))}` : ''}`);
      return 0;
    }
    const name = o.call;
    const result = await s.run(`tools/call ${name}`, () => s.client.callTool({ name, arguments: args }, s.requestOptions));
    if (o.json) ctx.io.json(result);
    else {
      for (const c of (result.content ?? []) as Array<{ type: string; text?: string }>)
        ctx.io.out(c.type === 'text' ? printableLines(c.text ?? '') : JSON.stringify(c));
    }
    return result.isError ? 1 : 0;
  } finally {
    await s.close();
  }
}

async function store(ctx: Context) {
  return openCredentialStore({ platform: ctx.platform, announce: (line) => ctx.io.err(line) });
}

/** The production URL of the preset named `name` (`pelcro`), if there is one. */
function presetOf(name: string): string | undefined {
  const preset = findPreset(name);
  return preset ? presetUrl(preset) : undefined;
}

/** `auth status [NAME] [--json]`: every login, its server, whether it holds a token, expiry, scopes, store. */
export async function authStatus(ctx: Context, name: string | undefined, o: { json?: boolean }): Promise<number> {
  const s = await store(ctx);
  const names = name ? [validateName(name)] : await s.list();
  const known = name ? ctx.state.read('servers') : {};
  const accounts = [];
  for (const n of names) {
    const rec = (await s.get(n)) as AuthRecord | undefined;
    const t = rec && currentTokens(rec);
    const key = storedApiKey(rec);
    accounts.push({
      name: n,
      // Never logged in: the URL mcpwire recorded for this name, else the preset's of that name, if any.
      url: rec?.url ?? (Object.hasOwn(known, n) ? known[n].url : presetOf(n)),
      loggedIn: Boolean(t) || Boolean(key),
      // An API key: which header carries it, never its value.
      ...(key ? { apiKey: { header: key.header } } : {}),
      expiresAt: t?.expiresAt !== undefined ? new Date(t.expiresAt).toISOString() : undefined,
      expired: t?.expiresAt !== undefined ? t.expiresAt <= ctx.platform.now() : undefined,
      refreshable: Boolean(t?.refresh_token),
      scopes: t?.scope?.split(' ').filter(Boolean) ?? [],
      issuer: rec?.issuer || undefined,
      store: s.kind,
    });
  }
  const missing = name && !accounts[0]?.loggedIn ? accounts[0] : undefined;
  // The command that logs in: by name when mcpwire knows the URL, else with the URL to fill in.
  const loginFix = missing && (missing.url ? `mcpwire auth login ${name}` : `mcpwire auth login <MCP URL> --name ${name}`);
  if (o.json) {
    ctx.io.json({ accounts, store: { kind: s.kind, location: s.location }, ...(loginFix ? { fix: loginFix } : {}) });
    return missing ? 1 : 0;
  }
  if (accounts.length === 0) ctx.io.out('No logins. Log in with: mcpwire auth login SERVER');
  for (const a of accounts) {
    const state = a.apiKey
      ? ctx.io.style.ok(`API key (${printable(a.apiKey.header)})`)
      : !a.loggedIn
        ? ctx.io.style.bad('not logged in')
        : a.expired
          ? ctx.io.style.warn(a.refreshable ? 'expired (refreshes on use)' : 'expired')
          : ctx.io.style.ok('logged in');
    const where = a.url ? printable(a.url) : '(server URL unknown to mcpwire)';
    ctx.io.out(
      `${printable(a.name)}  ${where}  ${state}${a.expiresAt ? `  until ${a.expiresAt}` : ''}${a.scopes.length ? `  scopes: ${printable(a.scopes.join(' '))}` : ''}`,
    );
  }
  ctx.io.out(ctx.io.style.dim(`tokens: ${s.location}`));
  if (loginFix) {
    ctx.io.err(`fix: ${loginFix}`);
    return 1;
  }
  return 0;
}

/** `auth token NAME`: a valid access token on stdout (refreshed first when it expires within a minute). */
export async function authToken(ctx: Context, name: string | undefined, o: { timeout?: string }, load: LoadBundle): Promise<number> {
  const s = await store(ctx);
  const names = await s.list();
  const which = name ?? (names.length === 1 ? names[0] : undefined);
  if (!which)
    throw new UserError(names.length ? 'Which login? Several are stored.' : 'No logins stored.', {
      fix: names.length ? `Pass one of: ${names.join(', ')}` : 'Log in with: mcpwire auth login SERVER',
    });
  // A token that must be refreshed first loads the SDK's refresh (the session's bundle); a valid one does not.
  ctx.io.out(await freshAccessToken(ctx.platform, s, validateName(which), networkTimeoutMs(o), {}, () => load('authsession').refreshAuthorization));
  return 0;
}

/** `auth logout [NAME] [--all]`: revoke at the server when it offers an endpoint, then forget the tokens. */
export async function authLogout(ctx: Context, name: string | undefined, o: { all?: boolean; json?: boolean; timeout?: string }): Promise<number> {
  const s = await store(ctx);
  const stored = await s.list();
  const names = o.all ? stored : name ? [validateName(name)] : stored.length === 1 ? stored : [];
  if (names.length === 0 && !o.all && stored.length) {
    throw new UserError('Which login? Several are stored.', { fix: `Pass one of: ${stored.map(printable).join(', ')} (or --all)` });
  }
  if (names.length === 0) {
    // Nothing stored is the state logout aims at: success, said plainly.
    if (o.json) ctx.io.json({ logouts: [] });
    else ctx.io.out('Nothing to log out of: no logins are stored.');
    return 0;
  }
  const timeoutMs = networkTimeoutMs(o);
  const results = [];
  for (const n of names) {
    const rec = (await s.get(n)) as AuthRecord | undefined;
    const revocation = rec ? await revokeAtServer(rec, timeoutMs) : { result: 'no-endpoint' as const };
    const removed = await s.delete(n);
    results.push({ name: n, removed, revoked: revocation.result, ...(revocation.why ? { revocationError: revocation.why } : {}) });
    if (!o.json) {
      const how =
        revocation.result === 'revoked'
          ? ' (tokens revoked at the server)'
          : revocation.result === 'failed'
            ? ` (the server did not confirm the revocation: ${printable(revocation.why ?? 'no answer')})`
            : '';
      ctx.io.out(removed ? `Logged out of ${printable(n)}${how}.` : `${printable(n)}: no login stored; nothing to log out of.`);
    }
  }
  if (o.json) ctx.io.json({ logouts: results });
  return 0;
}

export { runCommand } from './run.js';
