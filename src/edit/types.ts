/** Values mcpwire writes into client config files. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** strict JSON (never a comment or trailing comma), JSONC (comments, trailing commas), TOML. */
export type Format = 'json' | 'jsonc' | 'toml';

/**
 * Deepest nesting of objects/arrays (tables/arrays in TOML) a config file may have. Real client files
 * stay under 20; a deeper one is refused at parse time, so that no later step (a recursive compare, a
 * client's reader) meets an engine stack overflow. smol-toml uses the same limit for inline values.
 */
export const MAX_DEPTH = 1000;

/** Layout facts of a document, detected once and used for every inserted byte. */
export interface DocStyle {
  eol: '\n' | '\r\n';
  /** One level of indentation as found in the file: '\t', '  ', '    ', … */
  indent: string;
  bom: boolean;
}

/** What an insertion created, so that the removal can give back the exact original bytes. */
export interface InsertHint {
  /** The insertion created this object path (it did not exist before). */
  createdPath?: string[];
  /** The container existed and was empty: its exact original text (e.g. `{}` or `{\n  }`). */
  emptyContainerText?: string;
  /** appendJsonArrayElement created the array itself (with this one element). */
  arrayCreated?: boolean;
}

/** A parsed config file, handed from parse to every read and edit of the same command (never re-parsed). */
export interface ParsedDoc {
  readonly format: Format;
  readonly file: string;
  /** The text as read (BOM included); binary text if parsed so (see FormatEditor.parse). */
  readonly fullText: string;
}

/**
 * The new text as one splice of an old one: `base.slice(0, at) + insert + base.slice(at + remove)`. The
 * write of a large file puts the old bytes around `insert` instead of encoding the whole new text.
 */
export interface TextSplice {
  /** The text the splice applies to (compared with the text at hand before use: a splice of another text is ignored). */
  base: string;
  at: number;
  remove: number;
  insert: string;
}

/** The result of one edit: the new text, and the edited document for the next edit of the same command. */
export interface DocEdit<D extends ParsedDoc = ParsedDoc> {
  text: string;
  hint: InsertHint;
  /** `text` as one splice of the edited document's fullText, where the editor knows it (strict JSON). */
  splice?: TextSplice;
  /** The new text as a document; built from the verification's own parse where the format has one. */
  after(): D;
}

/** One format-preserving editor; `editorFor(format)` chooses it. */
export interface FormatEditor<D extends ParsedDoc = ParsedDoc> {
  /**
   * Throws ConfigParseError (path:line:column) for a file that does not parse or nests too deep. `binary`:
   * the text is the file's UTF-8 bytes one per character (strict JSON only: src/binary-text.ts); the edits'
   * texts are then binary too.
   */
  parse(fullText: string, file: string, opts?: { deferCheck?: boolean; binary?: boolean }): D;
  /**
   * Throw the ConfigParseError of a document parsed with `deferCheck` whose text is not valid. Strict
   * JSON defers its full parse to the verification of the edit; a command that ends without a
   * verified edit (nothing to change, a conflict, an error) checks here first.
   */
  validate(doc: D): void;
  /** The entries of the servers container: own properties only, in a prototype-free record. */
  entries(doc: D, container: readonly string[]): Readonly<Record<string, unknown>>;
  /** Entry names defined more than once in the container (the clients use the last one). */
  duplicates(doc: D, container: readonly string[]): string[];
  set(doc: D, container: readonly string[], name: string, value: JsonObject): DocEdit<D>;
  /** No entry by that name: the text comes back unchanged. */
  remove(doc: D, container: readonly string[], name: string, hint?: InsertHint): DocEdit<D>;
}

/** A record of `value`'s own enumerable properties without a prototype: `r.constructor` is only ever an entry. */
export function ownEntries(value: unknown): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const k of Object.keys(value)) out[k] = (value as Record<string, unknown>)[k];
  return out;
}

/** Structural equality of JSON values (key order ignored, own keys only). */
export function deepEqual(a: unknown, b: unknown): boolean {
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

/** Walk an object path in a value through own properties, creating nothing. */
export function getAt(value: unknown, path: readonly string[]): unknown {
  let cur: unknown = value;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
