/**
 * Format-preserving edits of JSON and JSONC documents: parse (json/parse.ts), splices in the
 * document's own layout (json/splice.ts), verified entry edits (json/entries.ts).
 *
 * The functions below are the same edits on text (parse, edit, return the new text), for callers
 * that make one edit of a text: the tests and the corpus runs. The CLI parses a file once and hands
 * the document from edit to edit through the editor interface (document.ts).
 */
import type { InsertHint, Json } from './types.js';
import { appendJsonElementIn, removeJsonElementsIn, removeJsonEntryIn, setJsonEntryIn } from './json/entries.js';
import { parseJson, type JsonDialect, type JsonDoc } from './json/parse.js';

export { JSONC, STRICT_JSON, type JsonDialect, type JsonDoc } from './json/parse.js';
export { detectStyle } from './json/splice.js';
export type { InsertHint } from './types.js';

export function parseJsonDocument(fullText: string, file: string, dialect: JsonDialect): JsonDoc {
  return parseJson(fullText, file, dialect);
}

/** Set `container[name] = value`, creating the container path if needed. */
export function setJsonEntry(
  fullText: string,
  file: string,
  dialect: JsonDialect,
  containerPath: readonly string[],
  name: string,
  value: Json,
): { text: string; hint: InsertHint } {
  const { text, hint } = setJsonEntryIn(parseJson(fullText, file, dialect), containerPath, name, value);
  return { text, hint };
}

/** Remove `container[name]`; with setJsonEntry's hint, the original bytes come back. */
export function removeJsonEntry(
  fullText: string,
  file: string,
  dialect: JsonDialect,
  containerPath: readonly string[],
  name: string,
  hint: InsertHint = {},
): string {
  return removeJsonEntryIn(parseJson(fullText, file, dialect), containerPath, name, hint).text;
}

/** Append an element to the array at `arrayPath` (created if missing). */
export function appendJsonArrayElement(
  fullText: string,
  file: string,
  dialect: JsonDialect,
  arrayPath: readonly string[],
  element: Json,
): { text: string; hint: InsertHint } {
  const { text, hint } = appendJsonElementIn(parseJson(fullText, file, dialect), arrayPath, element);
  return { text, hint };
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
  return removeJsonElementsIn(parseJson(fullText, file, dialect), arrayPath, match, hint).text;
}
