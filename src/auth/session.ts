/**
 * An authenticated MCP session: connect over Streamable HTTP with the stored tokens; when the server
 * (or a step-up) needs the user, open the login page, wait for the loopback callback, let the SDK
 * check it and redeem the code, and retry — at most 3 authorizations per operation.
 */
import { Client, refreshAuthorization, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { ownUserError, UserError } from '../errors.js';
import type { Platform } from '../platform.js';
import { isTerminal, printable, type IO } from '../ui.js';
import { openBrowser } from './browser.js';
import { startLoopback, type Loopback } from './loopback.js';
import { findTimeout, isLoopbackHost, networkFetch, notMcpError, type NetworkFetch } from './net.js';
import { emptyRecord, registeredPort, StoredProvider, type AuthRecord } from './provider.js';
import type { CredentialStore } from './store/index.js';
import { currentTokens, freshAccessToken, unexpiredAccessToken } from './tokens.js';

// `auth token` refreshes through the SDK of this bundle (dist/authsession.cjs) when a token expires.
export { refreshAuthorization };

export interface SessionOptions {
  platform: Platform;
  io: IO;
  store: CredentialStore;
  name: string;
  url: string;
  port?: number;
  noBrowser?: boolean;
  /** Each network step (discovery, registration, token, MCP request). */
  timeoutMs: number;
  /** How long to wait for the browser to come back with the sign-in. */
  browserTimeoutMs: number;
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  version: string;
}

export interface Session {
  client: Client;
  provider: StoredProvider;
  /** Run an MCP operation, authorizing (again) when the server asks for it. */
  run<T>(label: string, op: () => Promise<T>): Promise<T>;
  /** Options for each MCP request: the network timeout, renewed by progress notifications. */
  requestOptions: { timeout: number; resetTimeoutOnProgress: boolean };
  close(): Promise<void>;
}

const MAX_AUTHORIZATIONS = 3;
/** Network steps one MCP request may hold: itself, resource metadata (2 URLs), server metadata (3), registration, token. */
const REQUEST_BACKSTOP_STEPS = 8;

/** A spinner on a terminal, one plain line otherwise. Returns the function that stops it. */
function waiting(io: IO, text: string): () => void {
  if (!isTerminal(2) || process.env.CI === 'true' || process.env.NO_COLOR) {
    io.err(text);
    return () => {};
  }
  const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
  let i = 0;
  const timer = setInterval(() => process.stderr.write(`\r${frames[i++ % frames.length]} ${text}`), 100);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\u001b[K');
  };
}

/** Read lines from stdin until stopped (stdin is left alone when it is closed, e.g. in CI). */
function readPasted(onLine: (line: string) => void): () => void {
  const stdin = process.stdin;
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) onLine(line);
    }
  };
  stdin.on('data', onData);
  stdin.on('error', () => {});
  return () => {
    stdin.off('data', onData);
    stdin.pause();
  };
}

/** Server-sent text in a message: printable, and not a page long (an HTML error page can be). */
const shown = (s: string, max = 300) => {
  const p = printable(s);
  return p.length > max ? p.slice(0, max - 1) + '…' : p;
};

/** A failure during the session as a message for a person: what happened, that nothing was stored, and the fix. */
function explain(e: unknown, o: { name: string; url: string; net: NetworkFetch; label?: string; timeoutMs: number }): UserError {
  // What the network layer saw first explains the rest: a step that timed out, a URL that is not MCP.
  const timeout = o.net.timedOut ?? findTimeout(e);
  if (timeout) return timeout.user;
  if (o.net.notMcp) return notMcpError(o.url, o.net.notMcp);
  const own = ownUserError(e); // a store's error raised in the bundle that called (setup) keeps its fix
  if (own instanceof UserError) return own;
  const err = e as Error & { code?: unknown };
  if (err?.code === 'REQUEST_TIMEOUT') {
    // The MCP request's own timeout: the headers came in time, the answer never did.
    return new UserError(
      `Timed out after ${Math.round((o.timeoutMs * REQUEST_BACKSTOP_STEPS) / 1000)} s waiting for the MCP server ${new URL(o.url).origin} (MCP request${o.label ? ` ${o.label === 'connect' ? 'initialize' : o.label}` : ''}).`,
      {
        exitCode: 1,
        fix: "Check the server's status; --timeout SECONDS allows each step more time.",
      },
    );
  }
  // A network failure, however deep the SDK wrapped it: look for a system error code in the causes.
  let code: string | undefined;
  for (let c: unknown = e, i = 0; c && i < 6 && !code; i++, c = (c as { cause?: unknown }).cause) {
    const k = (c as { code?: unknown }).code;
    if (typeof k === 'string' && /^E[A-Z]+$/.test(k)) code = k;
  }
  if (code || /fetch failed/.test(String(err?.message))) {
    return new UserError(`Cannot reach ${printable(o.url)}${code ? ` (${code})` : ''}.`, {
      exitCode: 1,
      fix: 'Check the URL and your network; behind a proxy, set HTTPS_PROXY (and NO_PROXY for local hosts).',
    });
  }
  return new UserError(`Login to ${o.name} failed: ${shown(String(err?.message ?? e))}. Nothing was stored.`, {
    exitCode: 1,
    fix: "The server's authorization set-up was refused as unsafe or unusable: tell its operator (run with --verbose for details).",
    cause: e,
  });
}

export async function openSession(o: SessionOptions): Promise<Session> {
  let stored = (await o.store.get(o.name)) as AuthRecord | undefined;
  if (stored?.url === o.url && currentTokens(stored) && !unexpiredAccessToken(o.platform, stored)) {
    // An expiring token is refreshed here, under the cross-process lock, so that the SDK never spends
    // a rotating refresh token on a 401 while another mcpwire does the same. When the refresh is
    // refused the session goes on with what is stored, and the server's 401 leads to a new sign-in.
    // A refresh that timed out is not a refusal: say so rather than sending the person to the browser.
    await freshAccessToken(o.platform, o.store, o.name, o.timeoutMs, {}, () => refreshAuthorization).catch((e) => {
      if (findTimeout(e) || (e instanceof UserError && /^Timed out/.test(e.message))) throw e;
    });
    stored = (await o.store.get(o.name)) as AuthRecord | undefined;
  }
  const record = stored && stored.url === o.url ? stored : emptyRecord(o.name, o.url);
  let loopback: Loopback;
  try {
    loopback = await startLoopback(o.port ?? registeredPort(record) ?? 0);
  } catch (e) {
    if (o.port !== undefined) throw e;
    loopback = await startLoopback(0); // the registered port is taken: register again on a free one
  }
  const provider = new StoredProvider(record, {
    redirectUri: loopback.redirectUri,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    clientMetadataUrl: o.clientMetadataUrl,
    persist: (rec) => o.store.set(o.name, rec as unknown as Record<string, unknown>),
  });
  const url = new URL(o.url);
  const net = networkFetch({ timeoutMs: o.timeoutMs, mcpUrl: url });
  // Each HTTP exchange is bounded by the fetch (which names the step). The SDK's own request timeout
  // is only a backstop, for an answer that streams and then stalls: a request can hold several bounded
  // steps (a 401 inside it runs discovery, registration or a refresh), so it gets room for all of them.
  const requestOptions = { timeout: o.timeoutMs * REQUEST_BACKSTOP_STEPS, resetTimeoutOnProgress: true };
  const fail = (e: unknown, label?: string) => explain(e, { name: o.name, url: o.url, net, label, timeoutMs: o.timeoutMs });
  let transport: StreamableHTTPClientTransport;
  let client: Client;

  const authorize = async () => {
    const authUrl = provider.pendingAuthUrl;
    if (!authUrl) throw new UserError(`${printable(o.url)} asked for authorization but gave no way to sign in.`, { exitCode: 1 });
    if (authUrl.protocol !== 'https:' && !isLoopbackHost(authUrl.hostname)) {
      throw new UserError(`Refusing to send you to the sign-in page ${authUrl.origin} over plain http. Nothing was stored.`, {
        exitCode: 1,
        fix: "Tell the server's operator; their authorization server must use https://.",
      });
    }
    provider.pendingAuthUrl = undefined;
    const callback = loopback.expect(provider.lastState ?? '', o.browserTimeoutMs, (why) => o.io.err(`(${why}; still waiting)`));
    o.io.err(`Sign in to ${printable(o.name)} in your browser: ${printable(authUrl.toString())}`);
    const opened = !o.noBrowser && (await openBrowser(authUrl.toString(), o.platform.env));
    if (!o.noBrowser && !opened) o.io.err('(could not open a browser: open the address above yourself)');
    let stopPaste = () => {};
    if (!opened) {
      // SSH, containers: the browser elsewhere cannot reach this 127.0.0.1; take the address it ended on.
      o.io.err('If the browser cannot come back here, paste the address it ended on (…/callback?code=…) and press Enter:');
      stopPaste = readPasted((line) => {
        // A wrong state is reported by expect()'s onIgnored, like a callback from the browser.
        if (loopback.deliver(line) === 'not-a-callback') o.io.err('That is not the callback address (it ends with /callback?code=…); paste it again.');
      });
    }
    // Ctrl-C while waiting: no token has been stored (a client registration may be, for next time); exit 130.
    // Installed before anything says "waiting", so an early Ctrl-C is handled too.
    let stopWaiting = () => {};
    const onInterrupt = () => {
      stopWaiting();
      o.io.err('Cancelled; no token was stored.');
      process.exit(130);
    };
    process.once('SIGINT', onInterrupt);
    stopWaiting = waiting(o.io, opened ? 'Waiting for the browser… (Ctrl-C to cancel)' : 'Waiting… (Ctrl-C to cancel)');
    let params: URLSearchParams;
    try {
      params = await callback;
    } finally {
      process.off('SIGINT', onInterrupt);
      stopWaiting();
      stopPaste();
    }
    try {
      await transport.finishAuth(params); // the SDK checks iss (RFC 9207) and redeems the code with PKCE
    } finally {
      // Only the redirect round-trip needs it: the next 401 reads the resource metadata afresh.
      await provider.invalidateCredentials('discovery');
    }
  };

  const run = async <T>(label: string, op: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (e) {
        // A step that timed out may have been swallowed by the SDK (a refresh falls back to a new sign-in): stop here.
        if (!(e instanceof UnauthorizedError) || !provider.pendingAuthUrl || net.timedOut) throw fail(e, label);
        if (attempt >= MAX_AUTHORIZATIONS) {
          throw new UserError(`${printable(label)}: ${printable(o.url)} still refused after ${MAX_AUTHORIZATIONS} sign-ins.`, {
            exitCode: 1,
            fix: 'Check that this account may use the server (scopes), then run `mcpwire auth login` again.',
          });
        }
        try {
          await authorize();
        } catch (e2) {
          throw fail(e2, label);
        }
      }
    }
  };

  const connect = async () => {
    await client?.close().catch(() => {});
    transport = new StreamableHTTPClientTransport(url, { authProvider: provider, maxStepUpRetries: MAX_AUTHORIZATIONS, fetch: net.fetch });
    client = new Client({ name: 'mcpwire', version: o.version }, { versionNegotiation: { mode: 'auto' } } as ConstructorParameters<typeof Client>[1]);
    await client.connect(transport, requestOptions);
  };

  try {
    await run('connect', connect);
  } catch (e) {
    await loopback.close();
    throw fail(e, 'initialize');
  }
  return {
    get client() {
      return client;
    },
    provider,
    run,
    requestOptions,
    close: async () => {
      await client.close().catch(() => {});
      await loopback.close();
    },
  };
}
