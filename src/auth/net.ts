/**
 * Every request mcpwire's OAuth and MCP code sends goes through one fetch, which
 * - bounds each network step (discovery, registration, token, refresh, revocation, MCP request) by a
 *   timeout: headers and body of an ordinary response, headers of an event stream (a stalled stream is
 *   the MCP request timeout's business), so a server that accepts the connection and never answers
 *   cannot hang a command;
 * - names the server and the step when it gives up ("Timed out after 30 s waiting for the
 *   authorization server https://… (token request)");
 * - notices when the MCP URL is not an MCP endpoint at all (404, 405, 501, an HTML page), so the error
 *   says "check the URL" rather than blaming the server's authorization set-up;
 * - refuses plain http to an authorization server (loopback hosts excepted, for local development).
 */
import { UserError } from '../errors.js';
import { isLoopbackHost } from '../servers.js';
import { printable } from '../ui.js';

export const DEFAULT_NETWORK_TIMEOUT_S = 30;

/** What a request is for, and which kind of server answers it. */
export interface Step {
  step: string;
  server: 'MCP server' | 'authorization server' | 'server';
}

/**
 * A network step that ran out of time. A TypeError, as fetch's own network failures are: the SDK lets
 * those through its discovery fallbacks instead of trying the next URL (and waiting as long again).
 */
export class NetworkTimeout extends TypeError {
  readonly user: UserError;
  constructor(
    readonly origin: string,
    readonly what: Step,
    readonly seconds: number,
  ) {
    super(`Timed out after ${seconds} s waiting for the ${what.server} ${origin} (${what.step}).`);
    this.name = 'NetworkTimeout';
    this.user = new UserError(this.message, {
      exitCode: 1,
      fix: `Check your network and the server's status; --timeout SECONDS allows each step more time (default ${DEFAULT_NETWORK_TIMEOUT_S}).`,
    });
  }
}

/** The NetworkTimeout somewhere in an error's causes (the SDK wraps what fetch throws). */
export function findTimeout(e: unknown): NetworkTimeout | undefined {
  for (let c: unknown = e, i = 0; c && i < 8; i++, c = (c as { cause?: unknown }).cause) {
    if (c instanceof NetworkTimeout) return c;
  }
  return undefined;
}

/** The answer of a URL that is not an MCP endpoint. */
export interface NotMcp {
  status: number;
  origin: string;
  html: boolean;
}

export function notMcpError(url: string, v: NotMcp): UserError {
  return new UserError(`${printable(url)} is not an MCP endpoint: HTTP ${v.status}${v.html ? ' (an HTML page)' : ''} from ${v.origin}; check the URL.`, {
    exitCode: 1,
    fix: "Use the server's MCP endpoint URL, as its documentation gives it (it often ends in /mcp).",
  });
}

export { isLoopbackHost };

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return '';
}

/** What a request of the OAuth flow or the MCP session is for, from its URL, method and body. */
export function classify(u: URL, init: RequestInit | undefined, mcpUrl: URL | undefined): Step {
  const path = u.pathname;
  if (path.includes('/.well-known/oauth-protected-resource')) return { step: 'protected resource metadata', server: 'MCP server' };
  if (path.includes('/.well-known/oauth-authorization-server') || path.includes('/.well-known/openid-configuration'))
    return { step: 'authorization server metadata', server: 'authorization server' };
  const body = bodyText(init?.body);
  if ((init?.method ?? 'GET').toUpperCase() === 'POST') {
    const grant = /(?:^|&)grant_type=([^&]*)/.exec(body)?.[1];
    if (grant) return { step: grant === 'refresh_token' ? 'refresh request' : 'token request', server: 'authorization server' };
    if (/^\s*\{[\s\S]*"redirect_uris"/.test(body)) return { step: 'dynamic registration', server: 'authorization server' };
  }
  if (mcpUrl && u.origin === mcpUrl.origin && u.pathname === mcpUrl.pathname) {
    const method = /"method"\s*:\s*"([\w/.-]{1,60})"/.exec(body)?.[1];
    return { step: method ? `MCP request ${method}` : 'MCP request', server: 'MCP server' };
  }
  return { step: 'request', server: 'server' };
}

export interface NetworkOptions {
  timeoutMs: number;
  /** The MCP server's URL: plain http is allowed to it (the user named it), and its answers are checked. */
  mcpUrl?: URL;
  /** The step, when the caller knows it better than the URL does (revocation). */
  step?: Step;
}

/** The fetch of one command: what went wrong first is kept, for the error the person sees. */
export interface NetworkFetch {
  fetch: typeof fetch;
  /** The first step that timed out, if any. */
  timedOut?: NetworkTimeout;
  /** The MCP URL answered like something else (404, 405, 501, an HTML page). */
  notMcp?: NotMcp;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

export function networkFetch(o: NetworkOptions): NetworkFetch {
  const seconds = Math.round(o.timeoutMs / 1000);
  const net: NetworkFetch = {
    fetch: async (input, init) => {
      const u = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      if (u.protocol === 'http:' && u.origin !== o.mcpUrl?.origin && !isLoopbackHost(u.hostname)) {
        throw new UserError(
          `Refusing to talk to the authorization server ${u.origin} over plain http: the MCP authorization spec requires HTTPS. Nothing was stored.`,
          {
            exitCode: 1,
            fix: "Tell the server's operator; their authorization server must use https://.",
          },
        );
      }
      const what = o.step ?? classify(u, init, o.mcpUrl);
      const timer = new AbortController();
      const t = setTimeout(() => timer.abort(), o.timeoutMs);
      const signal = init?.signal ? AbortSignal.any([init.signal, timer.signal]) : timer.signal;
      const timeout = () => (net.timedOut ??= new NetworkTimeout(u.origin, what, seconds));
      try {
        const res = await fetch(input, { ...init, signal });
        const type = res.headers.get('content-type') ?? '';
        noteMcpAnswer(net, u, init, res, type, o.mcpUrl);
        if (/^text\/event-stream/i.test(type)) return res; // a stream: its headers came in time
        // An ordinary answer is read whole within the same time, then handed over.
        const body = NULL_BODY.has(res.status) ? null : await res.arrayBuffer();
        const copy = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
        Object.defineProperty(copy, 'url', { value: res.url });
        return copy;
      } catch (e) {
        if (timer.signal.aborted && !init?.signal?.aborted) throw timeout();
        throw e;
      } finally {
        clearTimeout(t);
      }
    },
  };
  return net;
}

/** A POST to the MCP URL answered by something that is not an MCP server: remember what it said. */
function noteMcpAnswer(net: NetworkFetch, u: URL, init: RequestInit | undefined, res: Response, type: string, mcpUrl: URL | undefined) {
  if (net.notMcp || !mcpUrl || u.origin !== mcpUrl.origin || u.pathname !== mcpUrl.pathname) return;
  if ((init?.method ?? 'GET').toUpperCase() !== 'POST') return;
  // 404 with a session id means the session ended (the transport starts a new one): not this.
  const session = new Headers(init?.headers).has('mcp-session-id');
  const html = /^text\/html/i.test(type);
  // An MCP server answers a POST with JSON, an event stream, or 202 (nothing) for a notification.
  const notJsonRpc = res.ok && res.status !== 202 && !/json|event-stream/i.test(type);
  if ((res.status === 404 && !session) || res.status === 405 || res.status === 501 || notJsonRpc) {
    net.notMcp = { status: res.status, origin: u.origin, html };
  }
}
