/** One interface over the format-preserving editors: JSON (strict), JSONC and TOML. */
import type { Format } from '../targets/types.js';
import { duplicateNames, getAt, JSONC, parseJsonDocument, removeJsonEntry, setJsonEntry, STRICT_JSON, type InsertHint } from './json.js';
import { parseToml, removeTomlTable, setTomlTable } from './toml.js';
import type { Json } from './types.js';

export function parseDocument(format: Format, text: string, file: string): Record<string, unknown> {
  if (format === 'toml') return parseToml(text, file);
  return parseJsonDocument(text, file, format === 'json' ? STRICT_JSON : JSONC).value;
}

export function entriesIn(doc: Record<string, unknown>, container: readonly string[]): Record<string, unknown> {
  const c = getAt(doc, container);
  return typeof c === 'object' && c !== null && !Array.isArray(c) ? (c as Record<string, unknown>) : {};
}

export function setEntry(format: Format, text: string, file: string, container: readonly string[], name: string, value: Json): { text: string; hint: InsertHint } {
  if (format === 'toml') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('a TOML entry is a table');
    return { text: setTomlTable(text, file, [...container, name], value), hint: {} };
  }
  return setJsonEntry(text, file, format === 'json' ? STRICT_JSON : JSONC, container, name, value);
}

export function removeEntry(format: Format, text: string, file: string, container: readonly string[], name: string, hint: InsertHint = {}): string {
  if (format === 'toml') return removeTomlTable(text, file, [...container, name]);
  return removeJsonEntry(text, file, format === 'json' ? STRICT_JSON : JSONC, container, name, hint);
}

export function dialectOf(format: Format) {
  return format === 'json' ? STRICT_JSON : JSONC;
}

/** Entry names defined twice in the container (TOML cannot: a duplicate table does not parse). */
export function duplicateEntries(format: Format, text: string, file: string, container: readonly string[]): string[] {
  return format === 'toml' ? [] : duplicateNames(text, file, dialectOf(format), container);
}
