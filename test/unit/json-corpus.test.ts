/**
 * The real-file corpus (/work/shared/corpus/real-configs, read only): every JSON-family file is edited
 * through the public API and must round-trip byte for byte; every file under `malformed/` is refused.
 */
import { stripBom, comments, withEntry, diffBounds } from './json-test-helpers.js';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { findNodeAtLocation, parse as jsoncParse, parseTree, type ParseError } from 'jsonc-parser';
import {
  appendJsonArrayElement,
  JSONC,
  parseJsonDocument,
  removeJsonArrayElements,
  removeJsonEntry,
  setJsonEntry,
  STRICT_JSON,
  type JsonDialect,
} from '../../src/edit/json.js';
import { ConfigParseError, UserError } from '../../src/errors.js';
import type { Json, JsonObject } from '../../src/edit/types.js';

import { CORPUS, haveCorpus, requireCorpusInCi } from '../corpus.js';

requireCorpusInCi();

interface Target {
  dialect: JsonDialect;
  container: string[];
  inputs?: boolean;
}
const TARGETS: Record<string, Target> = {
  'claude-code': { dialect: STRICT_JSON, container: ['mcpServers'] },
  'claude-desktop': { dialect: STRICT_JSON, container: ['mcpServers'] },
  cursor: { dialect: JSONC, container: ['mcpServers'] },
  windsurf: { dialect: JSONC, container: ['mcpServers'] },
  vscode: { dialect: JSONC, container: ['servers'], inputs: true },
  zed: { dialect: JSONC, container: ['context_servers'] },
  gemini: { dialect: JSONC, container: ['mcpServers'] },
  opencode: { dialect: JSONC, container: ['mcp'] },
};

const ENTRY: Json = { type: 'http', url: 'https://mcp.example.com/mcp?x=1&y=é', headers: { Authorization: 'Bearer ${input:token}' } };
const ENTRY2: Json = { command: 'npx', args: ['-y', '@example/mcp@1.2.3'], env: {} };
const INPUT: Json = { id: 'mcpwire-corpus-token', type: 'promptString', description: 'Token', password: true };

// ---------------------------------------------------------------------------------------------

function listFiles(dir: URL): string[] {
  return readdirSync(dir)
    .filter((n) => statSync(new URL(n, dir)).isFile())
    .sort();
}

function read(rel: string): { text: string; raw: Buffer } {
  const raw = readFileSync(new URL(rel, CORPUS));
  return { raw, text: raw.toString('utf8') };
}

const SUMS = new Map(
  (haveCorpus ? readFileSync(new URL('SHA256SUMS', CORPUS), 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [sum, ...rest] = l.split(/\s+/);
      return [rest.join(' ').replace(/^\*/, ''), sum] as const;
    }),
);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const INDEX = (haveCorpus ? readFileSync(new URL('INDEX.tsv', CORPUS), 'utf8') : '')
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((l) => l.split('\t'))
  .map(([file, target, , , , notes]) => ({ file, target, notes: notes ?? '' }));

/** Reference parse: JSON.parse for strict JSON, jsonc-parser (comments, trailing commas) for JSONC. */
function parseRef(fullText: string, dialect: JsonDialect): JsonObject {
  const text = stripBom(fullText);
  if (/^[ \t\r\n]*$/.test(text)) return {};
  if (!dialect.comments) return JSON.parse(text) as JsonObject;
  const errors: ParseError[] = [];
  const v = jsoncParse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) throw new Error('reference parse failed ' + JSON.stringify(errors));
  return v as JsonObject;
}

function strictParses(fullText: string): boolean {
  try {
    JSON.parse(stripBom(fullText));
    return true;
  } catch {
    return false;
  }
}

function freshName(existing: Record<string, unknown> | undefined): string {
  let n = 'mcpwire-corpus-probe';
  while (existing && Object.prototype.hasOwnProperty.call(existing, n)) n += '-x';
  return n;
}

// ---------------------------------------------------------------------------------------------

const summary = { roundTripped: 0, refused: [] as string[], removedExisting: 0, createdContainer: 0, inputs: 0, malformed: [] as string[] };

afterAll(() => {
  console.log(
    `json corpus: ${summary.roundTripped} files round-tripped (${summary.removedExisting} with an existing entry removed, ` +
      `${summary.createdContainer} with the container created, ${summary.inputs} with inputs); ` +
      `${summary.refused.length + summary.malformed.length} refused: ${summary.malformed.length} malformed [${summary.malformed.join('; ')}], ` +
      `${summary.refused.length} strict-JSON files with comments/trailing commas` +
      (summary.refused.length ? ` [${summary.refused.join('; ')}]` : ''),
  );
});

test.runIf(haveCorpus)('the corpus is where the README says and unchanged (sha256)', () => {
  expect(statSync(CORPUS).isDirectory()).toBe(true);
  expect(INDEX.length).toBeGreaterThanOrEqual(90);
  for (const row of INDEX) {
    if (!(row.target in TARGETS)) continue;
    expect(SUMS.get(row.file), row.file).toBe(sha256(read(row.file).raw));
  }
});

const jsonRows = INDEX.filter((r) => r.target in TARGETS);
const goodRows = jsonRows.filter((r) => !r.file.includes('/malformed/'));
const badRows = jsonRows.filter((r) => r.file.includes('/malformed/'));

test.runIf(haveCorpus)('the index lists exactly the files in the JSON-family folders', () => {
  const onDisk: string[] = [];
  for (const t of Object.keys(TARGETS)) {
    for (const f of listFiles(new URL(`${t}/`, CORPUS))) onDisk.push(`${t}/${f}`);
    try {
      for (const f of listFiles(new URL(`${t}/malformed/`, CORPUS))) onDisk.push(`${t}/malformed/${f}`);
    } catch {
      /* no malformed folder */
    }
  }
  expect(jsonRows.map((r) => r.file).sort()).toEqual(onDisk.sort());
  expect(goodRows.length).toBeGreaterThanOrEqual(70);
  expect(badRows.length).toBeGreaterThanOrEqual(3);
});

describe.runIf(haveCorpus)('real files round-trip', () => {
  test.each(goodRows.map((r) => [r.file, r] as const))('%s', (file, row) => {
    const target = TARGETS[row.target];
    const { text, raw } = read(file);
    // the files are UTF-8: string identity below is byte identity
    expect(Buffer.from(text, 'utf8').equals(raw)).toBe(true);
    const { dialect, container } = target;

    if (!dialect.comments && !strictParses(text)) {
      // a strict-JSON client file with comments or trailing commas: refused, never rewritten
      let out: string | undefined;
      let err: unknown;
      try {
        out = setJsonEntry(text, file, dialect, container, 'x', ENTRY).text;
      } catch (e) {
        err = e;
      }
      expect(out).toBeUndefined();
      expect(err).toBeInstanceOf(ConfigParseError);
      summary.refused.push(`${file}: ${(err as ConfigParseError).reason}`);
      return;
    }

    if (!strictParses(text)) {
      // a JSONC file (comments, trailing commas) would be refused as strict JSON, with its position
      const strictErr = (() => {
        try {
          setJsonEntry(text, file, STRICT_JSON, container, 'x', ENTRY);
        } catch (e) {
          return e;
        }
      })();
      expect(strictErr).toBeInstanceOf(ConfigParseError);
      expect((strictErr as ConfigParseError).line).toBeGreaterThanOrEqual(1);
    }

    const original = parseRef(text, dialect);
    expect(parseJsonDocument(text, file, dialect).value).toEqual(original);
    const containerValue = container.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as JsonObject)[k] : undefined), original) as
      JsonObject | undefined;
    const name = freshName(containerValue);

    // add a fresh entry
    const added = setJsonEntry(text, file, dialect, container, name, ENTRY);
    expect(parseRef(added.text, dialect)).toEqual(withEntry(original, container, name, ENTRY));
    expect(comments(added.text)).toEqual(comments(text));
    if (!dialect.comments) expect(() => JSON.parse(stripBom(added.text))).not.toThrow();
    const { prefix, suffix } = diffBounds(text, added.text);
    expect(prefix + suffix).toBe(text.length); // a pure insertion
    if (added.hint.createdPath) summary.createdContainer++;

    // idempotent, and the value can be changed in place
    expect(setJsonEntry(added.text, file, dialect, container, name, ENTRY).text).toBe(added.text);
    const changed = setJsonEntry(added.text, file, dialect, container, name, ENTRY2).text;
    expect(parseRef(changed, dialect)).toEqual(withEntry(original, container, name, ENTRY2));
    expect(comments(changed)).toEqual(comments(text));

    // remove it with the hint: the exact original bytes
    expect(removeJsonEntry(added.text, file, dialect, container, name, added.hint)).toBe(text);
    // and without the hint: the original value (the container may stay)
    const noHint = removeJsonEntry(added.text, file, dialect, container, name);
    const expectedNoHint = withEntry(original, container, name, undefined);
    expect(parseRef(noHint, dialect)).toEqual(expectedNoHint);

    // remove an existing entry (the first one), keeping every comment outside it
    const existing = containerValue && typeof containerValue === 'object' && !Array.isArray(containerValue) ? Object.keys(containerValue) : [];
    if (existing.length > 0) {
      const first = existing[0];
      const out = removeJsonEntry(text, file, dialect, container, first);
      expect(parseRef(out, dialect)).toEqual(withEntry(original, container, first, undefined));
      const node = findNodeAtLocation(parseTree(stripBom(text), [], { allowTrailingComma: true })!, container)!;
      const prop = node.children!.find((p) => p.children![0].value === first)!;
      const bom = text.startsWith('\uFEFF') ? 1 : 0;
      const outside = text.slice(0, prop.offset + bom) + ' ' + text.slice(prop.offset + prop.length + bom);
      expect(comments(out)).toEqual(comments(outside));
      const d = diffBounds(text, out);
      expect(d.prefix).toBeGreaterThan(node.offset + bom);
      expect(text.length - d.suffix).toBeLessThan(node.offset + node.length + bom);
      summary.removedExisting++;
    }

    // VS Code: the inputs array
    if (target.inputs) {
      const a = appendJsonArrayElement(text, file, dialect, ['inputs'], INPUT);
      const before = (original.inputs as Json[] | undefined) ?? [];
      expect(parseRef(a.text, dialect)).toEqual({ ...original, inputs: [...before, INPUT] });
      expect(comments(a.text)).toEqual(comments(text));
      const back = removeJsonArrayElements(a.text, file, dialect, ['inputs'], (e) => (e as JsonObject)?.id === 'mcpwire-corpus-token', a.hint);
      expect(back).toBe(text);
      summary.inputs++;
    }
    summary.roundTripped++;
  });
});

describe.runIf(haveCorpus)('malformed files are refused with a position, and no text is returned', () => {
  test.each(badRows.map((r) => [r.file] as const))('%s', (file) => {
    const { text, raw } = read(file);
    const calls: Array<[string, (d: JsonDialect) => unknown]> = [
      ['parseJsonDocument', (d) => parseJsonDocument(text, file, d)],
      ['setJsonEntry', (d) => setJsonEntry(text, file, d, ['mcpServers'], 'x', ENTRY)],
      ['removeJsonEntry', (d) => removeJsonEntry(text, file, d, ['mcpServers'], 'x')],
      ['appendJsonArrayElement', (d) => appendJsonArrayElement(text, file, d, ['inputs'], INPUT)],
      ['removeJsonArrayElements', (d) => removeJsonArrayElements(text, file, d, ['inputs'], () => true)],
    ];
    let reason = '';
    for (const dialect of [STRICT_JSON, JSONC]) {
      for (const [fn, call] of calls) {
        let result: unknown = undefined;
        let err: unknown = undefined;
        try {
          result = call(dialect);
        } catch (e) {
          err = e;
        }
        // the caller receives nothing it could write: no text, only the error
        expect(result, `${fn} returned a value`).toBeUndefined();
        expect(err, fn).toBeInstanceOf(ConfigParseError);
        const e = err as ConfigParseError;
        expect(e).toBeInstanceOf(UserError);
        expect(e.file).toBe(file);
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
        expect(e.message).toContain(`${file}:${e.line}:${e.column}`);
        expect(e.message).toContain('The file was not changed');
        expect(e.exitCode).toBe(2);
        // the position is inside the file
        expect(e.line).toBeLessThanOrEqual(stripBom(text).split('\n').length);
        reason = `${e.line}:${e.column} ${e.reason}`;
      }
    }
    // the file itself is untouched
    expect(sha256(readFileSync(new URL(file, CORPUS)))).toBe(sha256(raw));
    expect(SUMS.get(file)).toBe(sha256(raw));
    summary.malformed.push(`${file.split('/').pop()}: ${reason}`);
  });
});
