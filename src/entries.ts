/**
 * Adding and removing one server entry in one client file, as pure text → text functions: what
 * "unchanged", "updated" and a conflict mean, and the VS Code `inputs` that go with an entry.
 */
import { UserError } from './errors.js';
import { entriesIn, parseDocument, removeEntry, setEntry, dialectOf } from './edit/document.js';
import { appendJsonArrayElement, deepEqual, getAt, removeJsonArrayElements, type InsertHint } from './edit/json.js';
import type { Json, JsonObject } from './edit/types.js';
import type { RenderedEntry, Target } from './targets/types.js';

export type Action = 'added' | 'updated' | 'unchanged' | 'removed' | 'absent';

export interface AddResult {
  text: string;
  action: Action;
  hint: InsertHint;
  inputsHint?: InsertHint;
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
  for (const [k, v] of Object.entries(wanted)) if (!deepEqual(existing[k], v)) return false;
  return transportKeys.every((k) => k in wanted || existing[k] === undefined);
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

export function addToText(
  target: Target,
  current: string | null,
  file: string,
  container: readonly string[],
  name: string,
  rendered: RenderedEntry,
  force: boolean,
): AddResult {
  const text = current ?? '';
  const doc = parseDocument(target.format, text, file);
  const existing = entriesIn(doc, container)[name];
  let value: JsonObject = rendered.value;
  let action: Action = 'added';
  let out = text;
  let hint: InsertHint = {};
  if (existing !== undefined) {
    if (entryMatches(existing, rendered.value, target.transportKeys)) {
      action = 'unchanged';
    } else if (!force) {
      const was = target.read(name, existing);
      throw new UserError(
        `${file}: "${name}" already exists and points elsewhere (${was.url ?? was.kind}).`,
        { exitCode: 2, fix: `Pass --force to replace it, or choose another --name.` },
      );
    } else {
      // Replace what decides the transport; keep the keys the user added.
      const extras: JsonObject = {};
      if (isObj(existing)) for (const [k, v] of Object.entries(existing)) if (!(k in value) && !target.transportKeys.includes(k)) extras[k] = v as Json;
      value = { ...value, ...extras };
      action = 'updated';
    }
  }
  if (action !== 'unchanged') {
    const r = setEntry(target.format, text, file, container, name, value);
    out = r.text;
    hint = r.hint;
  }
  let inputsHint: InsertHint | undefined;
  if (rendered.inputs && target.format !== 'toml') {
    const dialect = dialectOf(target.format);
    for (const input of rendered.inputs) {
      const have = getAt(parseDocument(target.format, out, file), ['inputs']);
      const list = Array.isArray(have) ? have : [];
      if (list.some((i) => isObj(i) && i.id === input.id)) continue;
      const r = appendJsonArrayElement(out, file, dialect, ['inputs'], input);
      out = r.text;
      inputsHint ??= r.hint;
      if (action === 'unchanged') action = 'updated';
    }
  }
  if (action === 'updated' && existing !== undefined) out = dropOrphanInputs(target, out, file, container, inputRefs(existing), {});
  return { text: out, action, hint, inputsHint };
}

/** Remove inputs that were referenced by a removed/replaced entry and by no server any more. */
function dropOrphanInputs(target: Target, text: string, file: string, container: readonly string[], ids: string[], hint: InsertHint, leaving?: string): string {
  if (ids.length === 0 || target.format === 'toml') return text;
  const doc = parseDocument(target.format, text, file);
  const others = { ...entriesIn(doc, container) };
  if (leaving !== undefined) delete others[leaving];
  const stillUsed = new Set(inputRefs(others));
  const orphans = new Set(ids.filter((id) => !stillUsed.has(id)));
  if (orphans.size === 0) return text;
  return removeJsonArrayElements(text, file, dialectOf(target.format), ['inputs'], (e) => isObj(e) && orphans.has(e.id as string), hint);
}

export function removeFromText(
  target: Target,
  current: string | null,
  file: string,
  container: readonly string[],
  name: string,
  hints: { hint?: InsertHint; inputsHint?: InsertHint; createdFile?: boolean } = {},
): { text: string | null; action: Action } {
  if (current === null) return { text: null, action: 'absent' };
  const doc = parseDocument(target.format, current, file);
  const existing = entriesIn(doc, container)[name];
  if (existing === undefined) return { text: current, action: 'absent' };
  // The exact reverse of addToText: first the inputs, then the entry.
  let out = dropOrphanInputs(target, current, file, container, inputRefs(existing), hints.inputsHint ?? {}, name);
  out = removeEntry(target.format, out, file, container, name, hints.hint ?? {});
  // mcpwire created this file for the entry: with the entry gone and nothing else in it, delete it again.
  if (hints.createdFile && out.replace(/^\uFEFF/, '').trim() === '') return { text: null, action: 'removed' };
  return { text: out, action: 'removed' };
}
