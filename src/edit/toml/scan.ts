/**
 * Reading TOML: the value (smol-toml) and the statements with their offsets (a small scanner), for
 * Codex's `config.toml`. The document is never re-serialised; edits are splices at these offsets.
 */
import { parse as smolParse, TomlError } from 'smol-toml';
import { ConfigParseError, lineColumn } from '../../errors.js';
import { MAX_DEPTH } from '../types.js';

const BOM = '\uFEFF';

export function bodyStartOf(text: string): number {
  return text.startsWith(BOM) ? 1 : 0;
}

/**
 * Parse TOML (a leading UTF-8 BOM is allowed and ignored). Throws ConfigParseError(file, line, column,
 * reason) on bad syntax. Integers that do not fit a JS number exactly come back as bigint; dates and
 * times as smol-toml's TomlDate.
 */
export function parseToml(text: string, file: string): Record<string, unknown> {
  const body = text.slice(bodyStartOf(text));
  let data: Record<string, unknown>;
  try {
    // smol-toml refuses inline values nested deeper than MAX_DEPTH itself (with line:column).
    data = smolParse(body, { integersAsBigInt: 'asNeeded', maxDepth: MAX_DEPTH }) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = firstLine(err.message).replace(/^Invalid TOML document:\s*/, '');
      throw new ConfigParseError(file, err.line || 1, err.column || 1, `invalid TOML: ${reason}`);
    }
    const reason = err instanceof Error ? firstLine(err.message) : String(err);
    throw new ConfigParseError(file, 1, 1, `invalid TOML: ${reason}`);
  }
  if (couldNestTooDeep(body) && depthOf(data) > MAX_DEPTH) tooDeep(text, file);
  return data;
}

/**
 * Could the text nest deeper than MAX_DEPTH? Each level below the root takes a `.` (a dotted key or
 * header), a `[` (a header, an array) or a `{` (an inline table): with fewer of those, no (counted
 * natively; a small file skips the walk over its parsed value).
 */
function couldNestTooDeep(text: string): boolean {
  let n = 1;
  for (const c of ['.', '[', '{']) {
    for (let i = text.indexOf(c); i !== -1; i = text.indexOf(c, i + 1)) if (++n > MAX_DEPTH) return true;
  }
  return false;
}

/** Nesting depth of parsed tables and arrays, without recursion (a dotted key can nest 100,000 levels). */
function depthOf(data: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[data, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null || v instanceof Date) continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_DEPTH) return max;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, d + 1]);
  }
  return max;
}

/**
 * Refuse, naming the first statement whose dotted path alone nests too deep, else the one with the
 * longest path (inline values are bounded by smol-toml itself).
 */
function tooDeep(text: string, file: string): never {
  let offset = 0;
  try {
    let longest = 0;
    for (const s of scanToml(text)) {
      const n = s.kind === 'table' || s.kind === 'arrayTable' ? s.path.length : s.kind === 'keyValue' ? s.table.length + s.key.length : 0;
      if (n > longest) [longest, offset] = [n, s.start];
      if (n > MAX_DEPTH) break; // the first statement that nests too deep by itself
    }
  } catch {
    // the scanner could not follow the layout: the start of the file is the best place to name
  }
  const { line, column } = lineColumn(text, offset);
  throw new ConfigParseError(file, line, column, `invalid TOML: nested more than ${MAX_DEPTH} levels deep`);
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i === -1 ? s : s.slice(0, i)).trim();
}

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

export type HeaderStatement = Extract<TomlStatement, { kind: 'table' | 'arrayTable' }>;

export class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ScanError';
  }
}

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t';

// Runs the scanner would otherwise walk a character at a time, matched natively (a command runs this
// code cold, in the interpreter: one regular-expression call per key or value, not one per character).
/** Sticky: a bare key. */
const BARE_KEY = /[A-Za-z0-9_-]+/y;
/** Sticky: a single-line basic string without escapes (its body captured). */
const PLAIN_BASIC = /"([^"\\\n]*)"/y;
/** Sticky: the characters of a number, boolean or date/time (up to what ends it). */
const SCALAR = /[^,\]}#\n\r]*/y;

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
    const s = this.s;
    let i = this.i;
    for (let c = s.charCodeAt(i); c === 32 || c === 9; c = s.charCodeAt(i)) i++;
    this.i = i;
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
    BARE_KEY.lastIndex = this.i;
    if (!BARE_KEY.test(this.s)) this.fail('expected a key');
    const start = this.i;
    this.i = BARE_KEY.lastIndex;
    return this.s.slice(start, this.i);
  }

  /** A single-line basic string, decoded. */
  readBasicString(): string {
    PLAIN_BASIC.lastIndex = this.i;
    const plain = PLAIN_BASIC.exec(this.s);
    if (plain !== null) {
      this.i = PLAIN_BASIC.lastIndex;
      return plain[1];
    }
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
    SCALAR.lastIndex = start;
    SCALAR.test(s);
    this.i = SCALAR.lastIndex;
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
