/**
 * Adding and removing one server entry in one client file, as pure text → text functions: what
 * "unchanged", "updated" and a conflict mean, and the VS Code `inputs` that go with an entry.
 * Each text is parsed once; every edit hands the edited document to the next one.
 */
import { UserError } from './errors.js';
import { editorFor, isJsonDoc, type FormatEditor, type InsertHint, type ParsedDoc } from './edit/document.js';
import { deepEqual, type Json, type JsonObject, type TextSplice } from './edit/types.js';
import type { RenderedEntry, Target } from './targets/types.js';
import { printable } from './ui.js';
import { bomOf } from './edit/json/parse.js';

export type Action = 'added' | 'updated' | 'unchanged' | 'removed' | 'absent';

export interface AddResult {
  text: string;
  action: Action;
  hint: InsertHint;
  inputsHint?: InsertHint;
  /** `text` as one splice of a text, where the last edit knows it (see TextSplice). */
  splice?: TextSplice;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The existing entry already says what we would write: every key we write is equal, and it has no
 * other key that changes how the client reaches the server. Keys the user added (timeouts, tool
 * filters, `disabled`) do not make it different.
 */
export function entryMatches(existing: unknown, wanted: JsonObject, transportKeys: readonly string[]): boolean {
  if (!isObj(existing)) return false;
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(existing, k) ? existing[k] : undefined);
  for (const [k, v] of Object.entries(wanted)) if (!deepEqual(own(k), v)) return false;
  return transportKeys.every((k) => Object.prototype.hasOwnProperty.call(wanted, k) || own(k) === undefined);
}

/** `${input:ID}` references in an entry's headers. */
function inputRefs(entry: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(/\$\{input:([^}]+)\}/g)) out.push(m[1]);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) Object.values(v).forEach(walk);
  };
  walk(entry);
  return out;
}

/**
 * Why an existing entry conflicts. When it reaches the same URL and only its headers differ, say which
 * headers (by name, never a value: they may hold secrets).
 */
function conflictMessage(target: Target, file: string, name: string, existing: unknown, wanted: JsonObject): string {
  const was = target.read(name, existing);
  const want = target.read(name, wanted);
  const head = `${file}: "${name}" already exists and points elsewhere`;
  if (was.url !== undefined && was.url === want.url && was.kind === want.kind) {
    const diff = headerDifference(was.headers ?? {}, want.headers ?? {});
    if (diff) return `${head} (same URL, different headers: ${diff}).`;
  }
  return `${head} (${was.url ?? was.kind}).`;
}

/** "Authorization differs, X-Org only in the existing entry" (header names compare case-insensitively). */
export function headerDifference(existing: Record<string, string>, wanted: Record<string, string>): string {
  const byName = (h: Record<string, string>) => new Map(Object.entries(h).map(([k, v]) => [k.toLowerCase(), { name: k, value: v }]));
  const a = byName(existing);
  const b = byName(wanted);
  const differ: string[] = [];
  const onlyExisting: string[] = [];
  const onlyWanted: string[] = [];
  for (const [k, h] of a) {
    const w = b.get(k);
    if (!w) onlyExisting.push(h.name);
    else if (w.value !== h.value) differ.push(h.name);
  }
  for (const [k, h] of b) if (!a.has(k)) onlyWanted.push(h.name);
  const list = (names: string[]) => names.map(printable).join(', ');
  return [
    differ.length ? `${list(differ)} ${differ.length > 1 ? 'differ' : 'differs'}` : '',
    onlyExisting.length ? `${list(onlyExisting)} only in the existing entry` : '',
    onlyWanted.length ? `${list(onlyWanted)} only in the new entry` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export function addToText(
  target: Target,
  current: string | null,
  file: string,
  container: readonly string[],
  name: string,
  rendered: RenderedEntry,
  force: boolean,
  opts: { binary?: boolean } = {},
): AddResult {
  const editor = editorFor(target.format);
  // Strict JSON: the whole text is parsed once, by the verification of the edit (see json/parse.ts);
  // every way out without a verified edit checks the old text first. `binary`: current and the result are binary text.
  const doc = editor.parse(current ?? '', file, { deferCheck: true, binary: opts.binary });
  try {
    const r = addToDoc(target, editor, doc, file, container, name, rendered, force);
    if (r.text === doc.fullText) editor.validate(doc);
    return r;
  } catch (e) {
    editor.validate(doc);
    throw e;
  }
}

function addToDoc(
  target: Target,
  editor: FormatEditor,
  doc: ParsedDoc,
  file: string,
  container: readonly string[],
  name: string,
  rendered: RenderedEntry,
  force: boolean,
): AddResult {
  const existing = editor.entries(doc, container)[name];
  let value: JsonObject = rendered.value;
  let action: Action = 'added';
  let out = doc.fullText;
  let next: () => ParsedDoc = () => doc;
  let hint: InsertHint = {};
  let splice: TextSplice | undefined;
  if (existing !== undefined) {
    if (entryMatches(existing, rendered.value, target.transportKeys)) {
      action = 'unchanged';
    } else if (!force) {
      throw new UserError(conflictMessage(target, file, name, existing, rendered.value), {
        exitCode: 2,
        fix: `Pass --force to replace it, or choose another --name.`,
      });
    } else {
      // Replace what decides the transport; keep the keys the user added.
      const extras: JsonObject = {};
      if (isObj(existing)) for (const [k, v] of Object.entries(existing)) if (!(k in value) && !target.transportKeys.includes(k)) extras[k] = v as Json;
      value = { ...value, ...extras };
      action = 'updated';
    }
  }
  if (action !== 'unchanged') {
    const r = editor.set(doc, container, name, value);
    out = r.text;
    hint = r.hint;
    next = r.after;
    splice = r.splice;
  }
  let inputsHint: InsertHint | undefined;
  if (rendered.inputs && isJsonDoc(doc)) {
    for (const input of rendered.inputs) {
      const cur = next();
      if (!isJsonDoc(cur)) break;
      const json = editorFor(cur.format);
      const have = json.valueAt(cur, ['inputs']);
      const list = Array.isArray(have) ? have : [];
      if (list.some((i) => isObj(i) && i.id === input.id)) continue;
      const r = json.append(cur, ['inputs'], input);
      out = r.text;
      next = r.after;
      splice = r.splice;
      inputsHint ??= r.hint;
      if (action === 'unchanged') action = 'updated';
    }
  }
  if (action === 'updated' && existing !== undefined) {
    const dropped = dropOrphanInputs(next(), container, inputRefs(existing), {}).text;
    if (dropped !== out) [out, splice] = [dropped, undefined];
  }
  return { text: out, action, hint, inputsHint, splice };
}

/** Remove inputs that were referenced by a removed/replaced entry and by no server any more. */
function dropOrphanInputs(
  doc: ParsedDoc,
  container: readonly string[],
  ids: string[],
  hint: InsertHint,
  leaving?: string,
): { text: string; after: () => ParsedDoc } {
  const same = { text: doc.fullText, after: () => doc };
  if (ids.length === 0 || !isJsonDoc(doc)) return same;
  const json = editorFor(doc.format);
  const others = { ...json.entries(doc, container) };
  if (leaving !== undefined) delete others[leaving];
  const stillUsed = new Set(inputRefs(others));
  const orphans = new Set(ids.filter((id) => !stillUsed.has(id)));
  if (orphans.size === 0) return same;
  return json.removeElements(doc, ['inputs'], (e) => isObj(e) && orphans.has(e.id as string), hint);
}

export function removeFromText(
  target: Target,
  current: string | null,
  file: string,
  container: readonly string[],
  name: string,
  hints: { hint?: InsertHint; inputsHint?: InsertHint; createdFile?: boolean } = {},
  opts: { binary?: boolean } = {},
): { text: string | null; action: Action; splice?: TextSplice } {
  if (current === null) return { text: null, action: 'absent' };
  const editor = editorFor(target.format);
  const doc = editor.parse(current, file, { binary: opts.binary });
  const existing = editor.entries(doc, container)[name];
  if (existing === undefined) return { text: current, action: 'absent' };
  // The exact reverse of addToText: first the inputs, then the entry.
  const dropped = dropOrphanInputs(doc, container, inputRefs(existing), hints.inputsHint ?? {}, name);
  const r = editor.remove(dropped.after(), container, name, hints.hint ?? {});
  const out = r.text;
  // mcpwire created this file for the entry: with the entry gone and nothing else in it, delete it again.
  const bom = bomOf(Boolean(opts.binary));
  if (hints.createdFile && (out.startsWith(bom) ? out.slice(bom.length) : out).trim() === '') return { text: null, action: 'removed' };
  return { text: out, action: 'removed', splice: r.splice };
}
