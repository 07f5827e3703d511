/**
 * Reading and editing entries of a parsed JSON/JSONC document. Every edit is verified before its text
 * is returned, else it is refused and nothing is written:
 * the result is the original with exactly the planned splice(s) at the positions the parse located, so
 * every byte outside them is the original's by construction; one parse of the result must succeed
 * (strict JSON: one native JSON.parse, and exactly one splice; JSONC: one parse of the new text, its
 * blanked copy's or jsonc-parser's tree, which is then the next edit's document); along the path every
 * object keeps its keys (plus the one created, minus the one removed); and the changed value (the
 * entry, or the whole `inputs` array) reads back as written.
 */
import type { Node } from 'jsonc-parser';
import { UnsafeEditError, lineColumn } from '../../errors.js';
import { deepEqual, ownEntries, type DocEdit, type InsertHint, type Json } from '../types.js';
import { bomOf, isStrict, parseJson, strictDocOfVerified, type JsonDoc } from './parse.js';
import { binaryLineColumn, fromBinary, hasNonAscii, toBinary } from '../../binary-text.js';
import { appendChild, applySplices, detectStyle, lineIndent, onlyWhiteSpaceDiffers, removeChild, render, type Splice } from './splice.js';
import { parseJsonText } from '../../json-text.js';

/** Line and column of an offset, for the user (binary text: the column counted on the decoded line). */
function where(doc: JsonDoc, offset: number): { line: number; column: number } {
  return doc.binary ? binaryLineColumn(doc.text, offset) : lineColumn(doc.text, offset);
}

// ---------------------------------------------------------------------------------------------
// Reading (as the clients read: the last of duplicate keys wins)
// ---------------------------------------------------------------------------------------------

function lastProperty(doc: JsonDoc, obj: Node, key: string): Node | undefined {
  const props = doc.children(obj);
  for (let i = props.length - 1; i >= 0; i--) if (props[i].children?.[0]?.value === key) return props[i];
  return undefined;
}

/** The node at an object path, as JSON.parse would resolve it; undefined when absent or not under objects. */
function nodeAt(doc: JsonDoc, path: readonly string[]): Node | undefined {
  let node = doc.root;
  for (const key of path) {
    if (!node || node.type !== 'object') return undefined;
    node = lastProperty(doc, node, key)?.children?.[1];
  }
  return node;
}

/** The value at an object path (undefined when absent). */
export function jsonValueAt(doc: JsonDoc, path: readonly string[]): Json | undefined {
  if (!doc.root) return path.length === 0 ? {} : undefined;
  const node = nodeAt(doc, path);
  return node ? doc.valueOf(node) : undefined;
}

/** The entries of the object at `container`: own properties only ({} when there is none). */
export function jsonEntries(doc: JsonDoc, container: readonly string[]): Record<string, unknown> {
  const node = nodeAt(doc, container);
  return ownEntries(node && node.type === 'object' ? doc.valueOf(node) : undefined);
}

/**
 * Names defined more than once in the object at `path` (JSON.parse and the clients keep the last one,
 * so the earlier ones are silently shadowed). Read-only; never throws for a duplicate.
 */
export function jsonDuplicates(doc: JsonDoc, path: readonly string[]): string[] {
  const node = nodeAt(doc, path);
  if (!node || node.type !== 'object') return [];
  const seen = new Map<string, number>();
  for (const p of doc.children(node)) {
    const k = p.children?.[0]?.value as string;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

// ---------------------------------------------------------------------------------------------
// Locating for an edit (a duplicate or a non-object along the path is refused)
// ---------------------------------------------------------------------------------------------

function propertiesNamed(doc: JsonDoc, obj: Node, key: string): Node[] {
  return doc.children(obj).filter((p) => p.children?.[0]?.value === key);
}

function locate(doc: JsonDoc, root: Node, path: readonly string[]): { node: Node | undefined; depth: number; parent: Node } {
  let cur = root;
  for (let i = 0; i < path.length; i++) {
    const props = propertiesNamed(doc, cur, path[i]);
    if (props.length > 1) {
      const { line, column } = where(doc, props[1].offset);
      throw new UnsafeEditError(doc.file, `"${path.slice(0, i + 1).join('.')}" is defined twice (second at line ${line}:${column})`);
    }
    const next = props[0]?.children?.[1];
    if (!next) return { node: undefined, depth: i, parent: cur };
    if (next.type !== 'object') {
      const { line, column } = where(doc, next.offset);
      throw new UnsafeEditError(doc.file, `expected an object at "${path.slice(0, i + 1).join('.')}" (line ${line}:${column}), found ${next.type}`);
    }
    cur = next;
  }
  return { node: cur, depth: path.length, parent: cur };
}

/** The single property `key` of obj; refuses a duplicate. */
function onlyProperty(doc: JsonDoc, obj: Node, key: string, where: readonly string[]): Node | undefined {
  const props = propertiesNamed(doc, obj, key);
  if (props.length > 1) throw new UnsafeEditError(doc.file, `"${key}" is defined twice in "${where.join('.')}"`);
  return props[0];
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

/**
 * Apply the splices to doc's text and verify that the result is the document with exactly
 * `path` set to `value` (undefined: deleted). Returns the edit. Exported for its tests (wrong splices).
 */
export function edited(doc: JsonDoc, splices: readonly Splice[], path: readonly string[], value: Json | undefined, hint: InsertHint): DocEdit<JsonDoc> {
  const file = doc.file;
  if (isStrict(doc.dialect)) {
    if (splices.length !== 1) throw new UnsafeEditError(file, 'the edit would take more than one splice of a strict JSON file; this is a bug in mcpwire');
    // Binary text takes what is inserted as its UTF-8 bytes.
    const [s] = doc.binary ? splices.map((s) => ({ ...s, content: toBinary(s.content) })) : splices;
    const text = withBom(doc, applySplices(doc.text, [s]));
    try {
      verifyStrict(doc, text, s, path, value);
    } catch (e) {
      doc.validate(); // an old text that does not parse is refused as such (with its line:column)
      throw e;
    }
    let after: JsonDoc | undefined;
    const at = s.offset + (doc.bom ? bomOf(doc.binary).length : 0);
    return {
      text,
      hint,
      after: () => (after ??= strictDocOfVerified(text, file, doc.binary)),
      splice: { base: doc.fullText, at, remove: s.length, insert: s.content },
    };
  }
  const text = withBom(doc, applySplices(doc.text, splices));
  let after: JsonDoc;
  try {
    after = parseJson(text, file, doc.dialect);
  } catch (e) {
    throw new UnsafeEditError(file, `the edit would have produced an invalid document (${(e as Error).message})`);
  }
  verifyTree(doc, after, path, value);
  return { text, hint, after: () => after };
}

/** The keys of an object node, in order (duplicates included). */
function keysOf(doc: JsonDoc, obj: Node): string[] {
  return doc.children(obj).map((p) => p.children![0].value as string);
}

/**
 * JSONC: `after` (the one parse of the new text) is `doc` with `path` set to `value` (undefined:
 * deleted), checked along the path: every object on it keeps its keys (plus the one created, minus the
 * one removed, duplicates counted) and the changed value reads back as written. Every byte outside the
 * splices is the original's by construction, and the splices sit at positions the parse located.
 */
function verifyTree(doc: JsonDoc, after: JsonDoc, path: readonly string[], value: Json | undefined): void {
  if (path.length === 0) {
    if (!deepEqual(after.root ? after.valueOf(after.root) : {}, value ?? {})) throw changedMore(doc.file);
    return;
  }
  let oldNode = doc.root;
  let cur = after.root;
  for (let i = 0; i < path.length; i++) {
    if (!cur || cur.type !== 'object') throw changedMore(doc.file);
    const key = path[i];
    const last = i === path.length - 1;
    const oldKeys = oldNode ? keysOf(doc, oldNode) : [];
    const had = oldKeys.includes(key);
    const expected = new Set(oldKeys);
    if (last && value === undefined) expected.delete(key);
    else expected.add(key);
    const keys = keysOf(after, cur);
    const count = oldKeys.length + (last && value === undefined ? -1 : had ? 0 : 1);
    if (keys.length !== count || !keys.every((k) => expected.has(k)) || new Set(keys).size !== expected.size) throw changedMore(doc.file);
    const next = lastProperty(after, cur, key)?.children?.[1];
    if (last) {
      if (value === undefined ? next !== undefined : !next || !deepEqual(after.valueOf(next), value)) throw changedMore(doc.file);
      return;
    }
    const child = oldNode ? lastProperty(doc, oldNode, key)?.children?.[1] : undefined;
    oldNode = child?.type === 'object' ? child : undefined;
    cur = next;
  }
}

function changedMore(file: string): UnsafeEditError {
  return new UnsafeEditError(file, 'the edit would have changed more than the entry');
}

/**
 * The deepest object below the root along `path` whose braces hold the splice strictly inside, and how
 * many keys of `path` lead to it (undefined: none; the splice is the root's own).
 */
function enclosingObject(doc: JsonDoc, s: Splice, path: readonly string[]): { node: Node; depth: number } | undefined {
  let found: { node: Node; depth: number } | undefined;
  let cur = doc.root;
  for (let i = 0; i < path.length && cur; i++) {
    const next = lastProperty(doc, cur, path[i])?.children?.[1];
    if (!next || next.type !== 'object' || !(next.offset < s.offset && s.offset + s.length < next.offset + next.length)) break;
    found = { node: next, depth: i + 1 };
    cur = next;
  }
  return found;
}

/**
 * The new text is the document with `path` set to `value` (undefined: deleted), proved by a native parse.
 * Of the whole new text, or, where the splice lies inside an object below the root (the servers
 * container, Claude Code's project), of that object's new text alone once the old text is proved valid:
 * a valid document with one value's text replaced by another valid value's text is valid, and differs
 * in that value only. The new text of a large file is then never put together in memory (a flat copy of
 * Claude Code's 256 KiB file, with its parse, for each edit).
 */
function verifyStrict(doc: JsonDoc, newFull: string, s: Splice, path: readonly string[], value: Json | undefined): void {
  const local = enclosingObject(doc, s, path);
  let text: string;
  let oldNode = doc.root;
  let rest = path;
  if (local) {
    doc.validate(); // the old text, whole: a ConfigParseError with its line:column if it does not parse
    const end = local.node.offset + local.node.length;
    text = doc.text.slice(local.node.offset, s.offset) + s.content + doc.text.slice(s.offset + s.length, end);
    oldNode = local.node;
    rest = path.slice(local.depth);
  } else {
    const bom = bomOf(doc.binary);
    text = newFull.startsWith(bom) ? newFull.slice(bom.length) : newFull;
  }
  let got: unknown;
  try {
    got = parseJsonText(text);
  } catch (e) {
    throw new UnsafeEditError(doc.file, `the edit would have produced an invalid document (${(e as Error).message})`);
  }
  // Binary text parses as its decoded text does (src/binary-text.ts), but its strings read as bytes:
  // compared as they are where everything compared is ASCII, else read again from the decoded text.
  if (doc.binary && !asciiAlong(got, rest)) got = parseJsonText(fromBinary(text));
  if (local && rest.length > 0) {
    // JSON.parse keeps one of a repeated key: the object's properties as written are counted too.
    const had = lastProperty(doc, local.node, rest[0]) !== undefined;
    const want = doc.children(local.node).length + (rest.length === 1 && value === undefined ? -1 : had ? 0 : 1);
    const written = strictDocOfVerified(text, doc.file, doc.binary);
    if (written.children(written.root!).length !== want) throw changedMore(doc.file);
  }
  let cur = got;
  for (let i = 0; i < rest.length; i++) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) throw changedMore(doc.file);
    const key = rest[i];
    const last = i === rest.length - 1;
    const expected = new Set(oldNode ? doc.children(oldNode).map((p) => p.children![0].value as string) : []);
    if (last && value === undefined) expected.delete(key);
    else expected.add(key);
    const keys = Object.keys(cur);
    if (keys.length !== expected.size || !keys.every((k) => expected.has(k))) throw changedMore(doc.file);
    const has = Object.prototype.hasOwnProperty.call(cur, key);
    const next: unknown = has ? (cur as Record<string, unknown>)[key] : undefined;
    if (last) {
      if (value === undefined ? has : !deepEqual(next, value)) throw changedMore(doc.file);
      return;
    }
    const child = oldNode ? lastProperty(doc, oldNode, key)?.children?.[1] : undefined;
    oldNode = child?.type === 'object' ? child : undefined;
    cur = next;
  }
  // An empty path: the whole document was written (it was empty before).
  if (!deepEqual(got, value)) throw changedMore(doc.file);
}

/** Along `path` in a parsed value, every key of every object and the value at its end are ASCII. */
function asciiAlong(got: unknown, path: readonly string[]): boolean {
  let cur = got;
  for (const key of path) {
    // Not an object: refused below whichever text it was read from.
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return true;
    for (const k of Object.keys(cur)) if (hasNonAscii(k)) return false;
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return true;
    cur = (cur as Record<string, unknown>)[key];
  }
  return !hasNonAscii(JSON.stringify(cur) ?? '');
}

function withBom(doc: JsonDoc, text: string): string {
  return doc.bom ? bomOf(doc.binary) + text : text;
}

function unchanged(doc: JsonDoc): DocEdit<JsonDoc> {
  return { text: doc.fullText, hint: {}, after: () => doc };
}

// ---------------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------------

function nest(path: readonly string[], value: Json): Json {
  let v = value;
  for (let i = path.length - 1; i >= 0; i--) v = { [path[i]]: v };
  return v;
}

/**
 * Set `container[name] = value`, creating the container path if needed. The hint lets
 * removeJsonEntryIn give back the original bytes.
 */
export function setJsonEntryIn(doc: JsonDoc, containerPath: readonly string[], name: string, value: Json): DocEdit<JsonDoc> {
  const style = detectStyle(doc.text, doc.bom);
  if (!doc.root) {
    // Empty document: write a fresh one (replacing its white space).
    const content = render(nest([...containerPath, name], value), '', style, false) + style.eol;
    const top = [...containerPath, name][0];
    return edited(doc, [{ offset: 0, length: doc.text.length, content }], [top], nest([...containerPath, name].slice(1), value), {
      createdPath: [],
      emptyContainerText: doc.text,
    });
  }
  const found = locate(doc, doc.root, containerPath);
  const path = [...containerPath, name];
  if (found.node) {
    const container = found.node;
    const prop = onlyProperty(doc, container, name, containerPath);
    if (prop) {
      const valueNode = prop.children![1];
      // Same rule as appendChild: a property that follows something on its line is written inline.
      const inline = doc.text.slice(doc.text.lastIndexOf('\n', prop.offset - 1) + 1, prop.offset).trim() !== '';
      const content = render(value, lineIndent(doc.text, prop.offset), style, inline);
      return edited(doc, [{ offset: valueNode.offset, length: valueNode.length, content }], path, value, {});
    }
    const children = doc.children(container);
    const hint: InsertHint = children.length === 0 ? { emptyContainerText: doc.text.slice(container.offset, container.offset + container.length) } : {};
    const splices = appendChild(doc.text, container, children, (indent, inline) => JSON.stringify(name) + ': ' + render(value, indent, style, inline), style);
    return edited(doc, splices, path, value, hint);
  }
  const missing = containerPath.slice(found.depth);
  const nested = nest([...missing.slice(1), name], value);
  const children = doc.children(found.parent);
  const splices = appendChild(
    doc.text,
    found.parent,
    children,
    (indent, inline) => JSON.stringify(missing[0]) + ': ' + render(nested, indent, style, inline),
    style,
  );
  const hint: InsertHint = { createdPath: containerPath.slice(0, found.depth + 1) };
  if (children.length === 0) hint.emptyContainerText = doc.text.slice(found.parent.offset, found.parent.offset + found.parent.length);
  return edited(doc, splices, containerPath.slice(0, found.depth + 1), nested, hint);
}

/** The node holds nothing but (possibly nested) empty objects. */
function isEmptySkeleton(doc: JsonDoc, node: Node): boolean {
  if (node.type !== 'object') return false;
  return doc.children(node).every((p) => isEmptySkeleton(doc, p.children![1]));
}

/**
 * Remove `container[name]`. With the hint recorded by setJsonEntryIn, a container the insertion created
 * (or an empty container it filled) is given back exactly as it was.
 */
export function removeJsonEntryIn(doc: JsonDoc, containerPath: readonly string[], name: string, hint: InsertHint = {}): DocEdit<JsonDoc> {
  if (!doc.root) return unchanged(doc);
  const found = locate(doc, doc.root, containerPath);
  if (!found.node) return unchanged(doc);
  const container = found.node;
  const prop = onlyProperty(doc, container, name, containerPath);
  if (!prop) return unchanged(doc);
  const children = doc.children(container);
  let result = edited(doc, removeChild(doc.text, container, children, children.indexOf(prop)), [...containerPath, name], undefined, {});

  // Give back a container the insertion created, or the exact text of an empty one it filled.
  const created = hint.createdPath;
  if (created) {
    const after = result.after();
    const createdNode = after.root ? nodeAt(after, created) : undefined;
    if (created.length === 0) {
      if (after.root && isEmptySkeleton(after, after.root))
        return {
          text: withBom(doc, hint.emptyContainerText ?? ''),
          hint: {},
          after: () => parseJson(withBom(doc, hint.emptyContainerText ?? ''), doc.file, doc.dialect, { binary: doc.binary }),
        };
      return result;
    }
    if (!createdNode || !isEmptySkeleton(after, createdNode)) return result;
    const parent = locate(after, after.root!, created.slice(0, -1)).node!;
    const siblings = after.children(parent);
    const idx = siblings.indexOf(onlyProperty(after, parent, created[created.length - 1], created.slice(0, -1))!);
    result = edited(after, removeChild(after.text, parent, siblings, idx), created, undefined, {});
    if (hint.emptyContainerText !== undefined) result = restoreEmpty(result, created.slice(0, -1), hint.emptyContainerText);
    return result;
  }
  if (hint.emptyContainerText !== undefined) result = restoreEmpty(result, containerPath, hint.emptyContainerText);
  return result;
}

/** Replace an object or array that has no children left (and no comments) by its recorded original text. */
function restoreEmpty(prev: DocEdit<JsonDoc>, path: readonly string[], original: string): DocEdit<JsonDoc> {
  const doc = prev.after();
  if (!doc.root) return prev;
  const node = path.length === 0 ? doc.root : nodeAt(doc, path);
  if (!node || doc.children(node).length > 0) return prev;
  const inner = doc.text.slice(node.offset + 1, node.offset + node.length - 1);
  if (inner === original.slice(1, -1)) return prev;
  if (!onlyWhiteSpaceDiffers(inner, original.slice(1, -1))) return prev; // a comment was added there since: keep it
  return edited(doc, [{ offset: node.offset, length: node.length, content: original }], path, node.type === 'array' ? [] : {}, {});
}

/** Append an element to the array at `arrayPath` (created if missing). Used for VS Code `inputs`. */
export function appendJsonElementIn(doc: JsonDoc, arrayPath: readonly string[], element: Json): DocEdit<JsonDoc> {
  const existing = jsonValueAt(doc, arrayPath);
  if (existing === undefined || !doc.root) {
    const created = setJsonEntryIn(doc, arrayPath.slice(0, -1), arrayPath[arrayPath.length - 1], [element]);
    return { ...created, hint: { ...created.hint, arrayCreated: true } };
  }
  if (!Array.isArray(existing)) throw new UnsafeEditError(doc.file, `expected an array at "${arrayPath.join('.')}"`);
  const style = detectStyle(doc.text, doc.bom);
  const arr = arrayNode(doc, arrayPath);
  const children = doc.children(arr);
  const hint: InsertHint = children.length === 0 ? { emptyContainerText: doc.text.slice(arr.offset, arr.offset + arr.length) } : {};
  const splices = appendChild(doc.text, arr, children, (indent, inline) => render(element, indent, style, inline), style);
  return edited(doc, splices, arrayPath, [...existing, element], hint);
}

function arrayNode(doc: JsonDoc, arrayPath: readonly string[]): Node {
  const parent = locate(doc, doc.root!, arrayPath.slice(0, -1)).node!;
  const node = onlyProperty(doc, parent, arrayPath[arrayPath.length - 1], arrayPath.slice(0, -1))!.children![1];
  if (node.type !== 'array') throw new UnsafeEditError(doc.file, `expected an array at "${arrayPath.join('.')}"`);
  return node;
}

/** Remove the elements for which `match` is true from the array at arrayPath. */
export function removeJsonElementsIn(doc: JsonDoc, arrayPath: readonly string[], match: (element: Json) => boolean, hint: InsertHint = {}): DocEdit<JsonDoc> {
  let result = unchanged(doc);
  for (;;) {
    const cur = result.after();
    const existing = jsonValueAt(cur, arrayPath);
    if (!cur.root || !Array.isArray(existing)) return result;
    const idx = existing.findIndex((e) => match(e));
    if (idx === -1) break;
    const arr = arrayNode(cur, arrayPath);
    result = edited(
      cur,
      removeChild(cur.text, arr, cur.children(arr), idx),
      arrayPath,
      existing.filter((_, i) => i !== idx),
      {},
    );
  }
  const cur = result.after();
  const arr = jsonValueAt(cur, arrayPath);
  if (!Array.isArray(arr) || arr.length > 0) return result;
  if (hint.arrayCreated) {
    const { arrayCreated: _, ...parentHint } = hint;
    return removeJsonEntryIn(cur, arrayPath.slice(0, -1), arrayPath[arrayPath.length - 1], parentHint);
  }
  if (hint.emptyContainerText !== undefined) return restoreEmpty(result, arrayPath, hint.emptyContainerText);
  return result;
}
