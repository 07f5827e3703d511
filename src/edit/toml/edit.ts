/**
 * Format-preserving TOML editor for OpenAI Codex's `config.toml` (`[mcp_servers.NAME]` tables).
 *
 * An edit is one splice of the text, verified by parsing the result and comparing it with the
 * intended change.
 *
 * Layout rules (see the module brief):
 * - A new table goes right after the last key line of the last `[mcp_servers…]` block, or after the
 *   last non-blank line of the file when there is none: `EOL EOL [header] EOL key lines` is inserted
 *   at the end of that line's content, before its line break.
 * - Removal is the exact inverse: from the end of the last non-blank line before the header to the
 *   end of the table's last key line (sub-tables included). So remove(set(doc)) === doc.
 * - Replace swaps [header start, end of last key line] for the rendered table.
 */
import { ConfigParseError, UnsafeEditError, lineColumn } from '../../errors.js';
import type { DocEdit, JsonObject, ParsedDoc } from '../types.js';
import { renderTomlKey, renderTomlTable, TomlRenderError } from './render.js';
import { bodyStartOf, parseToml, scanToml, ScanError, type HeaderStatement, type TomlStatement } from './scan.js';

// ---------------------------------------------------------------------------------------------
// Layout helpers
// ---------------------------------------------------------------------------------------------

/** The document's line ending: CRLF if its first line break is CRLF, else LF. */
function detectEol(text: string): '\n' | '\r\n' {
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

/** A parsed TOML file: its value; the statement layout is scanned only when an edit needs it. */
export interface TomlDoc extends ParsedDoc {
  readonly format: 'toml';
  readonly data: Record<string, unknown>;
}

export function parseTomlDoc(fullText: string, file: string): TomlDoc {
  return { format: 'toml', file, fullText, data: parseToml(fullText, file) };
}

function analyse(parsed: TomlDoc): Doc {
  const { fullText: text, file, data } = parsed;
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
    // The first level a key/value statement defines by itself is its table's path and its key's first
    // part (deeper levels are implied by that one); only a statement whose first level is on `path` matters.
    if (st.kind === 'keyValue' && st.table.length < path.length && st.key[0] === path[st.table.length] && samePrefix(st.table, path, st.table.length)) {
      const full = [...st.table, ...st.key];
      let shared = st.table.length + 1;
      while (shared < Math.min(full.length, path.length) && full[shared] === path[shared]) shared++;
      const inline = full.length <= path.length && startsWith(path, full);
      const how = inline
        ? `is written as a value (\`${showPath(full)} = …\`, ${at(doc, st.start)})`
        : `is defined with dotted keys (\`${showPath(st.key)} = …\` ${st.table.length ? `under [${showPath(st.table)}] ` : ''}at ${at(doc, st.start)})`;
      throw new UnsafeEditError(doc.file, `${showPath(path.slice(0, shared))} ${how}; the editor only edits [${showPath(path)}] when it is a plain [table]`);
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
    const toBig = (x: unknown): bigint | undefined => (typeof x === 'bigint' ? x : typeof x === 'number' && Number.isInteger(x) ? BigInt(x) : undefined);
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

function verify(doc: Doc, out: string, path: string[], change: { value: unknown } | 'delete'): DocEdit<TomlDoc> {
  let after: Record<string, unknown>;
  try {
    after = parseToml(out, doc.file);
  } catch (err) {
    const why = err instanceof ConfigParseError ? `${err.reason} at line ${err.line}` : String(err);
    throw new UnsafeEditError(doc.file, `the edited file would not be valid TOML (${why}); this is a bug in mcpwire's TOML editor`);
  }
  if (!isExactChange(doc.data, after, path, change)) {
    throw new UnsafeEditError(doc.file, `the edit of [${showPath(path)}] would change more than that table; this is a bug in mcpwire's TOML editor`);
  }
  const next: TomlDoc = { format: 'toml', file: doc.file, fullText: out, data: after };
  return { text: out, hint: {}, after: () => next };
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
export function setTomlTableIn(parsed: TomlDoc, tablePath: string[], value: JsonObject): DocEdit<TomlDoc> {
  checkPath(tablePath);
  const doc = analyse(parsed);
  const { text, file } = doc;
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
export function removeTomlTableIn(parsed: TomlDoc, tablePath: string[]): DocEdit<TomlDoc> {
  checkPath(tablePath);
  if (!hasPath(parsed.data, tablePath)) return { text: parsed.fullText, hint: {}, after: () => parsed };
  const doc = analyse(parsed);
  const { text, file } = doc;
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

/** setTomlTableIn on a text: the new text. */
export function setTomlTable(text: string, file: string, tablePath: string[], value: JsonObject): string {
  return setTomlTableIn(parseTomlDoc(text, file), tablePath, value).text;
}

/** removeTomlTableIn on a text: the new text (unchanged when the table is absent). */
export function removeTomlTable(text: string, file: string, tablePath: string[]): string {
  return removeTomlTableIn(parseTomlDoc(text, file), tablePath).text;
}
