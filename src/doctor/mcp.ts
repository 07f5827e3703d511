/**
 * The MCP conversation a client has, through the official SDK (its `Client` over Streamable HTTP, as
 * `auth login` connects): version negotiation — `server/discover` (2026-07-28, stateless), else
 * `initialize` (2025-11-25 and older) — then `tools/list` with the stored credential. The SDK speaks;
 * a recording fetch lets doctor report what it met: the HTTP answer (status, type, latency), the
 * handshake (generation, version agreed, the server's name and version), the tool count, and a URL
 * that is not an MCP endpoint.
 */
import type { Client } from '@modelcontextprotocol/client';
import { printable } from '../ui.js';
import { fail, ok, sh, warn, type Where } from './engine.js';
import { describeFetchError, isStepTimeout, lastOf, recordingFetch, type Recorded, type Recorder } from './http.js';
import type { DoctorCheck } from './types.js';

const CLIENT_INFO = { name: 'mcpwire-doctor', version: '1' };
/** The SDK's own request timeout is a backstop (a stream that stalls): each fetch is bounded first, and named. */
const BACKSTOP_MS = 500;

export interface McpProbeOptions {
  url: string;
  /** Headers of the stored credential (none: the server is asked without one). */
  credential: Record<string, string>;
  /** Where the credential came from, for messages (`the stored login`, `the API key`). */
  credentialSource?: string;
  name: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface McpProbeResult {
  checks: DoctorCheck[];
  /** The server's Date header on the first answer (clock skew). */
  date?: string;
}

function serverName(info: { name?: unknown; version?: unknown } | undefined): string {
  const name = typeof info?.name === 'string' ? info.name : 'an unnamed server';
  return printable(typeof info?.version === 'string' ? `${name} ${info.version}` : name);
}

/** The POSTs to the MCP URL, in order (the standalone GET stream and the session's DELETE are not the conversation). */
const posts = (r: Recorder) => r.log.filter((x) => x.method === 'POST');
const last = (r: Recorder, method: string) => lastOf(posts(r), (x) => x.what === method);
const typeOf = (x: Recorded) => (x.type ? ` ${x.type.split(';')[0]}` : '');

export async function probeMcp(w: Where, o: McpProbeOptions): Promise<McpProbeResult> {
  const checks: DoctorCheck[] = [];
  // Loaded on first use: `doctor` without a server to check never evaluates the SDK (its schemas cost ~100 ms).
  const { Client, ProtocolError, StreamableHTTPClientTransport } = await import('./sdk.js');
  const rec = recordingFetch({ timeoutMs: o.timeoutMs, signal: o.signal });
  const transport = new StreamableHTTPClientTransport(new URL(o.url), { fetch: rec.fetch, requestInit: { headers: o.credential } });
  const backstop = o.timeoutMs + BACKSTOP_MS;
  const client = new Client(CLIENT_INFO, { versionNegotiation: { mode: 'auto', probe: { timeoutMs: backstop } } } as ConstructorParameters<typeof Client>[1]);
  const request = { timeout: backstop, signal: o.signal };
  const result = (): McpProbeResult => ({ checks, date: rec.date() });

  const refused = (x: Recorded): McpProbeResult => {
    checks.push(warn(w, 'server.http', `HTTP ${x.status} to ${x.what} in ${x.ms} ms: the server asks for a login`));
    if (Object.keys(o.credential).length > 0)
      checks.push(
        fail(w, 'mcp.handshake', `the server refused ${o.credentialSource ?? 'the stored credential'} (HTTP ${x.status})`, `mcpwire auth login ${sh(o.name)}`),
      );
    else
      checks.push(
        warn(
          w,
          'mcp.handshake',
          `not checked past the login: mcpwire holds no login for ${sh(o.name)} (clients with their own OAuth log in by themselves)`,
          `mcpwire auth login ${sh(o.name)}`,
        ),
      );
    return result();
  };

  try {
    try {
      await client.connect(transport, request);
    } catch (e) {
      const sent = posts(rec);
      const denied = sent.find((x) => x.status === 401 || x.status === 403);
      if (denied) return refused(denied);
      const broken = sent.find((x) => x.error !== undefined);
      if (broken) {
        const what = broken === sent[0] ? 'no HTTP answer' : broken.what;
        // A timeout after the connection was made is the server's silence, not the network's.
        const silent = isStepTimeout(broken.error);
        checks.push(
          fail(
            w,
            'server.http',
            `${what}: ${describeFetchError(broken.error)}`,
            silent
              ? `The server took the connection but did not answer: check that it is up and not overloaded, or allow more time: mcpwire doctor ${sh(o.name)} --timeout SECONDS`
              : 'See the DNS, TCP and TLS lines above; check the URL and your network.',
          ),
        );
        return result();
      }
      const answered = sent.at(-1);
      if (answered && !answered.jsonRpc) {
        // Not JSON-RPC at all (an HTML page, a 404, plain text): this URL is something else.
        const kind = answered.html ? ' (an HTML page)' : answered.type ? ` (${answered.type.split(';')[0]})` : '';
        const methods = [...new Set(sent.map((x) => x.what))].join(' and to ');
        checks.push(
          fail(
            w,
            'server.http',
            `not an MCP endpoint: HTTP ${answered.status}${kind} to ${methods}`,
            "Use the server's MCP endpoint URL, as its documentation gives it (it often ends in /mcp).",
          ),
        );
        return result();
      }
      if (answered && (e as { code?: unknown })?.code === 'REQUEST_TIMEOUT') {
        // The answer began (an event stream) and never said anything.
        checks.push(
          fail(
            w,
            'server.http',
            `${answered.what}: an event stream opened but no answer came within ${Math.round(backstop / 100) / 10} s`,
            'Check the server; `--timeout SECONDS` allows more time.',
          ),
        );
        return result();
      }
      if (answered) checks.push(ok(w, 'server.http', `HTTP ${answered.status}${typeOf(answered)} to ${answered.what} in ${answered.ms} ms`));
      const why =
        e instanceof ProtocolError
          ? `${answered?.what ?? 'the handshake'} refused: ${printable(e.message)}`
          : `the handshake failed: ${printable(describeFetchError(e))}`;
      checks.push(fail(w, 'mcp.handshake', why, "Tell the server's operator (it refuses a standard handshake)."));
      return result();
    }

    const modern = client.getProtocolEra() === 'modern';
    const method = modern ? 'server/discover' : 'initialize';
    const x = last(rec, method);
    if (x) checks.push(ok(w, 'server.http', `HTTP ${x.status}${typeOf(x)} to ${method} in ${x.ms} ms`));
    const version = printable(String(client.getNegotiatedProtocolVersion()));
    checks.push(ok(w, 'mcp.handshake', `MCP ${version} (${modern ? 'server/discover, stateless' : 'initialize'}): ${serverName(client.getServerVersion())}`));
    checks.push(await listTools(w, o, client, rec, request, ProtocolError));
    return result();
  } finally {
    // End the session as a client leaving does; not waited for (a failure here changes nothing).
    void transport
      .terminateSession()
      .catch(() => {})
      .finally(() => client.close().catch(() => {}));
  }
}

/**
 * A server's error text, or the SDK's schema complaint (a JSON list of issues), on one short line:
 * `Invalid result for tools/list: ttlMs: expected number; cacheScope: …`.
 */
function shorten(message: string): string {
  const at = message.indexOf('[');
  if (at !== -1) {
    try {
      const issues = JSON.parse(message.slice(at)) as Array<{ path?: unknown[]; message?: string }>;
      const said = issues.slice(0, 3).map((i) => `${(i.path ?? []).join('.') || '(result)'}: ${i.message ?? 'invalid'}`);
      const more = issues.length > 3 ? ` (+${issues.length - 3} more)` : '';
      return printable(`${message.slice(0, at).trim()} ${said.join('; ')}${more}`);
    } catch {
      /* not a list of issues: the text as it is */
    }
  }
  const p = printable(message);
  return p.length > 300 ? `${p.slice(0, 299)}…` : p;
}

async function listTools(
  w: Where,
  o: McpProbeOptions,
  client: Client,
  rec: Recorder,
  request: { timeout: number; signal: AbortSignal },
  ProtocolError: typeof import('./sdk.js').ProtocolError,
): Promise<DoctorCheck> {
  try {
    const r = await client.listTools(undefined, request);
    const names = r.tools.map((t) => printable(t.name));
    const more = r.nextCursor ? '+ (more pages)' : '';
    if (r.tools.length === 0) return warn(w, 'mcp.tools', 'tools/list: the server offers no tools (with this credential)');
    return ok(
      w,
      'mcp.tools',
      `${r.tools.length}${more} ${r.tools.length === 1 && !more ? 'tool' : 'tools'}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`,
    );
  } catch (e) {
    const x = last(rec, 'tools/list');
    if (x?.status === 401 || x?.status === 403) return fail(w, 'mcp.tools', `tools/list refused (HTTP ${x.status})`, `mcpwire auth login ${sh(o.name)}`);
    if (x?.error !== undefined)
      return fail(w, 'mcp.tools', `tools/list: ${describeFetchError(x.error)}`, 'Check the server; `--timeout SECONDS` allows more time.');
    if (x && !x.jsonRpc) return fail(w, 'mcp.tools', `tools/list: HTTP ${x.status} without a JSON-RPC answer`, "Tell the server's operator.");
    if (e instanceof ProtocolError) return fail(w, 'mcp.tools', `tools/list refused: ${shorten(e.message)}`, "Tell the server's operator.");
    return fail(w, 'mcp.tools', `tools/list: ${shorten(describeFetchError(e))}`, "Tell the server's operator (its answer is refused by MCP clients).");
  }
}
