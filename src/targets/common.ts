/** Small pieces the adapters share. Adapters stay mostly data; anything clever lives here. */
import type { Json, JsonObject } from '../edit/types.js';
import type { ReadEntry, ServerSpec } from './types.js';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A header value or a credential in the URL would be written as is. */
export function holdsLiteralSecret(spec: ServerSpec): boolean {
  return spec.headers.length > 0 || spec.secretInUrl !== undefined;
}

export function isAuthorization(header: string): boolean {
  return header.toLowerCase() === 'authorization';
}

/**
 * Headers for clients that interpolate env references inside strings. For Authorization the variable
 * holds the bare token (contract: `--header-env Authorization=VAR` means `Bearer <token>`).
 */
export function headersWithRefs(spec: ServerSpec, ref: (variable: string, header: string) => string): JsonObject | undefined {
  const headers: JsonObject = {};
  for (const h of spec.headers) headers[h.name] = h.value;
  for (const h of spec.headerEnvs) headers[h.name] = isAuthorization(h.name) ? `Bearer ${ref(h.variable, h.name)}` : ref(h.variable, h.name);
  return Object.keys(headers).length > 0 ? headers : undefined;
}

export function stringRecord(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  return out;
}

/** Read back a `{url|serverUrl, type?, headers?}` or `{command, args}` entry. */
export function readCommonEntry(name: string, raw: unknown, urlKey = 'url'): ReadEntry {
  if (!isObject(raw)) return { name, kind: 'unknown', problems: ['the entry is not an object'] };
  const url = raw[urlKey] ?? raw.url ?? raw.serverUrl;
  if (typeof url === 'string') {
    // Windsurf's key elsewhere: the client finds no URL in the entry.
    const problems = urlKey === 'url' && raw.url === undefined ? ['"serverUrl" is Windsurf\'s key: this client reads "url"'] : [];
    return { name, kind: 'remote', url, headers: stringRecord(raw.headers), problems };
  }
  if (typeof raw.command === 'string') return readCommandEntry(name, raw.command, raw.args);
  return { name, kind: 'unknown', problems: ['neither a url nor a command'] };
}

/** A stdio entry; recognises bridges to a URL (`mcpwire proxy NAME --url U`, `mcp-remote U`). */
export function readCommandEntry(name: string, command: string, argsRaw: unknown): ReadEntry {
  const args = Array.isArray(argsRaw) ? argsRaw.filter((a): a is string => typeof a === 'string') : [];
  const all = [command, ...args];
  const isMcpwire = all.some((a) => /(^|[\\/])mcpwire(\.js|\.cmd)?$|(^|[\\/])mcpwire[\\/]bin[\\/]mcpwire\.js$|^mcpwire(@[^\s]*)?$/.test(a));
  const isMcpRemote = all.some((a) => /(^|[\\/@])mcp-remote(@[^\s]*)?$/.test(a));
  if (isMcpwire || isMcpRemote) {
    const urlFlag = args.indexOf('--url');
    const url = urlFlag >= 0 ? args[urlFlag + 1] : args.find((a) => /^https?:\/\//.test(a));
    return { name, kind: 'bridge', url, problems: [] };
  }
  return { name, kind: 'stdio', problems: [] };
}

export function compact(o: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

export const COMMON_TRANSPORT_KEYS = ['type', 'url', 'serverUrl', 'headers', 'command', 'args', 'env', 'transport'] as const;
