/**
 * One interface over the format-preserving editors, chosen by format: strict JSON, JSONC, TOML.
 * A command parses each file once and hands the document to every read and edit of it.
 */
import { jsonDuplicates, jsonEntries, removeJsonEntryIn, setJsonEntryIn, appendJsonElementIn, removeJsonElementsIn, jsonValueAt } from './json/entries.js';
import { JSONC, parseJson, STRICT_JSON, type JsonDialect, type JsonDoc } from './json/parse.js';
import { parseTomlDoc, removeTomlTableIn, setTomlTableIn, type TomlDoc } from './toml/edit.js';
import { getAt, ownEntries, type DocEdit, type Format, type FormatEditor, type InsertHint, type Json, type ParsedDoc } from './types.js';

export type { DocEdit, Format, FormatEditor, InsertHint, ParsedDoc } from './types.js';

/** The JSON editors also edit arrays beside the servers (VS Code's `inputs`). */
export interface JsonEditor extends FormatEditor<JsonDoc> {
  valueAt(doc: JsonDoc, path: readonly string[]): Json | undefined;
  append(doc: JsonDoc, arrayPath: readonly string[], element: Json): DocEdit<JsonDoc>;
  removeElements(doc: JsonDoc, arrayPath: readonly string[], match: (element: Json) => boolean, hint?: InsertHint): DocEdit<JsonDoc>;
}

function jsonEditor(dialect: JsonDialect): JsonEditor {
  return {
    parse: (text, file, opts) => parseJson(text, file, dialect, opts),
    validate: (doc) => doc.validate(),
    entries: jsonEntries,
    duplicates: jsonDuplicates,
    set: setJsonEntryIn,
    remove: removeJsonEntryIn,
    valueAt: jsonValueAt,
    append: appendJsonElementIn,
    removeElements: removeJsonElementsIn,
  };
}

const tomlEditor: FormatEditor<TomlDoc> = {
  parse: (text, file, opts) => {
    if (opts?.binary) throw new Error('mcpwire: binary text is for strict JSON only; this is a bug in mcpwire');
    return parseTomlDoc(text, file);
  },
  validate: () => {},
  entries: (doc, container) => ownEntries(getAt(doc.data, container)),
  // A table defined twice does not parse.
  duplicates: () => [],
  set: (doc, container, name, value) => setTomlTableIn(doc, [...container, name], value),
  remove: (doc, container, name) => removeTomlTableIn(doc, [...container, name]),
};

const EDITORS = { json: jsonEditor(STRICT_JSON), jsonc: jsonEditor(JSONC), toml: tomlEditor };

export function editorFor(format: 'json' | 'jsonc'): JsonEditor;
export function editorFor(format: Format): FormatEditor;
export function editorFor(format: Format): FormatEditor {
  return EDITORS[format] as FormatEditor;
}

/** Whether a file of this format is read and edited as binary text (src/binary-text.ts): strict JSON, the format of the large files. */
export function editsBinary(format: Format): boolean {
  return format === 'json';
}

/** A JSON or JSONC document (whose editor also edits arrays: VS Code's `inputs`). */
export function isJsonDoc(doc: ParsedDoc): doc is JsonDoc {
  return doc.format === 'json' || doc.format === 'jsonc';
}
