/**
 * `Mcp-Param-{Name}` headers (2026-07-28 Streamable HTTP, "Schema Extension"): a tool's `inputSchema`
 * may mark primitive properties with `x-mcp-header`, and the client mirrors those arguments into
 * headers. Ported from the MCP TypeScript SDK (core-internal/src/shared/mcpParamHeaders.ts, Apache-2.0),
 * which keeps these helpers internal; the SDK's transport adds `Mcp-Method` and `Mcp-Name` itself.
 */

export interface HeaderDeclaration {
  path: string[];
  headerName: string;
  type: string;
}
export type HeaderScan = { valid: true; declarations: HeaderDeclaration[] } | { valid: false; reason: string };

const PREFIX = 'Mcp-Param-';
const KEY = 'x-mcp-header';
/** RFC 9110 §5.1 token (1*tchar). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** `number` is explicitly not permitted: a tool annotating one is invalid. */
const PERMITTED_TYPES = new Set(['string', 'integer', 'boolean']);
/** Positions the `properties`-only chain must not pass through: an annotation under them is a fault. */
const UNREACHABLE = [
  'items',
  'prefixItems',
  'contains',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
  'patternProperties',
  'dependentSchemas',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  '$defs',
  'definitions',
];
const OBJECT_VALUED = new Set(['patternProperties', 'dependentSchemas', '$defs', 'definitions']);

const pathName = (path: string[]) => (path.length === 0 ? '<root>' : path.join('.'));

/** The declarations of a tool's inputSchema, or the first constraint it breaks (then the tool is invalid). */
export function scanHeaderDeclarations(inputSchema: unknown): HeaderScan {
  const declarations: HeaderDeclaration[] = [];
  const seenLower = new Map<string, string>();
  const visit = (node: unknown, path: string[], reachable: boolean): string | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    const schema = node as Record<string, unknown>;
    if (KEY in schema) {
      if (!reachable || path.length === 0) return `${pathName(path)}: x-mcp-header is only permitted on properties reachable through 'properties'`;
      const raw = schema[KEY];
      if (typeof raw !== 'string' || raw.length === 0) return `${pathName(path)}: x-mcp-header must be a non-empty string`;
      if (!TOKEN.test(raw)) return `${pathName(path)}: x-mcp-header is not a valid header name`;
      const type = typeof schema.type === 'string' ? schema.type : undefined;
      if (type === undefined || !PERMITTED_TYPES.has(type))
        return `${pathName(path)}: x-mcp-header is only permitted on string, integer and boolean properties (got ${type ?? 'none'})`;
      const lower = raw.toLowerCase();
      if (seenLower.has(lower)) return `x-mcp-header '${raw}' is declared twice (case-insensitively)`;
      seenLower.set(lower, raw);
      declarations.push({ path, headerName: raw, type });
    }
    const properties = schema.properties;
    if (properties !== null && typeof properties === 'object') {
      for (const [key, child] of Object.entries(properties)) {
        const fault = visit(child, [...path, key], reachable);
        if (fault !== undefined) return fault;
      }
    }
    for (const k of UNREACHABLE) {
      const sub = schema[k];
      if (sub === undefined) continue;
      const branches = Array.isArray(sub) ? sub : sub !== null && typeof sub === 'object' && OBJECT_VALUED.has(k) ? Object.values(sub) : [sub];
      for (const branch of branches) {
        const fault = visit(branch, [...path, `<${k}>`], false);
        if (fault !== undefined) return fault;
      }
    }
    return undefined;
  };
  const fault = visit(inputSchema, [], true);
  return fault === undefined ? { valid: true, declarations } : { valid: false, reason: fault };
}

/** Strings pass, integers become decimal, booleans `true`/`false`; anything else: no header. */
function primitiveToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return undefined;
    return String(value);
  }
  return undefined;
}

const SENTINEL_PREFIX = '=?base64?';
const SENTINEL_SUFFIX = '?=';

/** Not a plain ASCII field value (RFC 9110 §5.5), edge whitespace, or already looks like the sentinel. */
function needsBase64(s: string): boolean {
  if (s.length === 0) return true;
  if (s.startsWith(SENTINEL_PREFIX) && s.endsWith(SENTINEL_SUFFIX)) return true;
  if (s !== s.trim()) return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 9 || (c >= 32 && c <= 126)) continue;
    return true;
  }
  return false;
}

/** A header value: plain when safe, else `=?base64?{UTF-8 as Base64}?=`. */
export function encodeHeaderValue(value: string): string {
  return needsBase64(value) ? `${SENTINEL_PREFIX}${Buffer.from(value, 'utf8').toString('base64')}${SENTINEL_SUFFIX}` : value;
}

function valueAt(root: unknown, path: string[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The `Mcp-Param-*` headers of one `tools/call`: a null or missing argument sends no header. */
export function paramHeaders(declarations: HeaderDeclaration[], args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of declarations) {
    const raw = valueAt(args, d.path);
    if (raw === undefined || raw === null) continue;
    const s = primitiveToString(raw);
    if (s === undefined) continue;
    out[`${PREFIX}${d.headerName}`] = encodeHeaderValue(s);
  }
  return out;
}
