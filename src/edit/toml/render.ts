/** Writing TOML: one `[table]` with its `key = value` lines, in the form Codex reads. */
import type { JsonObject } from '../types.js';

/** Thrown by renderTomlTable for a value TOML cannot hold (null, undefined, a lone surrogate …). */
export class TomlRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TomlRenderError';
  }
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A TOML basic string: `\\`, `"` and control characters escaped; everything else written as is. */
function renderTomlString(s: string): string {
  if (LONE_SURROGATE.test(s)) throw new TomlRenderError(`the string ${JSON.stringify(s)} holds a lone surrogate, which TOML cannot store`);
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** A key segment: bare when it matches /^[A-Za-z0-9_-]+$/, else a basic quoted string. */
export function renderTomlKey(key: string): string {
  return BARE_KEY.test(key) ? key : renderTomlString(key);
}

function renderNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isSafeInteger(n)) return Object.is(n, -0) ? '0' : String(n);
  const s = String(n);
  // An integral value beyond 2^53 is written as a float so it reads back as the same number.
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function renderValue(v: unknown, where: string): string {
  switch (typeof v) {
    case 'string':
      return renderTomlString(v);
    case 'number':
      return renderNumber(v);
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) throw new TomlRenderError(`${where} is null, and TOML has no null`);
      if (Array.isArray(v)) return `[${v.map((x, i) => renderValue(x, `${where}[${i}]`)).join(', ')}]`;
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw new TomlRenderError(`${where} is an invalid date`);
        return v.toISOString();
      }
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return '{}';
      return `{ ${entries.map(([k, x]) => `${renderTomlKey(k)} = ${renderValue(x, `${where}.${k}`)}`).join(', ')} }`;
    }
    default:
      throw new TomlRenderError(`${where} is ${v === undefined ? 'undefined' : `a ${typeof v}`}, which TOML cannot store`);
  }
}

/**
 * How one table is written: `[p0.p1]` then one `key = value` line per key, joined by `eol`, with no
 * line break at the end. Nested objects are inline tables, arrays inline arrays.
 */
export function renderTomlTable(tablePath: string[], value: JsonObject, eol: '\n' | '\r\n'): string {
  const lines = [`[${tablePath.map(renderTomlKey).join('.')}]`];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    lines.push(`${renderTomlKey(k)} = ${renderValue(v, k)}`);
  }
  return lines.join(eol);
}
