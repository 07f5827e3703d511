/**
 * Keeping tokens fresh and giving them back: `auth token` refreshes an access token that expires within
 * a minute, under a cross-process lock so two processes never spend the same (rotating) refresh token,
 * and stores the new pair before anything uses it. `auth logout` revokes at the server when it can.
 */
import { UserError } from '../errors.js';
import { acquireLock } from '../files/lock.js';
import { stateDir, type Platform } from '../platform.js';
import { printable } from '../ui.js';
import { findTimeout, networkFetch } from './net.js';
import { forgetTokens, type AuthRecord } from './provider.js';
import { currentTokens, storedApiKey, unexpiredAccessToken, type FreshnessOptions } from './record.js';
import type { CredentialStore } from './store/index.js';

export { currentTokens, REFRESH_MARGIN_MS, unexpiredAccessToken } from './record.js';

/**
 * The SDK's refresh (RFC 6749 6), handed in by the caller: the SDK lives in its own bundles (the
 * session's, the bridge's), so `auth status`, `auth token` with a valid token and `auth logout` never load it.
 */
export type RefreshAuthorization = typeof import('@modelcontextprotocol/client').refreshAuthorization;

const relogin = (name: string) => ({ exitCode: 1 as const, fix: `Run \`mcpwire auth login ${name}\`.` });

/**
 * A valid access token for the login NAME, refreshed under the cross-process lock when it expires
 * within the margin. `refused` (the bridge, after a 401): that token counts as spent, so a token
 * another process stored meanwhile is used as is, and only the same one is refreshed.
 */
export async function freshAccessToken(
  p: Platform,
  store: CredentialStore,
  name: string,
  timeoutMs: number,
  fresh: FreshnessOptions,
  sdk: () => RefreshAuthorization,
): Promise<string> {
  const read = async () => {
    const rec = (await store.get(name)) as AuthRecord | undefined;
    if (rec && storedApiKey(rec) && !currentTokens(rec))
      throw new UserError(`${name} uses an API key, not an OAuth login: it has no token to print.`, {
        exitCode: 1,
        fix: `\`mcpwire proxy ${name}\` sends the key; \`mcpwire auth status ${name}\` shows which header carries it.`,
      });
    if (!rec || !currentTokens(rec)) throw new UserError(`Not logged in to ${name}.`, relogin(name));
    return rec;
  };
  const first = unexpiredAccessToken(p, await read(), fresh);
  if (first) return first;
  // Another process may be refreshing this very login: one at a time, and read again once we hold the lock.
  const dir = stateDir(p);
  const lock = acquireLock(p, p.path.join(dir, 'locks', `auth-${name}.lock`), { ownerDir: dir, timeoutMs: 30_000 });
  try {
    const rec = await read();
    const again = unexpiredAccessToken(p, rec, fresh);
    if (again) return again;
    const t = currentTokens(rec)!;
    const client = rec.clients[rec.issuer ?? ''];
    if (!t.refresh_token || !client || !rec.authServerUrl) throw new UserError(`The login to ${name} has expired and cannot be refreshed.`, relogin(name));
    let next;
    try {
      const refreshAuthorization = sdk();
      next = await refreshAuthorization(rec.authServerUrl, {
        metadata: rec.authServerMetadata as Parameters<RefreshAuthorization>[1]['metadata'],
        clientInformation: client,
        refreshToken: t.refresh_token,
        resource: rec.resource,
        fetchFn: networkFetch({ timeoutMs }).fetch,
      });
    } catch (e) {
      const timeout = findTimeout(e);
      if (timeout) throw timeout.user;
      if (e instanceof UserError) throw e; // plain http to the authorization server
      const msg = printable(String((e as Error).message ?? e)).slice(0, 300);
      // The SDK's OAuthError carries the OAuth error code in `code` (its message is the description).
      if ((e as { code?: unknown }).code === 'invalid_grant' || /invalid_grant/i.test(msg)) {
        // The grant is gone at the server: forget the tokens (an access token may still pass for a few
        // seconds, but nothing can renew it), keep the registration, so the next login signs in anew.
        forgetTokens(rec);
        await store.set(name, rec as unknown as Record<string, unknown>);
        throw new UserError(`The login to ${name} has expired (the server refused the refresh token).`, relogin(name));
      }
      throw new UserError(`Could not refresh the login to ${name}: ${msg}`, { exitCode: 1 });
    }
    // A rotated refresh token is stored before it is used again; a server that does not rotate keeps the old one.
    rec.tokens[rec.issuer ?? ''] = { ...next, refresh_token: next.refresh_token ?? t.refresh_token, obtainedAt: p.now() } as AuthRecord['tokens'][string];
    await store.set(name, rec as unknown as Record<string, unknown>);
    return next.access_token;
  } finally {
    lock.release();
  }
}

/** Revoke the tokens at the server (RFC 7009) when it offers an endpoint. Returns what was revoked. */
export async function revokeAtServer(rec: AuthRecord, timeoutMs: number): Promise<{ result: 'revoked' | 'no-endpoint' | 'failed'; why?: string }> {
  const endpoint = rec.authServerMetadata?.revocation_endpoint;
  const t = currentTokens(rec);
  if (typeof endpoint !== 'string' || !t) return { result: 'no-endpoint' };
  const net = networkFetch({ timeoutMs, step: { step: 'revocation', server: 'authorization server' } });
  let why: string | undefined;
  const client = rec.clients[rec.issuer ?? ''] as { client_id?: string; client_secret?: string } | undefined;
  let ok = true;
  for (const [token, hint] of [
    [t.refresh_token, 'refresh_token'],
    [t.access_token, 'access_token'],
  ] as const) {
    if (!token) continue;
    const body = new URLSearchParams({ token, token_type_hint: hint });
    if (client?.client_id) body.set('client_id', client.client_id);
    if (client?.client_secret) body.set('client_secret', client.client_secret);
    try {
      const r = await net.fetch(endpoint, { method: 'POST', body });
      // RFC 7009 2.2.1: `unsupported_token_type` means this kind of token cannot be revoked there (JWT
      // access tokens, typically): it lapses on its own, and revoking the refresh token ended the grant.
      const refused = !r.ok && !(r.status === 400 && ((await r.json().catch(() => ({}))) as { error?: unknown }).error === 'unsupported_token_type');
      if (refused) why ??= `HTTP ${r.status} from ${new URL(endpoint).origin}`;
      ok &&= !refused;
    } catch (e) {
      why ??= findTimeout(e)?.message ?? (e instanceof UserError ? e.message : `cannot reach ${new URL(endpoint).origin}`);
      ok = false;
      if (net.timedOut) break; // the second token would wait as long again
    }
  }
  return ok ? { result: 'revoked' } : { result: 'failed', why };
}
