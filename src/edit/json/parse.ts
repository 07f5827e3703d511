/**
 * Parsing JSON and JSONC into a document the editor works on.
 *
 * JSONC (small files: VS Code, Cursor, Windsurf) is read like strict JSON through a copy with its
 * comments and trailing commas blanked to spaces (blankJsonc: same length, same offsets), validated by
 * one native parse of that copy; what the copy cannot serve gets jsonc-parser's full syntax tree.
 * Strict JSON (a `~/.claude.json` can be tens of MB) is validated by one native `JSON.parse`, whose
 * value is dropped at once; the editor then needs offsets only along the path to the servers
 * container, which a scanner finds by skipping over values (strings with indexOf, nesting by counting
 * brackets) and expanding, lazily, just the objects on that path.
 *
 * An edit that verifies its result may defer that first parse (`deferCheck`): the result is the old
 * text with one splice of complete tokens, and it must pass one native `JSON.parse`, which it cannot
 * when the old text is not valid (inserted into a string, a literal or a wrong place, the splice
 * breaks the new text too; between tokens, it leaves the old text's own error where it was). So the
 * whole text is parsed once per edit, not twice. Whatever ends without such a verified edit (no
 * change, a conflict, any error) calls `validate()` first, so a malformed file is still refused with
 * its path:line:column.
 *
 * Strict JSON may also be parsed as binary text (its UTF-8 bytes one per character, `binary`: see
 * src/binary-text.ts): offsets are then bytes, keys are decoded as the scanner meets them, values as they
 * are read, and errors are located on the decoded text.
 */
import { createScanner, parseTree, printParseErrorCode, SyntaxKind, type Node, type ParseError } from 'jsonc-parser';
import { ConfigParseError, lineColumn } from '../../errors.js';
import { BINARY_BOM, binaryLineColumn, fromBinary, hasNonAscii } from '../../binary-text.js';
import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  parseJsonText,
  skipWith,
  skipWs,
  stringEnd,
  valueEnd,
  type DepthLimit,
} from '../../json-text.js';
import { MAX_DEPTH, type Json, type JsonObject, type ParsedDoc } from '../types.js';

export interface JsonDialect {
  /** `//` and block comments allowed (JSONC). Strict JSON files never receive one. */
  comments: boolean;
  trailingCommas: boolean;
}
export const STRICT_JSON: JsonDialect = { comments: false, trailingCommas: false };
export const JSONC: JsonDialect = { comments: true, trailingCommas: true };

export const isStrict = (d: JsonDialect): boolean => !d.comments && !d.trailingCommas;

export interface JsonDoc extends ParsedDoc {
  readonly format: 'json' | 'jsonc';
  readonly dialect: JsonDialect;
  /** The text without its BOM: every offset is into this. */
  readonly text: string;
  /** `text` and `fullText` are binary text (strict JSON only; see src/binary-text.ts). */
  readonly binary: boolean;
  readonly bom: boolean;
  /** undefined: an empty (white space only) document. */
  readonly root: Node | undefined;
  /** The children of an object (property nodes) or array (element nodes); built on first use for strict JSON. */
  children(node: Node): readonly Node[];
  /** The value of a node (the whole document: `root`). */
  valueOf(node: Node): Json;
  /** The whole document's value (strict JSON: parsed on each call, so keep it only when needed). */
  readonly value: JsonObject;
  /** Throw the file's ConfigParseError if it is not valid (a no-op unless parsed with `deferCheck`). */
  validate(): void;
}

export interface ParseOptions {
  /** Strict JSON: scan now, parse the whole text only when validate() is called (see the top of this file). */
  deferCheck?: boolean;
  /** Strict JSON: the text is binary text (see src/binary-text.ts). */
  binary?: boolean;
}

const BOM = '\uFEFF';

/** The byte order mark as it reads in a document's text. */
export const bomOf = (binary: boolean): string => (binary ? BINARY_BOM : BOM);

export function parseJson(fullText: string, file: string, dialect: JsonDialect, opts: ParseOptions = {}): JsonDoc {
  const binary = Boolean(opts.binary);
  if (binary && !isStrict(dialect)) throw new Error('mcpwire: binary text is for strict JSON only; this is a bug in mcpwire');
  const bom = fullText.startsWith(bomOf(binary));
  const text = bom ? fullText.slice(bomOf(binary).length) : fullText;
  if (/^[ \t\r\n]*$/.test(text)) return new EmptyDoc(fullText, file, dialect, text, bom, binary);
  if (isStrict(dialect)) {
    if (!opts.deferCheck) {
      validateStrict(text, file, binary);
      return new StrictDoc(fullText, file, text, bom, binary, true, true);
    }
    // The scanner assumes valid JSON: on anything else it may stop anywhere; the parse then says where and why.
    if (text.charCodeAt(skipWs(text, 0)) !== OPEN_BRACE) validateStrict(text, file, binary);
    try {
      return new StrictDoc(fullText, file, text, bom, binary, true, false);
    } catch (e) {
      if (!(e instanceof ConfigParseError)) validateStrict(text, file, binary);
      throw e;
    }
  }
  // A JSONC file without a comment or a trailing comma (most of them: Cursor's, Windsurf's) is JSON: one
  // native parse says so, and the strict scanner reads and edits it. One with comments or trailing
  // commas is read the same way through its blanked copy (see blankJsonc). jsonc-parser's tree, built in
  // JavaScript (slow in a short command), is for the files that need it: what neither reads (an error,
  // white space JSON does not allow), and the line:column of an error.
  const blanked = blankJsonc(text, dialect);
  if (blanked !== undefined && isJsonObjectText(blanked)) return new StrictDoc(fullText, file, text, bom, false, true, true, dialect, blanked);
  return treeDoc(fullText, file, dialect, text, bom);
}

/** A JSONC text read with jsonc-parser's tree, whatever it holds (parseJson's way for what the blanked copy cannot serve; the tests compare the two). */
export function parseJsoncTree(fullText: string, file: string, dialect: JsonDialect = JSONC): JsonDoc {
  const bom = fullText.startsWith(BOM);
  const text = bom ? fullText.slice(BOM.length) : fullText;
  if (/^[ \t\r\n]*$/.test(text)) return new EmptyDoc(fullText, file, dialect, text, bom, false);
  return treeDoc(fullText, file, dialect, text, bom);
}

function treeDoc(fullText: string, file: string, dialect: JsonDialect, text: string, bom: boolean): JsonDoc {
  if (couldBeTooDeep(text)) refuseDeepNesting(text, file);
  const root = treeOrError(text, file, dialect);
  if (!root || root.type !== 'object') topLevelError(text, file, root);
  return new JsoncDoc(fullText, file, dialect, text, bom, root);
}

const SLASH = 47;
const STAR = 42;
/** Sticky: runs of characters other than quotes and slashes, and whole single-line strings, up to 1024 per call. */
const UNTIL_SLASH = /(?:[^"/]+|"[^"\\\n\r]*(?:\\[^\n\r][^"\\\n\r]*)*"){0,1024}/y;
/** Sticky: the same, up to the next comma outside strings. */
const UNTIL_COMMA = /(?:[^",]+|"[^"\\\n\r]*(?:\\[^\n\r][^"\\\n\r]*)*"){0,1024}/y;
/** Sticky: JSON white space, then a closing bracket (after a comma: a trailing comma). */
const CLOSES = /[ \t\r\n]*[}\]]/y;

/**
 * A JSONC text as JSON of the same length: every comment's characters (line breaks kept) and every
 * trailing comma blanked to spaces, strings untouched (each is skipped whole, so a `//` or `,}` inside
 * one stays). Every offset into it is an offset into the text, so a strict scan of it locates what an
 * edit of the text needs. undefined where it cannot tell (an unterminated string or comment, a lone
 * slash): jsonc-parser then reads the text, and says where it is wrong.
 */
export function blankJsonc(text: string, dialect: JsonDialect): string | undefined {
  let out = text;
  if (dialect.comments && text.includes('/')) {
    const parts: string[] = [];
    let copied = 0;
    for (let i = nextOutsideStrings(UNTIL_SLASH, SLASH, text, 0); i < text.length; i = nextOutsideStrings(UNTIL_SLASH, SLASH, text, i)) {
      if (i < 0) return undefined;
      const next = text.charCodeAt(i + 1);
      let end: number;
      if (next === SLASH) {
        end = i + 2;
        for (let d = text.charCodeAt(end); end < text.length && d !== 10 && d !== 13; d = text.charCodeAt(++end));
      } else if (next === STAR) {
        const close = text.indexOf('*/', i + 2);
        if (close === -1) return undefined;
        end = close + 2;
      } else return undefined;
      parts.push(text.slice(copied, i), text.slice(i, end).replace(/[^\r\n]/g, ' '));
      copied = i = end;
    }
    if (copied > 0) out = parts.join('') + text.slice(copied);
  }
  if (dialect.trailingCommas && out.includes(',')) {
    const commas: number[] = [];
    for (let i = nextOutsideStrings(UNTIL_COMMA, COMMA, out, 0); i < out.length; i = nextOutsideStrings(UNTIL_COMMA, COMMA, out, i + 1)) {
      if (i < 0) return undefined;
      CLOSES.lastIndex = i + 1;
      if (CLOSES.test(out)) commas.push(i);
    }
    if (commas.length > 0) {
      const parts: string[] = [];
      let copied = 0;
      for (const k of commas) {
        parts.push(out.slice(copied, k), ' ');
        copied = k + 1;
      }
      out = parts.join('') + out.slice(copied);
    }
  }
  return out;
}

/**
 * The offset of the next `target` character from i outside strings, skipped by `until` (UNTIL_SLASH,
 * UNTIL_COMMA); the text's length at its end; -1 where it cannot tell (a string the expression does not
 * take: unterminated, or a line break in it; or one too long for its backtracking stack).
 */
function nextOutsideStrings(until: RegExp, target: number, s: string, i: number): number {
  for (;;) {
    const from = i;
    i = skipWith(until, s, i);
    if (i < 0 || i >= s.length) return i;
    const c = s.charCodeAt(i);
    if (c === target) return i;
    if (c === QUOTE && i === from) return -1;
    // Otherwise the expression stopped at its bound: go on.
  }
}

/** The text is a JSON object for JSON.parse (which never throws for depth: it is not recursive). */
function isJsonObjectText(text: string): boolean {
  // An object starts with `{` after JSON's white space; anything else (a JSONC file's leading comment)
  // is not one, said without the exception JSON.parse would throw.
  if (text.charCodeAt(/^[ \t\n\r]*/.exec(text)![0].length) !== 0x7b) return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * The document of a text the editor has just produced and verified with a native parse: the same
 * as parseJson without parsing again.
 */
export function strictDocOfVerified(fullText: string, file: string, binary: boolean): JsonDoc {
  const bom = fullText.startsWith(bomOf(binary));
  const text = bom ? fullText.slice(bomOf(binary).length) : fullText;
  if (/^[ \t\r\n]*$/.test(text)) return new EmptyDoc(fullText, file, STRICT_JSON, text, bom, binary);
  return new StrictDoc(fullText, file, text, bom, binary, false, true);
}

/**
 * One native parse of the whole text: throws the ConfigParseError (path:line:column) of an invalid one.
 * Binary text parses exactly when its decoded text does (src/binary-text.ts); errors are located on the decoded text.
 */
function validateStrict(text: string, file: string, binary: boolean): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    locateError(binary ? fromBinary(text) : text, file, STRICT_JSON); // always throws
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) topLevelError(binary ? fromBinary(text) : text, file);
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** The text does not parse: throw its first error with line:column (jsonc-parser knows where). */
function locateError(text: string, file: string, dialect: JsonDialect): never {
  if (couldBeTooDeep(text)) refuseDeepNesting(text, file); // jsonc-parser's tree is recursive
  treeOrError(text, file, dialect);
  // JSON.parse refused what jsonc-parser accepts (e.g. a control character in a string).
  throw new ConfigParseError(file, 1, 1, 'not valid JSON');
}

/** Parse with jsonc-parser; throw the first error with its line:column. */
function treeOrError(text: string, file: string, dialect: JsonDialect): Node | undefined {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, {
    allowTrailingComma: dialect.trailingCommas,
    disallowComments: !dialect.comments,
    allowEmptyContent: false,
  });
  if (errors.length > 0) {
    const e = errors[0];
    const { line, column } = lineColumn(text, e.offset);
    const code = printParseErrorCode(e.error);
    const hint =
      code === 'InvalidCommentToken'
        ? 'comments are not allowed in this file (strict JSON)'
        : code === 'PropertyNameExpected' || code === 'ValueExpected'
          ? `${describeError(code)} (a trailing comma or a missing value?)`
          : describeError(code);
    throw new ConfigParseError(file, line, column, hint);
  }
  return root;
}

function describeError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function topLevelError(text: string, file: string, root?: Node): never {
  const { line, column } = lineColumn(text, root?.offset ?? text.search(/\S/));
  throw new ConfigParseError(file, line, column, 'the top level must be a JSON object');
}

function tooDeep(text: string, file: string, offset: number, binary = false): never {
  const { line, column } = binary ? binaryLineColumn(text, offset) : lineColumn(text, offset);
  throw new ConfigParseError(file, line, column, `nested more than ${MAX_DEPTH} levels deep`);
}

/**
 * Could the text nest more than MAX_DEPTH levels? Not with fewer than MAX_DEPTH opening brackets
 * (those in strings and comments count too: an overcount only costs the exact pass below). Counted
 * natively, so a small file skips a tokenizer pass.
 */
function couldBeTooDeep(text: string): boolean {
  let n = 0;
  for (const c of ['{', '[']) {
    for (let i = text.indexOf(c); i !== -1; i = text.indexOf(c, i + 1)) if (++n > MAX_DEPTH) return true;
  }
  return false;
}

/** Refuse nesting beyond MAX_DEPTH before anything recursive sees the text (token by token: comments and strings skipped). */
function refuseDeepNesting(text: string, file: string): void {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let k = scanner.scan(); k !== SyntaxKind.EOF; k = scanner.scan()) {
    if (k === SyntaxKind.OpenBraceToken || k === SyntaxKind.OpenBracketToken) {
      if (++depth > MAX_DEPTH) tooDeep(text, file, scanner.getTokenOffset());
    } else if ((k === SyntaxKind.CloseBraceToken || k === SyntaxKind.CloseBracketToken) && depth > 0) depth--;
  }
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Set an own property, as JSON.parse does (a `__proto__` key must not become the prototype). */
export function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

class EmptyDoc implements JsonDoc {
  readonly root = undefined;
  readonly format: 'json' | 'jsonc';
  constructor(
    readonly fullText: string,
    readonly file: string,
    readonly dialect: JsonDialect,
    readonly text: string,
    readonly bom: boolean,
    readonly binary: boolean,
  ) {
    this.format = isStrict(dialect) ? 'json' : 'jsonc';
  }
  children(): readonly Node[] {
    return [];
  }
  valueOf(): Json {
    return {};
  }
  get value(): JsonObject {
    return {};
  }
  validate(): void {}
}

class JsoncDoc implements JsonDoc {
  readonly format = 'jsonc';
  readonly binary = false;
  private whole: JsonObject | undefined;
  constructor(
    readonly fullText: string,
    readonly file: string,
    readonly dialect: JsonDialect,
    readonly text: string,
    readonly bom: boolean,
    readonly root: Node,
  ) {}
  /** Built on first use: an edit reads and verifies along its path only. */
  get value(): JsonObject {
    return (this.whole ??= nodeValue(this.root) as JsonObject);
  }
  children(node: Node): readonly Node[] {
    return node.children ?? [];
  }
  valueOf(node: Node): Json {
    return node === this.root ? this.value : nodeValue(node);
  }
  validate(): void {}
}

/** The value of a jsonc-parser node (duplicate keys resolve like JSON.parse: the last wins). */
function nodeValue(node: Node): Json {
  switch (node.type) {
    case 'object': {
      const o: JsonObject = {};
      for (const p of node.children ?? []) {
        const [k, v] = p.children!;
        if (v) put(o, k.value as string, nodeValue(v));
      }
      return o;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value as Json;
  }
}

/**
 * A document in strict JSON, or a JSONC file read through its blanked copy (see blankJsonc; without a
 * comment or a trailing comma, the text itself). Its dialect stays JSONC: edits are verified as JSONC's.
 */
class StrictDoc implements JsonDoc {
  readonly format: 'json' | 'jsonc';
  readonly root: Node;
  constructor(
    readonly fullText: string,
    readonly file: string,
    readonly text: string,
    readonly bom: boolean,
    readonly binary: boolean,
    checkDepth: boolean,
    private checked: boolean,
    readonly dialect: JsonDialect = STRICT_JSON,
    /** What is scanned and parsed: the text, or its blanked copy (same length, same offsets). */
    private readonly scan: string = text,
  ) {
    this.format = isStrict(dialect) ? 'json' : 'jsonc';
    const start = skipWs(scan, 0);
    const root: Mutable<Node> = { type: 'object', offset: start, length: 0 };
    // Expanding the root skips every top-level value, so it passes over the whole text: the depth check rides along.
    const end = expand(scan, root, binary, checkDepth ? { max: MAX_DEPTH, refuse: (offset) => tooDeep(text, file, offset, binary) } : undefined);
    root.length = end - start;
    this.root = root;
  }
  validate(): void {
    if (this.checked) return;
    validateStrict(this.scan, this.file, this.binary);
    this.checked = true;
  }
  /** Run a step of the scanner (or a parse of a slice): unchecked, its failure is first the file's own error. */
  private orInvalid<T>(step: () => T): T {
    if (this.checked) return step();
    try {
      return step();
    } catch (e) {
      this.validate();
      throw e;
    }
  }
  children(node: Node): readonly Node[] {
    if (node.children === undefined && (node.type === 'object' || node.type === 'array'))
      this.orInvalid(() => expand(this.scan, node as Mutable<Node>, this.binary));
    return node.children ?? [];
  }
  valueOf(node: Node): Json {
    return this.orInvalid(() => parseJsonText(this.decoded(this.scan.slice(node.offset, node.offset + node.length))) as Json);
  }
  get value(): JsonObject {
    return this.orInvalid(() => parseJsonText(this.decoded(this.scan)) as JsonObject);
  }
  private decoded(s: string): string {
    return this.binary ? fromBinary(s) : s;
  }
}

// ---------------------------------------------------------------------------------------------
// Strict scanner: valid JSON only (the native parser has accepted the text)
// ---------------------------------------------------------------------------------------------

function kindOf(c: number): Node['type'] {
  return c === OPEN_BRACE
    ? 'object'
    : c === OPEN_BRACKET
      ? 'array'
      : c === QUOTE
        ? 'string'
        : c === 110
          ? 'null'
          : c === 116 || c === 102
            ? 'boolean'
            : 'number';
}

/** Fill node.children (property nodes shaped like jsonc-parser's, or element nodes); returns the offset after the node. Keys are decoded. */
function expand(s: string, node: Mutable<Node>, binary: boolean, deep?: DepthLimit): number {
  const children: Node[] = [];
  node.children = children;
  const isObject = node.type === 'object';
  const close = isObject ? CLOSE_BRACE : CLOSE_BRACKET;
  let i = skipWs(s, node.offset + 1);
  if (s.charCodeAt(i) === close) return i + 1;
  for (;;) {
    if (isObject) {
      const ks = i;
      const ke = stringEnd(s, ks);
      const raw = s.slice(ks + 1, ke - 1);
      const key =
        binary && hasNonAscii(raw)
          ? (JSON.parse(fromBinary(s.slice(ks, ke))) as string)
          : raw.indexOf('\\') === -1
            ? raw
            : (JSON.parse(s.slice(ks, ke)) as string);
      const vs = skipWs(s, skipWs(s, ke) + 1); // after the colon
      const ve = valueEnd(s, vs, deep);
      const prop: Mutable<Node> = { type: 'property', offset: ks, length: ve - ks, parent: node, colonOffset: skipWs(s, ke) };
      prop.children = [
        { type: 'string', offset: ks, length: ke - ks, value: key, parent: prop },
        { type: kindOf(s.charCodeAt(vs)), offset: vs, length: ve - vs, parent: prop },
      ];
      children.push(prop);
      i = skipWs(s, ve);
    } else {
      const ve = valueEnd(s, i, deep);
      children.push({ type: kindOf(s.charCodeAt(i)), offset: i, length: ve - i, parent: node });
      i = skipWs(s, ve);
    }
    if (s.charCodeAt(i) === COMMA) i = skipWs(s, i + 1);
    else return i + 1; // the closing bracket
  }
}
