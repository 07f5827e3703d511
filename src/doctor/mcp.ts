/**
 * The MCP conversation a client would have, without the SDK: `server/discover` (2026-07-28, stateless)
 * and, when the server does not speak it, `initialize` (2025-11-25 and older); then `tools/list` with
 * the stored credential. Findings: the HTTP answer (status, type, latency), the handshake (generation,
 * version agreed, the server's name and version), the tool count; a URL that is not an MCP endpoint is
 * said to be one.
 */
import { isObject, type Message } from '../mcp/jsonrpc.js';
import { ERROR, LEGACY_VERSIONS, META, MODERN_VERSIONS } from '../mcp/versions.js';
import { printable } from '../ui.js';
import { fail, ok, sh, warn, type Where } from './engine.js';
import { describeFetchError, exchange, type Exchange } from './http.js';
import type { DoctorCheck } from './types.js';

const CLIENT_INFO = { name: 'mcpwire-doctor', version: '1' };

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
  /** The server asked for a login (401) with the credential given. */
  unauthorized?: boolean;
}

function jsonRpc(x: Exchange): Message | undefined {
  const m = x.json;
  return isObject(m) && m.jsonrpc === '2.0' && (m.result !== undefined || m.error !== undefined) ? (m as unknown as Message) : undefined;
}

function serverName(info: unknown): string {
  if (!isObject(info)) return 'an unnamed server';
  const name = typeof info.name === 'string' ? info.name : 'an unnamed server';
  return printable(typeof info.version === 'string' ? `${name} ${info.version}` : name);
}

export async function probeMcp(w: Where, o: McpProbeOptions): Promise<McpProbeResult> {
  const checks: DoctorCheck[] = [];
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...o.credential };
  let id = 0;
  let date: string | undefined;
  const post = async (method: string, params: Record<string, unknown> | undefined, headers: Record<string, string>, notification = false) => {
    const body = notification ? { jsonrpc: '2.0', method, ...(params ? { params } : {}) } : { jsonrpc: '2.0', id: ++id, method, ...(params ? { params } : {}) };
    const x = await exchange(o.url, {
      method: 'POST',
      headers: { ...base, ...headers },
      body: JSON.stringify(body),
      timeoutMs: o.timeoutMs,
      signal: o.signal,
      what: method,
      id: notification ? undefined : id,
    });
    date ??= x.headers.get('date') ?? undefined;
    return x;
  };
  const httpLine = (x: Exchange, method: string) =>
    ok(w, 'server.http', `HTTP ${x.status}${x.type ? ` ${x.type.split(';')[0]}` : ''} to ${method} in ${x.ms} ms`);
  const refused = (x: Exchange, method: string): McpProbeResult => {
    checks.push(warn(w, 'server.http', `HTTP ${x.status} to ${method} in ${x.ms} ms: the server asks for a login`));
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
    return { checks, date, unauthorized: true };
  };

  // 2026: stateless, every request carries the version and the client in _meta.
  let modern: { version: string; result: Record<string, unknown> } | undefined;
  let first: Exchange;
  try {
    let version: string = MODERN_VERSIONS[0];
    for (let round = 0; ; round++) {
      const envelope = { [META.protocolVersion]: version, [META.clientInfo]: CLIENT_INFO, [META.clientCapabilities]: {} };
      first = await post('server/discover', { _meta: envelope }, { 'mcp-protocol-version': version, 'mcp-method': 'server/discover' });
      if (first.status === 401 || first.status === 403) return refused(first, 'server/discover');
      const m = jsonRpc(first);
      const r = m?.result;
      if (r && Array.isArray(r.supportedVersions) && r.supportedVersions.includes(version)) {
        modern = { version, result: r };
        break;
      }
      const supported = isObject(m?.error?.data) ? m.error.data.supported : undefined;
      const mutual = Array.isArray(supported) ? (MODERN_VERSIONS as readonly string[]).find((v) => supported.includes(v)) : undefined;
      if (round === 0 && m?.error?.code === ERROR.unsupportedVersion && mutual && mutual !== version) {
        version = mutual;
        continue;
      }
      break;
    }
  } catch (e) {
    checks.push(fail(w, 'server.http', `no HTTP answer: ${describeFetchError(e)}`, 'See the DNS, TCP and TLS lines above; check the URL and your network.'));
    return { checks, date };
  }

  if (modern) {
    checks.push(httpLine(first, 'server/discover'));
    const info = isObject(modern.result._meta) ? modern.result._meta[META.serverInfo] : modern.result.serverInfo;
    checks.push(ok(w, 'mcp.handshake', `MCP ${modern.version} (server/discover, stateless): ${serverName(info)}`));
    const envelope = { [META.protocolVersion]: modern.version, [META.clientInfo]: CLIENT_INFO, [META.clientCapabilities]: {} };
    checks.push(await listTools(w, o, () => post('tools/list', { _meta: envelope }, { 'mcp-protocol-version': modern.version, 'mcp-method': 'tools/list' })));
    return { checks, date };
  }

  // 2025 and older: initialize, then a session.
  let init: Exchange;
  try {
    init = await post('initialize', { protocolVersion: LEGACY_VERSIONS[0], capabilities: {}, clientInfo: CLIENT_INFO }, {});
  } catch (e) {
    checks.push(fail(w, 'server.http', `initialize: ${describeFetchError(e)}`, 'Check the server and your network; `--timeout SECONDS` allows more time.'));
    return { checks, date };
  }
  if (init.status === 401 || init.status === 403) return refused(init, 'initialize');
  const m = jsonRpc(init);
  if (!m) {
    checks.push(
      fail(
        w,
        'server.http',
        `not an MCP endpoint: HTTP ${init.status}${init.html ? ' (an HTML page)' : init.type ? ` (${init.type.split(';')[0]})` : ''} to initialize and to server/discover`,
        "Use the server's MCP endpoint URL, as its documentation gives it (it often ends in /mcp).",
      ),
    );
    return { checks, date };
  }
  checks.push(httpLine(init, 'initialize'));
  if (m.error || !isObject(m.result)) {
    checks.push(
      fail(
        w,
        'mcp.handshake',
        `initialize refused: ${printable(String(m.error?.message ?? 'no result'))}`,
        "Tell the server's operator (it refuses a standard initialize).",
      ),
    );
    return { checks, date };
  }
  const agreed = m.result.protocolVersion;
  const known = typeof agreed === 'string' && (LEGACY_VERSIONS as readonly string[]).includes(agreed);
  const line = `MCP ${typeof agreed === 'string' ? printable(agreed) : '(no version)'} (initialize): ${serverName(m.result.serverInfo)}`;
  checks.push(known ? ok(w, 'mcp.handshake', line) : warn(w, 'mcp.handshake', `${line}: a protocol version mcpwire does not know`));
  const session = init.headers.get('mcp-session-id');
  const headers: Record<string, string> = {
    ...(session ? { 'mcp-session-id': session } : {}),
    ...(typeof agreed === 'string' ? { 'mcp-protocol-version': agreed } : {}),
  };
  try {
    await post('notifications/initialized', undefined, headers, true);
  } catch {
    /* tools/list says what matters */
  }
  checks.push(await listTools(w, o, () => post('tools/list', {}, headers)));
  if (session) {
    // End the session, as a client leaving does; not waited for (a failure here changes nothing).
    void exchange(o.url, {
      method: 'DELETE',
      headers: { ...base, ...headers },
      timeoutMs: Math.min(o.timeoutMs, 1000),
      signal: o.signal,
      what: 'DELETE',
    }).catch(() => {});
  }
  return { checks, date };
}

async function listTools(w: Where, o: McpProbeOptions, ask: () => Promise<Exchange>): Promise<DoctorCheck> {
  try {
    const x = await ask();
    if (x.status === 401 || x.status === 403) return fail(w, 'mcp.tools', `tools/list refused (HTTP ${x.status})`, `mcpwire auth login ${sh(o.name)}`);
    const m = jsonRpc(x);
    if (!m) return fail(w, 'mcp.tools', `tools/list: HTTP ${x.status} without a JSON-RPC answer`, "Tell the server's operator.");
    if (m.error) return fail(w, 'mcp.tools', `tools/list refused: ${printable(String(m.error.message))}`, "Tell the server's operator.");
    const tools = Array.isArray(m.result?.tools) ? (m.result.tools as unknown[]) : undefined;
    if (!tools) return fail(w, 'mcp.tools', 'tools/list answered without a tools array', "Tell the server's operator.");
    const names = tools.map((t) => (isObject(t) && typeof t.name === 'string' ? printable(t.name) : '?'));
    const more = typeof m.result?.nextCursor === 'string' ? '+ (more pages)' : '';
    if (tools.length === 0) return warn(w, 'mcp.tools', 'tools/list: the server offers no tools (with this credential)');
    return ok(w, 'mcp.tools', `${tools.length}${more} tools: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`);
  } catch (e) {
    return fail(w, 'mcp.tools', `tools/list: ${describeFetchError(e)}`, 'Check the server; `--timeout SECONDS` allows more time.');
  }
}
