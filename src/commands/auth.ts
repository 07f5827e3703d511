/** `mcpwire auth login` and `mcpwire tools`: an authenticated session from the terminal. */
import { UserError } from '../errors.js';
import { openSession, type Session } from '../auth/session.js';
import { openCredentialStore } from '../auth/store/index.js';
import type { AuthRecord } from '../auth/provider.js';
import { currentTokens, freshAccessToken, revokeAtServer } from '../auth/tokens.js';
import { validateName } from '../servers.js';
import { resolveServer } from './mcp.js';
import type { Context } from './context.js';

export interface SessionFlags {
  name?: string;
  account?: string;
  env?: string;
  port?: string;
  browser?: boolean; // commander: --no-browser sets false
  timeout?: string;
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  json?: boolean;
}

function numberFlag(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`${flag} ${raw} is not a whole number from ${min} to ${max}.`, { fix: `Pass ${flag} with a number from ${min} to ${max}.` });
  return n;
}

async function session(ctx: Context, server: string | undefined, o: SessionFlags): Promise<{ s: Session; name: string; url: string; storeKind: string }> {
  const spec = resolveServer(ctx, { server, name: o.name, account: o.account, env: o.env });
  const store = await openCredentialStore({ platform: ctx.platform, announce: (line) => ctx.io.err(line) });
  const s = await openSession({
    platform: ctx.platform,
    io: ctx.io,
    store,
    name: spec.name,
    url: spec.url,
    port: numberFlag(o.port, '--port', 1, 65535),
    noBrowser: o.browser === false,
    timeoutMs: (numberFlag(o.timeout, '--timeout', 1, 86_400) ?? 300) * 1000,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    clientMetadataUrl: o.clientMetadataUrl,
    version: process.env.MCPWIRE_VERSION ?? '0.1.0',
  });
  ctx.state.update((st) => {
    st.servers[spec.name] ??= { name: spec.name, url: spec.url, addedAt: new Date(ctx.platform.now()).toISOString() };
  });
  return { s, name: spec.name, url: spec.url, storeKind: store.kind };
}

export async function authLogin(ctx: Context, server: string | undefined, o: SessionFlags): Promise<number> {
  const { s, name, url, storeKind } = await session(ctx, server, o);
  try {
    const rec: AuthRecord = s.provider.record;
    const t = rec.tokens[rec.issuer ?? ''];
    const expiresAt = t?.expires_in ? new Date(t.obtainedAt + Number(t.expires_in) * 1000).toISOString() : undefined;
    if (o.json) ctx.io.json({ name, url, loggedIn: Boolean(t), issuer: rec.issuer || undefined, expiresAt, scopes: t?.scope?.split(' ').filter(Boolean) ?? [], store: storeKind });
    else ctx.io.out(t ? `Logged in to ${name} (${url}); the token is in the ${storeKind === 'keychain' ? 'OS keychain' : 'credentials file'}${expiresAt ? `, valid until ${expiresAt}` : ''}.` : `${name} (${url}) needs no login: it answered without one.`);
    return 0;
  } finally {
    await s.close();
  }
}

export async function toolsCommand(ctx: Context, server: string | undefined, o: SessionFlags & { call?: string; args?: string }): Promise<number> {
  let args: Record<string, unknown> = {};
  if (o.args !== undefined) {
    try {
      args = JSON.parse(o.args) as Record<string, unknown>;
    } catch {
      throw new UserError(`--args is not JSON: ${o.args}`, { fix: `Pass the tool's arguments as a JSON object, e.g. --args '{"id": 42}'.` });
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new UserError('--args must be a JSON object.', { fix: `e.g. --args '{"id": 42}'` });
  }
  const { s } = await session(ctx, server, o);
  try {
    const { tools } = await s.run('tools/list', () => s.client.listTools());
    if (!o.call) {
      if (o.json) ctx.io.json({ tools: tools.map((t) => ({ name: t.name, description: t.description })) });
      else for (const t of tools) ctx.io.out(`${t.name}${t.description ? `  ${ctx.io.style.dim(t.description.split('\n')[0])}` : ''}`);
      return 0;
    }
    const name = o.call;
    const result = await s.run(`tools/call ${name}`, () => s.client.callTool({ name, arguments: args }));
    if (o.json) ctx.io.json(result);
    else {
      for (const c of (result.content ?? []) as Array<{ type: string; text?: string }>) ctx.io.out(c.type === 'text' ? (c.text ?? '') : JSON.stringify(c));
    }
    return result.isError ? 1 : 0;
  } finally {
    await s.close();
  }
}

async function store(ctx: Context) {
  return openCredentialStore({ platform: ctx.platform, announce: (line) => ctx.io.err(line) });
}

/** `auth status [NAME] [--json]`: every login, its server, whether it holds a token, expiry, scopes, store. */
export async function authStatus(ctx: Context, name: string | undefined, o: { json?: boolean }): Promise<number> {
  const s = await store(ctx);
  const names = name ? [validateName(name)] : await s.list();
  const accounts = [];
  for (const n of names) {
    const rec = (await s.get(n)) as AuthRecord | undefined;
    const t = rec && currentTokens(rec);
    accounts.push({
      name: n,
      url: rec?.url,
      loggedIn: Boolean(t),
      expiresAt: t?.expiresAt !== undefined ? new Date(t.expiresAt).toISOString() : undefined,
      expired: t?.expiresAt !== undefined ? t.expiresAt <= ctx.platform.now() : undefined,
      refreshable: Boolean(t?.refresh_token),
      scopes: t?.scope?.split(' ').filter(Boolean) ?? [],
      issuer: rec?.issuer || undefined,
      store: s.kind,
    });
  }
  if (o.json) {
    ctx.io.json({ accounts, store: { kind: s.kind, location: s.location } });
    return name && !accounts[0]?.loggedIn ? 1 : 0;
  }
  if (accounts.length === 0) ctx.io.out('No logins. Log in with: mcpwire auth login SERVER');
  for (const a of accounts) {
    const state = !a.loggedIn ? ctx.io.style.bad('not logged in') : a.expired ? ctx.io.style.warn(a.refreshable ? 'expired (refreshes on use)' : 'expired') : ctx.io.style.ok('logged in');
    ctx.io.out(`${a.name}  ${a.url ?? '?'}  ${state}${a.expiresAt ? `  until ${a.expiresAt}` : ''}${a.scopes.length ? `  scopes: ${a.scopes.join(' ')}` : ''}`);
  }
  ctx.io.out(ctx.io.style.dim(`tokens: ${s.location}`));
  if (name && !accounts[0]?.loggedIn) {
    ctx.io.err(`fix: mcpwire auth login ${name}`);
    return 1;
  }
  return 0;
}

/** `auth token NAME`: a valid access token on stdout (refreshed first when it expires within a minute). */
export async function authToken(ctx: Context, name: string | undefined, _o: object): Promise<number> {
  const s = await store(ctx);
  const names = await s.list();
  const which = name ?? (names.length === 1 ? names[0] : undefined);
  if (!which) throw new UserError(names.length ? 'Which login? Several are stored.' : 'No logins stored.', { fix: names.length ? `Pass one of: ${names.join(', ')}` : 'Log in with: mcpwire auth login SERVER' });
  ctx.io.out(await freshAccessToken(ctx.platform, s, validateName(which)));
  return 0;
}

/** `auth logout [NAME] [--all]`: revoke at the server when it offers an endpoint, then forget the tokens. */
export async function authLogout(ctx: Context, name: string | undefined, o: { all?: boolean; json?: boolean }): Promise<number> {
  const s = await store(ctx);
  const stored = await s.list();
  const names = o.all ? stored : name ? [validateName(name)] : stored.length === 1 ? stored : [];
  if (names.length === 0 && !o.all) {
    throw new UserError(stored.length ? 'Which login? Several are stored.' : 'No logins stored.', { fix: stored.length ? `Pass one of: ${stored.join(', ')} (or --all)` : 'Nothing to do.' });
  }
  const results = [];
  for (const n of names) {
    const rec = (await s.get(n)) as AuthRecord | undefined;
    const revoked = rec ? await revokeAtServer(rec) : 'no-endpoint';
    const removed = await s.delete(n);
    results.push({ name: n, removed, revoked });
    if (!o.json) {
      ctx.io.out(removed ? `Logged out of ${n}${revoked === 'revoked' ? ' (tokens revoked at the server)' : revoked === 'failed' ? ' (the server did not confirm the revocation)' : ''}.` : `${n}: no login stored.`);
    }
  }
  if (o.json) ctx.io.json({ logouts: results });
  return 0;
}

export { runCommand } from './run.js';
