/**
 * Format-preserving TOML editor for OpenAI Codex's `config.toml` (`[mcp_servers.NAME]` tables).
 *
 * The document is never re-serialised. A small scanner finds statements (table headers, key/value
 * lines, comment lines, blank lines) with their offsets; an edit is one splice of the text, and every
 * edit is verified by parsing the result and comparing it with the intended change.
 *
 * Layout rules (see the module brief):
 * - A new table goes right after the last key line of the last `[mcp_servers…]` block, or after the
 *   last non-blank line of the file when there is none: `EOL EOL [header] EOL key lines` is inserted
 *   at the end of that line's content, before its line break.
 * - Removal is the exact inverse: from the end of the last non-blank line before the header to the
 *   end of the table's last key line (sub-tables included). So remove(set(doc)) === doc.
 * - Replace swaps [header start, end of last key line] for the rendered table.
 */
import { parse as smolParse, TomlError } from 'smol-toml';
import { ConfigParseError, UnsafeEditError, lineColumn } from '../errors.js';
import type { JsonObject } from './types.js';

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

const BOM = '\uFEFF';

function bodyStartOf(text: string): number {
  return text.startsWith(BOM) ? 1 : 0;
}

/**
 * Parse TOML (a leading UTF-8 BOM is allowed and ignored). Throws ConfigParseError(file, line, column,
 * reason) on bad syntax. Integers that do not fit a JS number exactly come back as bigint; dates and
 * times as smol-toml's TomlDate.
 */
export function parseToml(text: string, file: string): Record<string, unknown> {
  const body = text.slice(bodyStartOf(text));
  try {
    return smolParse(body, { integersAsBigInt: 'asNeeded' }) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = firstLine(err.message).replace(/^Invalid TOML document:\s*/, '');
      throw new ConfigParseError(file, err.line || 1, err.column || 1, `invalid TOML: ${reason}`);
    }
    const reason = err instanceof Error ? firstLine(err.message) : String(err);
    throw new ConfigParseError(file, 1, 1, `invalid TOML: ${reason}`);
  }
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i === -1 ? s : s.slice(0, i)).trim();
}

// ---------------------------------------------------------------------------------------------
// Scanner
// ---------------------------------------------------------------------------------------------

/**
 * One statement of a TOML document. Offsets are into the full text (BOM included).
 * `lineEnd` is the offset of the line break that ends the statement's last line (after any trailing
 * whitespace and comment), or text.length when the file ends there.
 */
export type TomlStatement =
  | { kind: 'blank'; start: number; lineEnd: number }
  | { kind: 'comment'; start: number; lineEnd: number }
  | { kind: 'table' | 'arrayTable'; path: string[]; start: number; end: number; lineEnd: number }
  | { kind: 'keyValue'; table: string[]; key: string[]; start: number; end: number; lineEnd: number };

type HeaderStatement = Extract<TomlStatement, { kind: 'table' | 'arrayTable' }>;

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ScanError';
  }
}

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isBareKeyChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_-]/.test(c);

class Scanner {
  i: number;
  constructor(
    readonly s: string,
    start: number,
  ) {
    this.i = start;
  }

  fail(msg: string): never {
    throw new ScanError(msg, this.i);
  }

  atLineBreak(): boolean {
    const c = this.s[this.i];
    return c === '\n' || (c === '\r' && this.s[this.i + 1] === '\n');
  }

  consumeLineBreak(): void {
    if (this.s[this.i] === '\r') this.i++;
    if (this.s[this.i] === '\n') this.i++;
  }

  skipWs(): void {
    while (isWs(this.s[this.i])) this.i++;
  }

  /** Whitespace, line breaks and comments (inside arrays and inline tables). */
  skipWsNlComments(): void {
    for (;;) {
      this.skipWs();
      const c = this.s[this.i];
      if (c === '#') {
        this.toLineBreak();
      } else if (this.atLineBreak()) {
        this.consumeLineBreak();
      } else {
        return;
      }
    }
  }

  /** Move to the line break (or end of text) of the current line; returns its offset. */
  toLineBreak(): number {
    const j = this.s.indexOf('\n', this.i);
    if (j === -1) {
      this.i = this.s.length;
      return this.i;
    }
    this.i = j > this.i && this.s[j - 1] === '\r' ? j - 1 : j;
    return this.i;
  }

  /** After a statement: whitespace, an optional comment, then a line break or the end. Returns lineEnd. */
  trailing(): number {
    this.skipWs();
    if (this.s[this.i] === '#') return this.toLineBreak();
    if (this.i >= this.s.length || this.atLineBreak()) return this.i;
    return this.fail('expected the end of the line');
  }

  readKey(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipWs();
      parts.push(this.readKeyPart());
      this.skipWs();
      if (this.s[this.i] === '.') {
        this.i++;
        continue;
      }
      return parts;
    }
  }

  readKeyPart(): string {
    const c = this.s[this.i];
    if (c === '"') return this.readBasicString();
    if (c === "'") return this.readLiteralString();
    const start = this.i;
    while (isBareKeyChar(this.s[this.i])) this.i++;
    if (this.i === start) this.fail('expected a key');
    return this.s.slice(start, this.i);
  }

  /** A single-line basic string, decoded. */
  readBasicString(): string {
    this.i++; // opening quote
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\\') {
        out += this.readEscape();
        continue;
      }
      out += c;
      this.i++;
    }
  }

  readEscape(): string {
    const e = this.s[this.i + 1];
    const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
    if (e !== undefined && Object.prototype.hasOwnProperty.call(simple, e)) {
      this.i += 2;
      return simple[e];
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width === 0) this.fail('bad escape');
    const hex = this.s.slice(this.i + 2, this.i + 2 + width);
    if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== width) this.fail('bad escape');
    this.i += 2 + width;
    return String.fromCodePoint(parseInt(hex, 16));
  }

  readLiteralString(): string {
    const j = this.s.indexOf("'", this.i + 1);
    if (j === -1) this.fail('unterminated literal string');
    const out = this.s.slice(this.i + 1, j);
    this.i = j + 1;
    return out;
  }

  skipMultiline(q: '"' | "'"): void {
    const delim = q.repeat(3);
    this.i += 3;
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated multi-line string');
      if (q === '"' && this.s[this.i] === '\\') {
        this.i += 2;
        continue;
      }
      if (this.s.startsWith(delim, this.i)) {
        let run = 3;
        while (run < 5 && this.s[this.i + run] === q) run++;
        this.i += run;
        return;
      }
      this.i++;
    }
  }

  skipValue(): void {
    const s = this.s;
    const c = s[this.i];
    if (c === '"') {
      if (s.startsWith('"""', this.i)) this.skipMultiline('"');
      else this.readBasicString();
      return;
    }
    if (c === "'") {
      if (s.startsWith("'''", this.i)) this.skipMultiline("'");
      else this.readLiteralString();
      return;
    }
    if (c === '[') {
      this.i++;
      for (;;) {
        this.skipWsNlComments();
        const d = s[this.i];
        if (d === undefined) this.fail('unterminated array');
        if (d === ']') {
          this.i++;
          return;
        }
        if (d === ',') {
          this.i++;
          continue;
        }
        this.skipValue();
      }
    }
    if (c === '{') {
      this.i++;
      for (;;) {
        this.skipWsNlComments();
        const d = s[this.i];
        if (d === undefined) this.fail('unterminated inline table');
        if (d === '}') {
          this.i++;
          return;
        }
        if (d === ',') {
          this.i++;
          continue;
        }
        this.readKey();
        this.skipWs();
        if (s[this.i] !== '=') this.fail("expected '='");
        this.i++;
        this.skipWs();
        this.skipValue();
      }
    }
    // number, boolean, date/time (which may contain one space)
    const start = this.i;
    while (this.i < s.length && !',]}#\n\r'.includes(s[this.i])) this.i++;
    while (this.i > start && isWs(s[this.i - 1])) this.i--;
    if (this.i === start) this.fail('expected a value');
  }
}

/** Split a TOML document into statements. The text must already be known to parse. */
export function scanToml(text: string): TomlStatement[] {
  const sc = new Scanner(text, bodyStartOf(text));
  const out: TomlStatement[] = [];
  let table: string[] = [];
  const n = text.length;
  while (sc.i < n) {
    const lineStart = sc.i;
    sc.skipWs();
    if (sc.i >= n) {
      out.push({ kind: 'blank', start: lineStart, lineEnd: n });
      break;
    }
    if (sc.atLineBreak()) {
      out.push({ kind: 'blank', start: lineStart, lineEnd: sc.i });
      sc.consumeLineBreak();
      continue;
    }
    const start = sc.i;
    const c = text[start];
    if (c === '#') {
      const lineEnd = sc.toLineBreak();
      out.push({ kind: 'comment', start, lineEnd });
    } else if (c === '[') {
      const isArray = text[start + 1] === '[';
      sc.i += isArray ? 2 : 1;
      const path = sc.readKey();
      sc.skipWs();
      if (!text.startsWith(isArray ? ']]' : ']', sc.i)) sc.fail("expected ']'");
      sc.i += isArray ? 2 : 1;
      const end = sc.i;
      const lineEnd = sc.trailing();
      table = path;
      out.push({ kind: isArray ? 'arrayTable' : 'table', path, start, end, lineEnd });
    } else {
      const key = sc.readKey();
      sc.skipWs();
      if (text[sc.i] !== '=') sc.fail("expected '='");
      sc.i++;
      sc.skipWs();
      sc.skipValue();
      const end = sc.i;
      const lineEnd = sc.trailing();
      out.push({ kind: 'keyValue', table, key, start, end, lineEnd });
    }
    sc.consumeLineBreak();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

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
export function renderTomlString(s: string): string {
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

// ---------------------------------------------------------------------------------------------
// Layout helpers
// ---------------------------------------------------------------------------------------------

/** The document's line ending: CRLF if its first line break is CRLF, else LF. */
export function detectEol(text: string): '\n' | '\r\n' {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

const isBlankLine = (s: string): boolean => /^[ \t]*$/.test(s);

/** Start of the line holding `offset`. */
function lineStartOf(text: string, offset: number, bodyStart: number): number {
  if (offset <= bodyStart) return bodyStart;
  return Math.max(bodyStart, text.lastIndexOf('\n', offset - 1) + 1);
}

/**
 * The end of the content (the offset of the line break) of the last non-blank line before the line
 * starting at `lineStart`; comment lines count as non-blank. -1 if there is none.
 */
function prevNonBlankLineEnd(text: string, lineStart: number, bodyStart: number): number {
  let i = lineStart;
  while (i > bodyStart) {
    let brk = i - 1; // the '\n' that ends the previous line
    if (brk > bodyStart && text[brk - 1] === '\r') brk--;
    const ls = lineStartOf(text, brk, bodyStart);
    if (!isBlankLine(text.slice(ls, brk))) return brk;
    i = ls;
  }
  return -1;
}

/** The end of the content of the last non-blank line of the file (comments count). -1 if none. */
function lastNonBlankLineEnd(text: string, bodyStart: number): number {
  let k = text.length - 1;
  while (k >= bodyStart && ' \t\r\n'.includes(text[k])) k--;
  if (k < bodyStart) return -1;
  const j = text.indexOf('\n', k);
  if (j === -1) return text.length;
  return text[j - 1] === '\r' && j - 1 > k ? j - 1 : j;
}

const samePrefix = (a: string[], b: string[], len: number): boolean => {
  if (a.length < len || b.length < len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== b[i]) return false;
  return true;
};
const startsWith = (path: string[], prefix: string[]): boolean => samePrefix(path, prefix, prefix.length);

/** `mcp_servers.my-server` / `mcp_servers."my server"` for messages. */
function showPath(path: string[]): string {
  return path.map(renderTomlKey).join('.');
}

interface Doc {
  text: string;
  file: string;
  bodyStart: number;
  eol: '\n' | '\r\n';
  data: Record<string, unknown>;
  stmts: TomlStatement[];
  headers: HeaderStatement[];
  /** For headers[i]: the lineEnd of its last key line (or of the header line when it has no keys). */
  blockEnds: number[];
}

function analyse(text: string, file: string): Doc {
  const data = parseToml(text, file);
  let stmts: TomlStatement[];
  try {
    stmts = scanToml(text);
  } catch (err) {
    if (err instanceof ScanError) {
      const { line, column } = lineColumn(text, err.offset);
      throw new UnsafeEditError(file, `the editor could not follow the TOML layout at line ${line}, column ${column} (${err.message})`);
    }
    throw err;
  }
  const headers: HeaderStatement[] = [];
  const blockEnds: number[] = [];
  for (const st of stmts) {
    if (st.kind === 'table' || st.kind === 'arrayTable') {
      headers.push(st);
      blockEnds.push(st.lineEnd);
    } else if (st.kind === 'keyValue' && headers.length > 0) {
      blockEnds[headers.length - 1] = st.lineEnd;
    }
  }
  return { text, file, bodyStart: bodyStartOf(text), eol: detectEol(text), data, stmts, headers, blockEnds };
}

function at(doc: Doc, offset: number): string {
  return `line ${lineColumn(doc.text, offset).line}`;
}

/** Refuse layouts the editor will not touch (see rule 7 of the brief). */
function refuseAwkward(doc: Doc, path: string[]): void {
  for (const st of doc.stmts) {
    if (st.kind === 'arrayTable' && st.path.length <= path.length && startsWith(path, st.path)) {
      throw new UnsafeEditError(
        doc.file,
        `[[${showPath(st.path)}]] (${at(doc, st.start)}) is an array of tables, so [${showPath(path)}] cannot be edited as a table`,
      );
    }
    if (st.kind === 'keyValue') {
      const full = [...st.table, ...st.key];
      // The first level this statement defines by itself (deeper levels are implied by this one).
      const q = st.table.length + 1;
      if (q <= path.length && q <= full.length && samePrefix(full, path, q)) {
        let shared = q;
        while (shared < Math.min(full.length, path.length) && full[shared] === path[shared]) shared++;
        const inline = full.length <= path.length && startsWith(path, full);
        const how = inline
          ? `is written as a value (\`${showPath(full)} = …\`, ${at(doc, st.start)})`
          : `is defined with dotted keys (\`${showPath(st.key)} = …\` ${st.table.length ? `under [${showPath(st.table)}] ` : ''}at ${at(doc, st.start)})`;
        throw new UnsafeEditError(
          doc.file,
          `${showPath(path.slice(0, shared))} ${how}; the editor only edits [${showPath(path)}] when it is a plain [table]`,
        );
      }
    }
  }
}

/** Indices (into doc.headers) of the table and its sub-tables; refuses when they are not contiguous. */
function tablePieces(doc: Doc, path: string[]): number[] {
  const idx: number[] = [];
  doc.headers.forEach((h, i) => {
    if (startsWith(h.path, path)) idx.push(i);
  });
  for (let k = 1; k < idx.length; k++) {
    if (idx[k] !== idx[k - 1] + 1) {
      const other = doc.headers[idx[k - 1] + 1];
      throw new UnsafeEditError(
        doc.file,
        `[${showPath(path)}] is split across the file ([${showPath(other.path)}] at ${at(doc, other.start)} sits between its parts)`,
        `Move [${showPath(doc.headers[idx[k]].path)}] (${at(doc, doc.headers[idx[k]].start)}) next to [${showPath(path)}] by hand, then run the command again.`,
      );
    }
  }
  return idx;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function hasPath(data: Record<string, unknown>, path: string[]): boolean {
  let cur: unknown = data;
  for (const seg of path) {
    if (!isTable(cur) || !hasOwn(cur, seg)) return false;
    cur = cur[seg];
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

/** Structural equality of parsed TOML values (TomlDate, bigint vs number, NaN, key order ignored). */
export function tomlValuesEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const toBig = (x: unknown): bigint | undefined =>
      typeof x === 'bigint' ? x : typeof x === 'number' && Number.isInteger(x) ? BigInt(x) : undefined;
    const x = toBig(a);
    const y = toBig(b);
    return x !== undefined && x === y;
  }
  if (a instanceof Date || b instanceof Date) {
    if (!(a instanceof Date && b instanceof Date)) return false;
    try {
      return a.toISOString() === b.toISOString() && a.getTime() === b.getTime();
    } catch {
      return Number.isNaN(a.getTime()) && Number.isNaN(b.getTime());
    }
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => tomlValuesEqual(x, b[i]));
  }
  if (isTable(a) && isTable(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => hasOwn(b, k) && tomlValuesEqual(a[k], b[k]));
  }
  return a === b;
}

/**
 * Does `after` equal `before` with exactly `path` set to `change.value` (or deleted)? Intermediate
 * tables may appear (set) or disappear when they held nothing else (remove).
 */
export function isExactChange(before: unknown, after: unknown, path: string[], change: { value: unknown } | 'delete'): boolean {
  const step = (b: unknown, a: unknown, i: number): boolean => {
    if (b !== undefined && !isTable(b)) return false;
    if (a !== undefined && !isTable(a)) return false;
    if (a === undefined && change !== 'delete') return false;
    const bo: Record<string, unknown> = b ?? {};
    const ao: Record<string, unknown> = a ?? {};
    const seg = path[i];
    const keys = new Set([...Object.keys(bo), ...Object.keys(ao)]);
    for (const k of keys) {
      if (k === seg) continue;
      if (!hasOwn(bo, k) || !hasOwn(ao, k) || !tomlValuesEqual(bo[k], ao[k])) return false;
    }
    if (i === path.length - 1) {
      if (change === 'delete') return !hasOwn(ao, seg);
      return hasOwn(ao, seg) && tomlValuesEqual(ao[seg], change.value);
    }
    return step(hasOwn(bo, seg) ? bo[seg] : undefined, hasOwn(ao, seg) ? ao[seg] : undefined, i + 1);
  };
  return step(before, after, 0);
}

function verify(doc: Doc, out: string, path: string[], change: { value: unknown } | 'delete'): string {
  let after: Record<string, unknown>;
  try {
    after = parseToml(out, doc.file);
  } catch (err) {
    const why = err instanceof ConfigParseError ? `${err.reason} at line ${err.line}` : String(err);
    throw new UnsafeEditError(doc.file, `the edited file would not be valid TOML (${why}); this is a bug in mcpwire's TOML editor`);
  }
  if (!isExactChange(doc.data, after, path, change)) {
    throw new UnsafeEditError(
      doc.file,
      `the edit of [${showPath(path)}] would change more than that table; this is a bug in mcpwire's TOML editor`,
    );
  }
  return out;
}

function checkPath(tablePath: string[]): void {
  if (!Array.isArray(tablePath) || tablePath.length === 0 || tablePath.some((s) => typeof s !== 'string')) {
    throw new TypeError('tablePath must be a non-empty array of strings');
  }
}

// ---------------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------------

/** Insert table `[p0.p1…]` (e.g. ['mcp_servers','pelcro']) with `value`, or replace it if it exists. Returns the new text. */
export function setTomlTable(text: string, file: string, tablePath: string[], value: JsonObject): string {
  checkPath(tablePath);
  const doc = analyse(text, file);
  refuseAwkward(doc, tablePath);
  let rendered: string;
  try {
    rendered = renderTomlTable(tablePath, value, doc.eol);
  } catch (err) {
    if (err instanceof TomlRenderError) {
      throw new UnsafeEditError(
        file,
        `cannot write [${showPath(tablePath)}]: ${err.message}`,
        'Leave that setting out (or give it a value TOML can store), then run the command again.',
      );
    }
    throw err;
  }
  let out: string;
  if (hasPath(doc.data, tablePath)) {
    const pieces = tablePieces(doc, tablePath);
    if (pieces.length === 0) {
      throw new UnsafeEditError(file, `[${showPath(tablePath)}] is defined in a way the editor does not handle`);
    }
    const start = doc.headers[pieces[0]].start;
    const end = doc.blockEnds[pieces[pieces.length - 1]];
    out = text.slice(0, start) + rendered + text.slice(end);
  } else {
    let lastBlock = -1;
    doc.headers.forEach((h, i) => {
      if (h.path[0] === tablePath[0]) lastBlock = i;
    });
    const anchor = lastBlock >= 0 ? doc.blockEnds[lastBlock] : lastNonBlankLineEnd(text, doc.bodyStart);
    if (anchor < 0) {
      out = text.slice(0, doc.bodyStart) + rendered + doc.eol + text.slice(doc.bodyStart);
    } else {
      out = text.slice(0, anchor) + doc.eol + doc.eol + rendered + text.slice(anchor);
    }
  }
  return verify(doc, out, tablePath, { value: dropUndefined(value) });
}

/** What the written table reads back as: keys whose value is undefined are not written. */
function dropUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropUndefined);
  if (isTable(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined) Object.defineProperty(out, k, { value: dropUndefined(x), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

/** Remove the table and all its sub-tables ([mcp_servers.x.env], [[mcp_servers.x.y]] …). Returns text unchanged if absent. */
export function removeTomlTable(text: string, file: string, tablePath: string[]): string {
  checkPath(tablePath);
  const doc = analyse(text, file);
  if (!hasPath(doc.data, tablePath)) return text;
  refuseAwkward(doc, tablePath);
  const pieces = tablePieces(doc, tablePath);
  if (pieces.length === 0) {
    throw new UnsafeEditError(file, `[${showPath(tablePath)}] is defined in a way the editor does not handle`);
  }
  const header = doc.headers[pieces[0]];
  const end = doc.blockEnds[pieces[pieces.length - 1]];
  const headerLine = lineStartOf(text, header.start, doc.bodyStart);
  const prevEnd = prevNonBlankLineEnd(text, headerLine, doc.bodyStart);
  let out: string;
  if (prevEnd >= 0) {
    out = text.slice(0, prevEnd) + text.slice(end);
  } else {
    let after = end;
    if (text.startsWith('\r\n', after)) after += 2;
    else if (text[after] === '\n') after += 1;
    out = text.slice(0, headerLine) + text.slice(after);
  }
  return verify(doc, out, tablePath, 'delete');
}

