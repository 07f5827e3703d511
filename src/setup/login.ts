/**
 * setup's credential step, through the auth code `auth login` uses: an OAuth session (which reuses a
 * valid stored login, refreshes an expiring one, and connects without any login when the server asks
 * for none), or a static API key kept in the credential store under the entry name.
 */
import { UserError } from '../errors.js';
import type { Context } from '../commands/context.js';
import { printable } from '../ui.js';

/** `store`: where the credential is (the OS keychain, or the 0600 credentials file). */
export type LoginOutcome =
  | { kind: 'oauth'; result: 'existing' | 'logged-in'; store: 'keychain' | 'file' }
  | { kind: 'none'; result: 'not-needed' }
  | { kind: 'api-key'; result: 'existing' | 'stored'; header: string; store: 'keychain' | 'file' };

export interface OAuthLoginOptions {
  name: string;
  url: string;
  noBrowser: boolean;
  port?: number;
  timeoutMs: number;
  browserTimeoutMs: number;
  version: string;
  /**
   * The OAuth session (src/auth/session.ts, on the MCP SDK): the CLI loads it from its own bundle, and
   * only when the stored login is not valid as it is.
   */
  session: () => SessionModule | Promise<SessionModule>;
}

export type SessionModule = Pick<typeof import('../auth/session.js'), 'openSession'>;

export async function oauthLogin(ctx: Context, o: OAuthLoginOptions): Promise<LoginOutcome> {
  const [{ openCredentialStore }, { currentTokens, unexpiredAccessToken }] = await Promise.all([import('../auth/store/index.js'), import('../auth/record.js')]);
  const store = await openCredentialStore({ platform: ctx.platform, announce: (line) => ctx.io.err(line) });
  type Rec = Parameters<typeof currentTokens>[0];
  const before = (await store.get(o.name)) as Rec | undefined;
  // A valid login for this URL is used as it is: no session, no network (doctor checks the server).
  if (before?.url === o.url && unexpiredAccessToken(ctx.platform, before) !== undefined) return { kind: 'oauth', result: 'existing', store: store.kind };
  // Connecting is the probe: an expiring login is refreshed, a 401 leads to the sign-in, an open server needs none.
  const { openSession } = await o.session();
  const { session: _, ...opts } = o;
  const s = await openSession({ platform: ctx.platform, io: ctx.io, store, ...opts });
  try {
    const rec = s.provider.record;
    if (!currentTokens(rec)) return { kind: 'none', result: 'not-needed' };
    // A sign-in started (the provider made an authorization `state`): logged in now; else a refresh sufficed.
    return { kind: 'oauth', result: s.provider.lastState === undefined ? 'existing' : 'logged-in', store: store.kind };
  } finally {
    await s.close();
  }
}

/**
 * The API key: kept when one is stored for this name and URL (replace it with `auth login NAME
 * --api-key`), otherwise read hidden from the terminal or from stdin and stored.
 */
export async function apiKeyLogin(
  ctx: Context,
  o: { name: string; url: string; header: string; canAsk: boolean; ask?: (question: string) => Promise<string> },
): Promise<LoginOutcome> {
  const [{ openCredentialStore }, { storedApiKey }, { emptyRecord }, { readSecret }] = await Promise.all([
    import('../auth/store/index.js'),
    import('../auth/record.js'),
    import('../auth/provider.js'),
    import('../auth/secret.js'),
  ]);
  const store = await openCredentialStore({ platform: ctx.platform, announce: (line) => ctx.io.err(line) });
  const before = (await store.get(o.name)) as Parameters<typeof storedApiKey>[0];
  const had = before?.url === o.url ? storedApiKey(before) : undefined;
  if (had && had.header.toLowerCase() === o.header.toLowerCase()) return { kind: 'api-key', result: 'existing', header: had.header, store: store.kind };
  const fix = `Pipe it in: \`printf %s "$KEY" | mcpwire setup … --api-key\`, or store it first with \`mcpwire auth login ${o.name} --api-key\`.`;
  // readSecret reads stdin to its end when it is not a terminal; on a terminal it asks (hidden).
  if (!o.canAsk && process.stdin.isTTY) throw new UserError(`No API key is stored for ${printable(o.name)} and this run may not ask for one.`, { fix });
  const shown = o.header.toLowerCase() === 'authorization' ? 'Authorization: Bearer' : o.header;
  const question = `API key for ${printable(o.name)} (sent as ${shown}; not shown)`;
  // On a terminal with setup's questions open: a masked question like the others; else read hidden or piped.
  const value = o.ask ? checkKey(await o.ask(question)) : await readSecret(`${question}: `, 'API key', fix);
  await store.set(o.name, { ...emptyRecord(o.name, o.url), apiKey: { header: o.header, value } } as unknown as Record<string, unknown>);
  return { kind: 'api-key', result: 'stored', header: o.header, store: store.kind };
}

/** A key typed at setup's masked question: one line, no control characters (as readSecret checks a typed one). */
function checkKey(raw: string): string {
  const value = raw.trim();
  if (value === '') throw new UserError('No API key was given.', { fix: 'Type the key, or pipe it in with --api-key.' });
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new UserError('The API key holds a line break or a control character.', { fix: 'Give the API key alone, on one line.' });
  return value;
}
