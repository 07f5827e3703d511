/** Helpers shared by the JSON editor tests. */
import { createScanner, parseTree, SyntaxKind, type Node, type ParseError } from 'jsonc-parser';
import type { Json, JsonObject } from '../../src/edit/types.js';

export function stripBom(s: string): string {
  return s.startsWith('\uFEFF') ? s.slice(1) : s;
}

export function comments(fullText: string): string[] {
  const text = stripBom(fullText);
  const sc = createScanner(text, false);
  const out: string[] = [];
  for (let k = sc.scan(); k !== SyntaxKind.EOF; k = sc.scan()) {
    if (k === SyntaxKind.LineCommentTrivia || k === SyntaxKind.BlockCommentTrivia) {
      out.push(text.slice(sc.getTokenOffset(), sc.getTokenOffset() + sc.getTokenLength()));
    }
  }
  return out;
}

export function withEntry(v: JsonObject, path: readonly string[], name: string, value: Json | undefined): JsonObject {
  const out = structuredClone(v);
  let cur: JsonObject = out;
  for (const k of path) {
    if (typeof cur[k] !== 'object' || cur[k] === null || Array.isArray(cur[k])) cur[k] = {};
    cur = cur[k] as JsonObject;
  }
  if (value === undefined) delete cur[name];
  else cur[name] = value;
  return out;
}

export function diffBounds(a: string, b: string): { prefix: number; suffix: number } {
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a[p] === b[p]) p++;
  let s = 0;
  while (s < max - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { prefix: p, suffix: s };
}

/**
 * Where an insertion went: the text with the one inserted region, and its bounds. An insertion is one
 * contiguous region, except after a last entry that ends with a comment on its line: then a comma right
 * after the entry, and the region after the comment (the comment stays with the entry it describes).
 * `text` is the edited text without that comma, so callers check a single region either way.
 */
export function insertionRegion(original: string, edited: string): { prefix: number; suffix: number; text: string } {
  let { prefix, suffix } = diffBounds(original, edited);
  if (prefix + suffix === original.length) return { prefix, suffix, text: edited };
  if (edited[prefix] !== ',' || !/^[ \t]*(\/\/|\/\*)/.test(original.slice(prefix))) throw new Error(`not an insertion at ${prefix}`);
  const text = edited.slice(0, prefix) + edited.slice(prefix + 1);
  ({ prefix, suffix } = diffBounds(original, text));
  if (prefix + suffix !== original.length) throw new Error(`more than an insertion after ${prefix}`);
  return { prefix, suffix, text };
}

/**
 * A reference value for JSON or JSONC text, independent of src/: jsonc-parser's tree, objects built
 * with own properties (a `__proto__` key stays a key) and the last of repeated keys winning, as
 * JSON.parse does. Not JSON.parse itself: on Node 24 it can misread escaped keys (src/json-text.ts).
 */
export function referenceValue(text: string, jsonc: boolean): Json {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: !jsonc, allowTrailingComma: jsonc, allowEmptyContent: false });
  if (errors.length > 0 || !root) throw new Error(`reference parse failed: ${JSON.stringify(errors)} in ${JSON.stringify(text)}`);
  return nodeJson(root);
}

function nodeJson(n: Node): Json {
  if (n.type === 'object') {
    const o: JsonObject = {};
    for (const p of n.children ?? []) {
      const [k, v] = p.children!;
      if (v) Object.defineProperty(o, k.value as string, { value: nodeJson(v), enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
  if (n.type === 'array') return (n.children ?? []).map(nodeJson);
  return n.value as Json;
}
