/**
 * Format-preserving edits of JSON and JSONC documents.
 *
 * jsonc-parser gives us the syntax tree with exact offsets, and its `applyEdits` applies the edits;
 * the edits themselves are computed here rather than by `modify`, because `modify` with formatting
 * options re-formats the neighbouring lines (it normalises `"a":1` to `"a": 1` and re-indents the
 * previous entry) and its removal deletes the comments between two properties — bytes that are not
 * ours. Every inserted byte follows the document's own style (indent unit,
 * line ending), and removal is the exact inverse of insertion, so add∘remove is the identity.
 *
 * Every edit is verified: the result is parsed again and must equal the original value with exactly
 * the intended change, else the edit is refused and nothing is written.
 */
import { applyEdits, createScanner, parseTree, printParseErrorCode, SyntaxKind, type Edit, type Node, type ParseError } from 'jsonc-parser';
import { ConfigParseError, UnsafeEditError, lineColumn } from '../errors.js';
import type { DocStyle, Json, JsonObject } from './types.js';

export interface JsonDialect {
  /** `//` and block comments allowed (JSONC). Strict JSON files never receive one. */
  comments: boolean;
  trailingCommas: boolean;
}
export const STRICT_JSON: JsonDialect = { comments: false, trailingCommas: false };
export const JSONC: JsonDialect = { comments: true, trailingCommas: true };

/** What an insertion created, so that the removal can give back the exact original bytes. */
export interface InsertHint {
  /** The insertion created this object path (it did not exist before). */
  createdPath?: string[];
  /** The container existed and was empty: its exact original text (e.g. `{}` or `{\n  }`). */
  emptyContainerText?: string;
  /** appendJsonArrayElement created the array itself (with this one element). */
  arrayCreated?: boolean;
}

export interface ParsedJson {
  text: string; // without BOM
  bom: boolean;
  root: Node | undefined; // undefined: empty document
  value: JsonObject;
}

const BOM = '\uFEFF';

/** The last document parsed: the add path reads a text, then edits that same text. */
let lastParse: { fullText: string; file: string; dialect: JsonDialect; doc: ParsedJson } | undefined;

export function parseJsonDocument(fullText: string, file: string, dialect: JsonDialect): ParsedJson {
  if (lastParse && lastParse.fullText === fullText && lastParse.dialect === dialect && lastParse.file === file) return lastParse.doc;
  const doc = parseUncached(fullText, file, dialect);
  lastParse = { fullText, file, dialect, doc };
  return doc;
}

function parseUncached(fullText: string, file: string, dialect: JsonDialect): ParsedJson {
  const bom = fullText.startsWith(BOM);
  const text = bom ? fullText.slice(1) : fullText;
  if (/^[ \t\r\n]*$/.test(text)) return { text, bom, root: undefined, value: {} }; // JSON white space only
  if (!dialect.comments && !dialect.trailingCommas) {
    // Strict JSON (a ~/.claude.json can be tens of MB): the value from the native parser, and a tree
    // only as deep as any servers container lies; jsonc-parser's full tree only to locate an error.
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      parseWithJsonc(text, file, dialect);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) topLevelError(text, file);
    return { text, bom, root: shallowTree(text, 3), value: value as JsonObject };
  }
  const root = parseWithJsonc(text, file, dialect);
  if (!root || root.type !== 'object') topLevelError(text, file, root);
  return { text, bom, root, value: nodeValue(root) as JsonObject };
}

/** Parse with jsonc-parser; throw the first error with its line:column. */
function parseWithJsonc(text: string, file: string, dialect: JsonDialect): Node | undefined {
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
      code === 'InvalidCommentToken' ? 'comments are not allowed in this file (strict JSON)'
      : code === 'PropertyNameExpected' || code === 'ValueExpected' ? `${describeError(code)} (a trailing comma or a missing value?)`
      : describeError(code);
    throw new ConfigParseError(file, line, column, hint);
  }
  if (!dialect.comments && !dialect.trailingCommas) {
    // JSON.parse refused what jsonc-parser accepts (e.g. a control character in a string).
    throw new ConfigParseError(file, 1, 1, 'not valid JSON');
  }
  return root;
}

function strictValue(fullText: string, file: string): JsonObject {
  const text = fullText.startsWith(BOM) ? fullText.slice(1) : fullText;
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) topLevelError(text, file);
  return v as JsonObject;
}

function topLevelError(text: string, file: string, root?: Node): never {
  const { line, column } = lineColumn(text, root?.offset ?? text.search(/\S/));
  throw new ConfigParseError(file, line, column, 'the top level must be a JSON object');
}

/**
 * The syntax tree of valid strict JSON, with children only for objects and arrays at depth ≤ maxDepth (the root
 * is depth 0); deeper values are skipped token by token. Same node shape as jsonc-parser's parseTree.
 */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function shallowTree(text: string, maxDepth: number): Node {
  const scanner = createScanner(text, true);
  let token = scanner.scan();
  const next = () => (token = scanner.scan());
  const at = (k: SyntaxKind) => token === k; // a function, so TypeScript does not narrow `token` across next()
  const skip = (): number => {
    // Skip one value; returns its end offset.
    let depth = 0;
    for (;;) {
      if (at(SyntaxKind.OpenBraceToken) || at(SyntaxKind.OpenBracketToken)) depth++;
      else if (at(SyntaxKind.CloseBraceToken) || at(SyntaxKind.CloseBracketToken)) depth--;
      const end = scanner.getTokenOffset() + scanner.getTokenLength();
      next();
      if (depth === 0) return end;
    }
  };
  const value = (depth: number, parent?: Node): Node => {
    const offset = scanner.getTokenOffset();
    if (at(SyntaxKind.OpenBraceToken) && depth <= maxDepth) {
      const node: Mutable<Node> = { type: 'object', offset, length: 0, parent, children: [] };
      next();
      while (token !== SyntaxKind.CloseBraceToken) {
        if (at(SyntaxKind.CommaToken)) {
          next();
          continue;
        }
        const keyOffset = scanner.getTokenOffset();
        const prop: Mutable<Node> = { type: 'property', offset: keyOffset, length: 0, parent: node, children: [] };
        prop.children!.push({ type: 'string', value: scanner.getTokenValue(), offset: keyOffset, length: scanner.getTokenLength(), parent: prop });
        next(); // the key
        prop.colonOffset = scanner.getTokenOffset();
        next(); // the colon
        const v = value(depth + 1, prop);
        prop.children!.push(v);
        prop.length = v.offset + v.length - keyOffset;
        node.children!.push(prop);
      }
      node.length = scanner.getTokenOffset() + 1 - offset;
      next();
      return node;
    }
    if (at(SyntaxKind.OpenBracketToken) && depth <= maxDepth) {
      const node: Mutable<Node> = { type: 'array', offset, length: 0, parent, children: [] };
      next();
      while (!at(SyntaxKind.CloseBracketToken)) {
        if (at(SyntaxKind.CommaToken)) next();
        else node.children!.push(value(depth + 1, node));
      }
      node.length = scanner.getTokenOffset() + 1 - offset;
      next();
      return node;
    }
    const type = at(SyntaxKind.OpenBraceToken) ? 'object' : at(SyntaxKind.OpenBracketToken) ? 'array' : at(SyntaxKind.StringLiteral) ? 'string' : at(SyntaxKind.NumericLiteral) ? 'number' : at(SyntaxKind.NullKeyword) ? 'null' : 'boolean';
    const end = skip();
    return { type, offset, length: end - offset, parent };
  };
  return value(0);
}

function describeError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Set an own property, as JSON.parse does (a `__proto__` key must not become the prototype). */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** The value of a node, built from the tree (so duplicate keys resolve like JSON.parse: last wins). */
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

export function detectStyle(text: string, bom: boolean): DocStyle {
  const nl = text.indexOf('\n');
  const eol = nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
  let indent = '  ';
  const m = /\n([ \t]+)\S/.exec(text);
  if (m) {
    let ws = m[1];
    // When the first line is indented too (an indented root `{`), the unit is the difference.
    const first = /^([ \t]*)\S/.exec(text);
    if (first && first[1] !== '' && text.slice(nl, m.index).trim() === '' && ws.startsWith(first[1]) && ws.length > first[1].length) {
      ws = ws.slice(first[1].length);
    }
    indent = ws.startsWith('\t') ? '\t' : ' '.repeat(Math.min(ws.length, 8));
  }
  return { eol, indent, bom };
}

function propertyOf(obj: Node, key: string): Node[] {
  return (obj.children ?? []).filter((p) => p.children?.[0]?.value === key);
}

/** Indentation (leading white space) of the line that contains offset. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const m = /^[ \t]*/.exec(text.slice(start, Math.min(offset, start + 200)));
  return m ? m[0] : '';
}

function sameLine(text: string, a: number, b: number): boolean {
  return text.slice(Math.min(a, b), Math.max(a, b)).indexOf('\n') === -1;
}

function render(value: Json, baseIndent: string, style: DocStyle, inline: boolean): string {
  if (inline) return JSON.stringify(value);
  return JSON.stringify(value, null, style.indent).split('\n').join(style.eol + baseIndent);
}

/** A text edit in jsonc-parser's own shape, applied with its applyEdits. */
type Splice = Edit;

/** Insert `item` (a property `"k": v` or an array element) as the last child of container. */
function appendChild(text: string, container: Node, item: (indent: string, inline: boolean) => string, style: DocStyle): Splice {
  const children = container.children ?? [];
  const open = container.offset;
  const close = container.offset + container.length - 1;
  if (children.length > 0) {
    const last = children[children.length - 1];
    const inline = sameLine(text, open, last.offset);
    const indent = lineIndent(text, last.offset);
    const content = inline ? ', ' + item(indent, true) : ',' + style.eol + indent + item(indent, false);
    return { offset: last.offset + last.length, length: 0, content };
  }
  const closeIndent = lineIndent(text, open);
  const indent = closeIndent + style.indent;
  const inner = text.slice(open + 1, close);
  const nl = inner.indexOf('\n');
  if (nl === -1) return { offset: open + 1, length: 0, content: style.eol + indent + item(indent, false) + style.eol + closeIndent };
  // Multi-line empty container: insert at the end of the `{` line, after a `// comment` that sits there.
  let at = open + 1 + nl;
  if (text[at - 1] === '\r') at--;
  const head = text.slice(open + 1, at).trim();
  if (head !== '' && !(head.startsWith('//') && tokensBetween(text, open + 1, at).comments.length === 1)) at = open + 1;
  return { offset: at, length: 0, content: style.eol + indent + item(indent, false) };
}

/** Offsets of comment tokens and commas in [start, end). */
function tokensBetween(text: string, start: number, end: number): { commas: number[]; comments: Array<[number, number]> } {
  const scanner = createScanner(text, false);
  scanner.setPosition(start);
  const commas: number[] = [];
  const comments: Array<[number, number]> = [];
  for (;;) {
    const kind = scanner.scan();
    const at = scanner.getTokenOffset();
    if (kind === SyntaxKind.EOF || at >= end) break;
    if (kind === SyntaxKind.CommaToken) commas.push(at);
    else if (kind === SyntaxKind.LineCommentTrivia || kind === SyntaxKind.BlockCommentTrivia) {
      comments.push([at, at + scanner.getTokenLength()]);
    }
  }
  return { commas, comments };
}

/**
 * Remove one child (property or element) of container. Exact inverse of appendChild when nothing was
 * written in between; comments around the child are never removed (they may describe a neighbour).
 */
function removeChild(text: string, container: Node, index: number): Splice[] {
  const children = container.children!;
  const child = children[index];
  const start = child.offset;
  const end = child.offset + child.length;
  const prev = children[index - 1];
  const next = children[index + 1];
  const close = container.offset + container.length - 1;
  if (prev) {
    const prevEnd = prev.offset + prev.length;
    const between = tokensBetween(text, prevEnd, start);
    if (between.comments.length === 0) return [{ offset: prevEnd, length: end - prevEnd, content: '' }];
    // Comments before the child stay where they are (below: with the next sibling, or as the last child).
  }
  if (next) {
    const between = tokensBetween(text, end, next.offset);
    if (between.comments.length === 0) return [{ offset: start, length: next.offset - start, content: '' }];
    const comma = between.commas[0];
    if (between.comments[0][0] < comma) {
      // `"a": 1 /* c */,`: keep the comment, drop the child and the comma
      return [{ offset: start, length: end - start, content: '' }, { offset: comma, length: 1, content: '' }];
    }
    return [{ offset: start, length: comma + 1 - start, content: '' }];
  }
  // The last child (comments, if any, before it are kept): also take its trailing comma (JSONC).
  const edits: Splice[] = [];
  let to = end;
  const after = tokensBetween(text, end, close);
  const trailing: number | undefined = after.commas[0];
  if (trailing !== undefined) {
    if (after.comments.some(([s]) => s < trailing)) edits.push({ offset: trailing, length: 1, content: '' });
    else to = trailing + 1;
  }
  let lastComment: [number, number] | undefined;
  let from: number;
  if (prev) {
    const between = tokensBetween(text, prev.offset + prev.length, start);
    const comma = between.commas[0];
    lastComment = between.comments[between.comments.length - 1];
    from = Math.max(lastComment[1], comma + 1);
    // Drop the separating comma, unless the child had a trailing comma: then the previous child keeps it as one.
    if (trailing === undefined) edits.push({ offset: comma, length: 1, content: '' });
  } else {
    const before = tokensBetween(text, container.offset + 1, start);
    lastComment = before.comments[before.comments.length - 1];
    from = lastComment ? lastComment[1] : container.offset + 1;
  }
  if (lastComment && from === lastComment[1] && text.startsWith('//', lastComment[0])) {
    // Never pull what follows the child onto a `// comment` line (it would become part of the comment).
    const eol = text.slice(to).search(/[\r\n]/);
    const rest = eol === -1 ? text.slice(to) : text.slice(to, to + eol);
    if (rest.trim() === '') to += rest.length;
    else from = start;
  }
  edits.push({ offset: from, length: to - from, content: '' });
  return edits;
}

function applySplices(text: string, splices: Splice[]): string {
  return applyEdits(text, splices);
}

function withBom(doc: ParsedJson, text: string): string {
  return doc.bom ? BOM + text : text;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
export { deepEqual };

/**
 * `value` with `path` set to `v` (undefined: deleted), sharing every untouched subtree with the
 * original: a 25 MB ~/.claude.json is not copied to check one entry.
 */
function withAt(value: JsonObject, path: readonly string[], v: Json | undefined): JsonObject {
  const out = { ...value };
  let cur = out;
  for (const k of path.slice(0, -1)) {
    const child = Object.prototype.hasOwnProperty.call(cur, k) ? cur[k] : undefined;
    const copy: JsonObject = typeof child === 'object' && child !== null && !Array.isArray(child) ? { ...child } : {};
    put(cur, k, copy);
    cur = copy;
  }
  const last = path[path.length - 1];
  if (v === undefined) delete cur[last];
  else put(cur, last, v);
  return out;
}

/** Walk an object path in a value, creating nothing. */
/**
 * Names defined more than once in the object at `path` (JSON.parse and the clients keep the last one,
 * so the earlier ones are silently shadowed). Read-only; never throws for a duplicate.
 */
export function duplicateNames(fullText: string, file: string, dialect: JsonDialect, path: readonly string[]): string[] {
  const doc = parseJsonDocument(fullText, file, dialect);
  let node = doc.root;
  for (const key of path) {
    const props = node ? propertyOf(node, key) : [];
    node = props[props.length - 1]?.children?.[1];
    if (!node || node.type !== 'object') return [];
  }
  const seen = new Map<string, number>();
  for (const p of node?.children ?? []) {
    const k = p.children?.[0]?.value as string;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

export function getAt(value: unknown, path: readonly string[]): unknown {
  let cur: unknown = value;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function nodeAt(root: Node, path: readonly string[], file: string, text: string): { node: Node | undefined; depth: number; parent: Node } {
  let cur = root;
  for (let i = 0; i < path.length; i++) {
    const props = propertyOf(cur, path[i]);
    if (props.length > 1) {
      const { line, column } = lineColumn(text, props[1].offset);
      throw new UnsafeEditError(file, `"${path.slice(0, i + 1).join('.')}" is defined twice (second at line ${line}:${column})`);
    }
    const next = props[0]?.children?.[1];
    if (!next) return { node: undefined, depth: i, parent: cur };
    if (next.type !== 'object') {
      const { line, column } = lineColumn(text, next.offset);
      throw new UnsafeEditError(file, `expected an object at "${path.slice(0, i + 1).join('.')}" (line ${line}:${column}), found ${next.type}`);
    }
    cur = next;
  }
  return { node: cur, depth: path.length, parent: cur };
}

function verify(file: string, dialect: JsonDialect, newFull: string, expected: JsonObject): void {
  let got: JsonObject;
  try {
    // Strict JSON: the native parser is all the check needs (no tree).
    got = dialect.comments || dialect.trailingCommas ? parseJsonDocument(newFull, file, dialect).value : strictValue(newFull, file);
  } catch (e) {
    throw new UnsafeEditError(file, `the edit would have produced an invalid document (${(e as Error).message})`);
  }
  if (!deepEqual(got, expected)) throw new UnsafeEditError(file, 'the edit would have changed more than the entry');
}

/**
 * Set `container[name] = value`, creating the container path if needed.
 * Returns the new full text (BOM kept) and the hint that lets removeJsonEntry restore the original.
 */
export function setJsonEntry(
  fullText: string,
  file: string,
  dialect: JsonDialect,
  containerPath: readonly string[],
  name: string,
  value: Json,
): { text: string; hint: InsertHint } {
  const doc = parseJsonDocument(fullText, file, dialect);
  const style = detectStyle(doc.text, doc.bom);
  const expected = withAt(doc.value, [...containerPath, name], value);
  let text: string;
  let hint: InsertHint = {};
  if (!doc.root) {
    // Empty document: write a fresh one.
    const nested = nest([...containerPath, name], value);
    text = render(nested, '', style, false) + style.eol;
    hint = { createdPath: [], emptyContainerText: doc.text };
  } else {
    const found = nodeAt(doc.root, containerPath, file, doc.text);
    if (found.node) {
      const container = found.node;
      const props = propertyOf(container, name);
      if (props.length > 1) throw new UnsafeEditError(file, `"${name}" is defined twice in "${containerPath.join('.')}"`);
      if (props.length === 1) {
        const valueNode = props[0].children![1];
        // Same rule as appendChild: a property that follows something on its line is written inline.
        const inline = doc.text.slice(doc.text.lastIndexOf('\n', props[0].offset - 1) + 1, props[0].offset).trim() !== '';
        const content = render(value, lineIndent(doc.text, props[0].offset), style, inline);
        text = applySplices(doc.text, [{ offset: valueNode.offset, length: valueNode.length, content }]);
      } else {
        if ((container.children ?? []).length === 0) hint = { emptyContainerText: doc.text.slice(container.offset, container.offset + container.length) };
        const splice = appendChild(doc.text, container, (indent, inline) => JSON.stringify(name) + ': ' + render(value, indent, style, inline), style);
        text = applySplices(doc.text, [splice]);
      }
    } else {
      const missing = containerPath.slice(found.depth);
      const nested = nest([...missing.slice(1), name], value);
      const splice = appendChild(doc.text, found.parent, (indent, inline) => JSON.stringify(missing[0]) + ': ' + render(nested, indent, style, inline), style);
      text = applySplices(doc.text, [splice]);
      hint = { createdPath: containerPath.slice(0, found.depth + 1) };
      if ((found.parent.children ?? []).length === 0) {
        hint.emptyContainerText = doc.text.slice(found.parent.offset, found.parent.offset + found.parent.length);
      }
    }
  }
  const out = withBom(doc, text);
  verify(file, dialect, out, expected);
  return { text: out, hint };
}

function nest(path: readonly string[], value: Json): Json {
  let v = value;
  for (let i = path.length - 1; i >= 0; i--) v = { [path[i]]: v };
  return v;
}

function isEmptySkeleton(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Object.values(v).every(isEmptySkeleton);
}

/**
 * Remove `container[name]`. With the hint recorded by setJsonEntry, a container the insertion created
 * (or an empty container it filled) is given back exactly as it was.
 */
export function removeJsonEntry(
  fullText: string,
  file: string,
  dialect: JsonDialect,
  containerPath: readonly string[],
  name: string,
  hint: InsertHint = {},
): string {
  const doc = parseJsonDocument(fullText, file, dialect);
  if (!doc.root) return fullText;
  const found = nodeAt(doc.root, containerPath, file, doc.text);
  if (!found.node) return fullText;
  const container = found.node;
  const props = propertyOf(container, name);
  if (props.length === 0) return fullText;
  if (props.length > 1) throw new UnsafeEditError(file, `"${name}" is defined twice in "${containerPath.join('.')}"`);
  const expected = withAt(doc.value, [...containerPath, name], undefined);

  let text = applySplices(doc.text, removeChild(doc.text, container, container.children!.indexOf(props[0])));
  let out = withBom(doc, text);
  verify(file, dialect, out, expected);

  // Give back a container the insertion created, or the exact text of an empty one it filled.
  const created = hint.createdPath;
  if (created && getAt(expected, created) !== undefined && isEmptySkeleton(getAt(expected, created))) {
    if (created.length === 0) return withBom(doc, hint.emptyContainerText ?? '');
    const after = parseJsonDocument(out, file, dialect);
    const parent = nodeAt(after.root!, created.slice(0, -1), file, after.text).node!;
    const idx = parent.children!.indexOf(propertyOf(parent, created[created.length - 1])[0]);
    text = applySplices(after.text, removeChild(after.text, parent, idx));
    const expected2 = withAt(expected, created, undefined);
    if (hint.emptyContainerText !== undefined) {
      text = restoreEmpty(after, text, created.slice(0, -1), hint.emptyContainerText, file, dialect);
    }
    out = withBom(doc, text);
    verify(file, dialect, out, expected2);
  } else if (hint.emptyContainerText !== undefined && !created) {
    const after = parseJsonDocument(out, file, dialect);
    const restored = restoreEmpty(after, after.text, containerPath, hint.emptyContainerText, file, dialect);
    if (restored !== after.text) {
      out = withBom(doc, restored);
      verify(file, dialect, out, expected);
    }
  }
  return out;
}

/** Replace an object that has no properties left (and no comments) by its recorded original text. */
function restoreEmpty(_doc: ParsedJson, text: string, path: readonly string[], original: string, file: string, dialect: JsonDialect): string {
  const reparsed = parseJsonDocument(text, file, dialect);
  if (!reparsed.root) return text;
  const node = nodeAt(reparsed.root, path, file, reparsed.text).node;
  if (!node || (node.children ?? []).length > 0) return text;
  const inner = text.slice(node.offset + 1, node.offset + node.length - 1);
  if (!onlyWhiteSpaceDiffers(inner, original.slice(1, -1))) return text; // a comment was added there since: keep it
  return text.slice(0, node.offset) + original + text.slice(node.offset + node.length);
}

/** The insides of two empty containers hold the same comments (so they differ in white space only). */
function onlyWhiteSpaceDiffers(inner: string, originalInner: string): boolean {
  const commentTexts = (t: string) => JSON.stringify(tokensBetween(t, 0, t.length).comments.map(([s, e]) => t.slice(s, e)));
  return commentTexts(inner) === commentTexts(originalInner);
}

/** Append an element to the array at `arrayPath` (created if missing). Used for VS Code `inputs`. */
export function appendJsonArrayElement(
  fullText: string,
  file: string,
  dialect: JsonDialect,
  arrayPath: readonly string[],
  element: Json,
): { text: string; hint: InsertHint } {
  const doc = parseJsonDocument(fullText, file, dialect);
  const existing = getAt(doc.value, arrayPath);
  if (existing === undefined || !doc.root) {
    const created = setJsonEntry(fullText, file, dialect, arrayPath.slice(0, -1), arrayPath[arrayPath.length - 1], [element]);
    return { text: created.text, hint: { ...created.hint, arrayCreated: true } };
  }
  if (!Array.isArray(existing)) throw new UnsafeEditError(file, `expected an array at "${arrayPath.join('.')}"`);
  const style = detectStyle(doc.text, doc.bom);
  const arr = arrayNode(doc, arrayPath);
  const hint: InsertHint = (arr.children ?? []).length === 0 ? { emptyContainerText: doc.text.slice(arr.offset, arr.offset + arr.length) } : {};
  const splice = appendChild(doc.text, arr, (indent, inline) => render(element, indent, style, inline), style);
  const out = withBom(doc, applySplices(doc.text, [splice]));
  const expected = withAt(doc.value, arrayPath, [...existing, element]);
  verify(file, dialect, out, expected);
  return { text: out, hint };
}

function arrayNode(doc: ParsedJson, arrayPath: readonly string[]): Node {
  const parent = nodeAt(doc.root!, arrayPath.slice(0, -1), '', doc.text).node!;
  return propertyOf(parent, arrayPath[arrayPath.length - 1])[0].children![1];
}

/** Remove the elements for which `match` is true from the array at arrayPath. */
export function removeJsonArrayElements(
  fullText: string,
  file: string,
  dialect: JsonDialect,
  arrayPath: readonly string[],
  match: (element: Json) => boolean,
  hint: InsertHint = {},
): string {
  let out = fullText;
  for (;;) {
    const doc = parseJsonDocument(out, file, dialect);
    const existing = getAt(doc.value, arrayPath);
    if (!doc.root || !Array.isArray(existing)) return out;
    const idx = existing.findIndex((e) => match(e as Json));
    if (idx === -1) break;
    const arr = arrayNode(doc, arrayPath);
    const expected = withAt(doc.value, arrayPath, existing.filter((_, i) => i !== idx));
    out = withBom(doc, applySplices(doc.text, removeChild(doc.text, arr, idx)));
    verify(file, dialect, out, expected);
  }
  const doc = parseJsonDocument(out, file, dialect);
  const arr = getAt(doc.value, arrayPath);
  if (Array.isArray(arr) && arr.length === 0) {
    if (hint.arrayCreated) {
      const { arrayCreated: _, ...parentHint } = hint;
      return removeJsonEntry(out, file, dialect, arrayPath.slice(0, -1), arrayPath[arrayPath.length - 1], parentHint);
    }
    if (hint.emptyContainerText !== undefined) {
      const node = arrayNode(doc, arrayPath);
      const inner = doc.text.slice(node.offset + 1, node.offset + node.length - 1);
      if (onlyWhiteSpaceDiffers(inner, hint.emptyContainerText.slice(1, -1))) {
        return withBom(doc, doc.text.slice(0, node.offset) + hint.emptyContainerText + doc.text.slice(node.offset + node.length));
      }
    }
  }
  return out;
}
