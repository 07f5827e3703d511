/**
 * The bridge's credential from the login stored by `mcpwire auth login NAME`, looked up by entry NAME
 * only (never by URL: two entries on one server are two accounts, never crossed):
 *  - an OAuth login: its access token on every request, refreshed shortly before it expires and after
 *    a 401, through `freshAccessToken` (the `auth token` code, under the same cross-process lock), so
 *    several bridges of one login refresh once; after a 401, a token another process stored meanwhile
 *    is used as is, and only the refused one is refreshed;
 *  - a static API key (`auth login NAME --api-key`), sent in the header it was stored with;
 *  - no login stored: whatever the entry configures (nothing, for a server that needs nothing);
 *  - a login for another URL than the bridge's: nothing is sent, and stderr says so.
 * The store is opened with the first request, never at start (stdin is read first), and the OAuth
 * code (in the SDK bundle) is loaded only when a refresh is due. A login made while the bridge runs
 * is picked up when the server refuses a request, without restarting the client.
 */
import { apiKeyHeaders, currentTokens, REFRESH_MARGIN_MS, storedApiKey } from '../auth/record.js';
import type { AuthRecord } from '../auth/provider.js';
import type { CredentialStore } from '../auth/store/index.js';
import type { Platform } from '../platform.js';
import { CredentialError, type Credential } from './credential.js';
import { safeUrl, type Log } from './log.js';

type Refresh = typeof import('../mcp/sdk.js').freshAccessToken;

export interface StoredLoginOptions {
  name: string;
  url: URL;
  platform: Platform;
  log: Log;
  /** What the entry itself configures (nothing, or a --header-env whose variable is unset): used when no login is stored. */
  fallback: Credential;
  /** The refresh code, loaded on first use. */
  loadRefresh(): Refresh;
  /** Network timeout of one refresh. */
  timeoutMs?: number;
}

type State =
  | { kind: 'none' }
  | { kind: 'other-url'; recorded: string }
  | { kind: 'logged-out' }
  | { kind: 'key'; headers: Record<string, string>; value: string }
  | { kind: 'oauth'; token: string; expiresAt?: number; marginMs: number };

/** Refresh this long before expiry: a minute, or a quarter of a short-lived token's life (not on every request). */
function marginFor(expiresIn: unknown): number {
  const life = Number(expiresIn) * 1000;
  return Number.isFinite(life) && life > 0 ? Math.min(REFRESH_MARGIN_MS, life / 4) : REFRESH_MARGIN_MS;
}

function sameUrl(recorded: unknown, url: URL): boolean {
  if (typeof recorded !== 'string') return false;
  try {
    return new URL(recorded).href === url.href;
  } catch {
    return false;
  }
}

/** An error from the auth code (another bundle: its UserError is another class, so it is recognised by name). */
function asUserError(e: unknown): { message: string; fix?: string } | undefined {
  return e instanceof Error && e.name === 'UserError' ? (e as Error & { fix?: string }) : undefined;
}

export function storedLogin(o: StoredLoginOptions): Credential {
  const { name, platform: p, log } = o;
  const login = `mcpwire auth login ${name}`;
  let store: Promise<CredentialStore> | undefined;
  let state: Promise<State> | undefined;
  let refreshing: Promise<void> | undefined;
  const noted = new Set<string>();
  const noteOnce = (text: string) => {
    if (noted.has(text)) return;
    noted.add(text);
    log.note(text);
  };

  // Loaded with the first request: the store code requires child_process (the keychain probe), which
  // would cost the bridge's start a few milliseconds before it reads stdin.
  const openStore = () =>
    (store ??= import('../auth/store/index.js')
      .then((m) => m.openCredentialStore({ platform: p, announce: (line) => noteOnce(line.replace(/^mcpwire: /, '')) }))
      .catch((e) => {
        store = undefined;
        throw e;
      }));

  async function look(): Promise<State> {
    let rec: AuthRecord | undefined;
    try {
      rec = (await (await openStore()).get(name)) as AuthRecord | undefined;
    } catch (e) {
      const u = asUserError(e);
      if (u) throw new CredentialError(`${name}: cannot read the stored login: ${u.message}`, u.fix ?? `Run \`${login}\` again.`);
      throw e;
    }
    lastKind = undefined;
    if (!rec) return { kind: 'none' };
    if (!sameUrl(rec.url, o.url)) {
      const recorded = typeof rec.url === 'string' ? safeUrl(new URL(rec.url)) : '(no URL)';
      noteOnce(`the login stored as ${name} is for ${recorded}, not ${safeUrl(o.url)}: sending no credential from it.`);
      return { kind: 'other-url', recorded };
    }
    const key = storedApiKey(rec);
    if (key) return { kind: (lastKind = 'key'), headers: apiKeyHeaders(key), value: key.value };
    const t = currentTokens(rec);
    if (!t) return { kind: 'logged-out' };
    return { kind: 'oauth', token: t.access_token, expiresAt: t.expiresAt, marginMs: marginFor(t.expires_in) };
  }

  let lastKind: State['kind'] | undefined;
  const current = () =>
    (state ??= look().catch((e) => {
      state = undefined; // a keychain that did not answer may answer next time
      throw e;
    }));

  /** One refresh at a time in this process; across processes, the lock in freshAccessToken. */
  function refresh(s: State & { kind: 'oauth' }, refused?: string): Promise<void> {
    refreshing ??= (async () => {
      try {
        const st = await openStore();
        const token = await o.loadRefresh()(p, st, name, o.timeoutMs ?? 30_000, { marginMs: s.marginMs, refused });
        const rec = (await st.get(name)) as AuthRecord | undefined;
        const t = rec && currentTokens(rec);
        s.token = token;
        s.expiresAt = t?.access_token === token ? t.expiresAt : undefined;
        s.marginMs = marginFor(t?.access_token === token ? t.expires_in : undefined);
      } catch (e) {
        const u = asUserError(e);
        if (!u) throw e;
        if (u.fix?.includes('auth login')) {
          // The login is gone (refused refresh token, logged out): look again next time, a new login may be there.
          state = undefined;
          throw new CredentialError(`${u.message}`, `Run \`${login}\`; the bridge uses the new login at once.`);
        }
        throw new CredentialError(u.message, u.fix ?? `Check that the authorization server is reachable, or run \`${login}\` again.`);
      }
    })().finally(() => (refreshing = undefined));
    return refreshing;
  }

  return {
    async headers() {
      const s = await current();
      switch (s.kind) {
        case 'none':
        case 'other-url':
          return o.fallback.headers();
        case 'logged-out':
          state = undefined;
          throw new CredentialError(`Not logged in to ${name}.`, `Run \`${login}\`; the bridge uses the new login at once.`);
        case 'key':
          return { ...s.headers };
        case 'oauth':
          if (s.expiresAt !== undefined && s.expiresAt - p.now() <= s.marginMs) await refresh(s);
          return { Authorization: `Bearer ${s.token}` };
      }
    },
    async refreshAfter401(refused) {
      const s = await current();
      if (s.kind === 'oauth') {
        const sent = Object.entries(refused)
          .find(([k]) => k.toLowerCase() === 'authorization')?.[1]
          ?.replace(/^Bearer /, '');
        if (sent !== undefined && sent !== s.token) return true; // refreshed meanwhile, by another request
        await refresh(s, sent);
        return true;
      }
      // No usable login when the bridge looked: one may have been stored since (a login, a new key).
      state = undefined;
      const now = await current();
      if (now.kind === 'oauth') return true;
      if (now.kind === 'key') return s.kind !== 'key' || now.value !== s.value;
      return false;
    },
    refusedFix() {
      if (lastKind === 'key') return `Store the right key: \`${login} --api-key\` (the server refused the stored one); the bridge uses it at once.`;
      return `Run \`${login}\` (the server refused the request); the bridge uses the new login at once.`;
    },
  };
}
