/**
 * Strict JSON edited as binary text (its UTF-8 bytes one per character: src/binary-text.ts): every edit
 * must give exactly the bytes the same edit gives on the decoded text, and every refusal the same message
 * (line:column counted in characters). Real corpus files, and the cases where bytes and characters part:
 * non-ASCII and escaped keys on the path, non-ASCII names and values, a BOM, errors after non-ASCII text.
 * And JSONC files that JSON.parse accepts, which the strict scanner edits: the same bytes as jsonc-parser's path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { binaryLineColumn, fromBinary, toBinary } from '../../src/binary-text.js';
import { lineColumn } from '../../src/errors.js';
import { removeJsonEntryIn, setJsonEntryIn, jsonEntries, jsonDuplicates } from '../../src/edit/json/entries.js';
import { JSONC, parseJson, parseJsoncTree, STRICT_JSON, type JsonDoc } from '../../src/edit/json/parse.js';
import type { InsertHint, Json, JsonObject } from '../../src/edit/types.js';
import { binaryUtf8, decodeUtf8 } from '../../src/files/io.js';
import { runTransaction, type FileWrite } from '../../src/files/transaction.js';
import { currentPlatform } from '../../src/platform.js';
import { CORPUS, haveCorpus, requireCorpusInCi } from '../corpus.js';

requireCorpusInCi();

const bin = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const bytesOf = (s: string, binary: boolean) => Buffer.from(s, binary ? 'latin1' : 'utf8');

type Outcome = { ok: true; bytes: Buffer; hint: InsertHint } | { ok: false; message: string };

function attempt(f: () => { text: string; hint: InsertHint }, binary: boolean): Outcome {
  try {
    const r = f();
    return { ok: true, bytes: bytesOf(r.text, binary), hint: r.hint };
  } catch (e) {
    return { ok: false, message: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

/** Set, then remove with the hint: the same bytes (or the same refusal) from the text and from its bytes. */
function sameBothWays(text: string, container: string[], name: string, value: JsonObject): Outcome {
  const outcomes = [false, true].map((binary) => {
    const input = binary ? bin(text) : text;
    const set = attempt(() => setJsonEntryIn(parseJson(input, 'f.json', STRICT_JSON, { deferCheck: true, binary }), container, name, value), binary);
    if (!set.ok) return { set };
    const after = binary ? set.bytes.toString('latin1') : set.bytes.toString('utf8');
    const removed = attempt(() => removeJsonEntryIn(parseJson(after, 'f.json', STRICT_JSON, { binary }), container, name, set.hint), binary);
    return { set, removed };
  });
  const [t, b] = outcomes;
  expect(b.set).toEqual(t.set);
  expect(b.removed).toEqual(t.removed);
  // An entry that was not there before: removing it gives the original bytes back.
  if (t.removed?.ok && !hadEntry(text, container, name)) expect(t.removed.bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
  return t.set;
}

function hadEntry(text: string, container: string[], name: string): boolean {
  try {
    return Object.hasOwn(jsonEntries(parseJson(text, 'f.json', STRICT_JSON), container), name);
  } catch {
    return false;
  }
}

const ENTRY: JsonObject = { type: 'http', url: 'https://mcp.example.com/mcp?x=1&y=é', headers: { Authorization: 'Bearer ${input:token}' } };
const ASCII_ENTRY: JsonObject = { type: 'http', url: 'https://mcp.example.com/mcp' };

describe('binary text helpers', () => {
  test('round trip, BOM, line:column counted in characters', () => {
    for (const s of ['', 'abc', 'über 日本語 🚀 \u0000', '\uFEFF{}']) expect(fromBinary(toBinary(s))).toBe(s);
    expect(toBinary('\uFEFF')).toBe('\xEF\xBB\xBF');
    const text = '{\n  "日本語": "🚀", "x": 1\n}';
    const at = text.indexOf('"x"');
    expect(binaryLineColumn(bin(text), Buffer.byteLength(text.slice(0, at)))).toEqual(lineColumn(text, at));
  });

  test('bytes that are not UTF-8 are refused the same way as when decoding', () => {
    const buf = Buffer.concat([Buffer.from('{\n  "a": "ok",\n  "b": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n}')]);
    expect(() => binaryUtf8('f.json', buf)).toThrow();
    let a = '';
    let b = '';
    try {
      decodeUtf8('f.json', buf);
    } catch (e) {
      a = (e as Error).message;
    }
    try {
      binaryUtf8('f.json', buf);
    } catch (e) {
      b = (e as Error).message;
    }
    expect(b).toBe(a);
    expect(a).toMatch(/f\.json:3:/);
  });
});

describe('strict JSON edited as bytes gives the bytes of the edit on text', () => {
  const cases: Array<[string, string, string[], string, JsonObject]> = [
    ['plain', '{\n  "mcpServers": {\n    "a": { "url": "https://a/" }\n  }\n}\n', ['mcpServers'], 'b', ENTRY],
    ['BOM', '\uFEFF{\n  "mcpServers": {}\n}\n', ['mcpServers'], 'b', ENTRY],
    ['BOM, no container', '\uFEFF{ "theme": "dark" }', ['mcpServers'], 'b', ASCII_ENTRY],
    ['empty file', '', ['mcpServers'], 'ü', ENTRY],
    ['non-ASCII text around', '{\n  "tip": "日本語 🚀 über",\n  "mcpServers": {\n    "x": { "command": "naïve" }\n  }\n}', ['mcpServers'], 'b', ASCII_ENTRY],
    ['non-ASCII name', '{ "mcpServers": { "a": {} } }', ['mcpServers'], 'über-日本', ASCII_ENTRY],
    [
      'non-ASCII key on the path',
      '{\n  "projects": {\n    "/home/über/x": { "mcpServers": {} },\n    "/home/a": {}\n  }\n}',
      ['projects', '/home/über/x', 'mcpServers'],
      'b',
      ENTRY,
    ],
    ['escaped key on the path', '{ "mcp\\u0053ervers": { "a": 1 }, "\\u00e9": 2 }', ['mcpServers'], 'b', ASCII_ENTRY],
    ['escaped non-ASCII key beside', '{ "\\u00e9t\\u00e9": 1, "été": 2, "mcpServers": {} }', ['mcpServers'], 'b', ENTRY],
    ['key with raw and escaped non-ASCII', '{ "mcpServers": { "\\u00fcber": {}, "über": {} } }', ['mcpServers'], 'x', ENTRY],
    ['replace an existing entry', '{ "mcpServers": { "b": { "url": "https://old/", "timeout": "日" } } }', ['mcpServers'], 'b', ENTRY],
    ['lone surrogate in a value', '{ "mcpServers": {} }', ['mcpServers'], 'b', { url: 'https://x/', note: 'a\ud800b' }],
    ['CRLF and tabs', '{\r\n\t"mcpServers": {\r\n\t\t"a": {}\r\n\t}\r\n}\r\n', ['mcpServers'], 'é', ENTRY],
  ];
  for (const [label, text, container, name, value] of cases)
    test(label, () => {
      const set = sameBothWays(text, container, name, value);
      expect(set.ok).toBe(true);
    });

  test('entries, values and duplicate names read the same from bytes', () => {
    const text = '{ "mcpServers": { "über": { "url": "https://ü/" }, "\\u00fcber": { "url": "https://e/" }, "a": 1, "a": 2 } }';
    const t = parseJson(text, 'f.json', STRICT_JSON);
    const b = parseJson(bin(text), 'f.json', STRICT_JSON, { binary: true });
    expect(jsonEntries(b, ['mcpServers'])).toEqual(jsonEntries(t, ['mcpServers']));
    expect(jsonDuplicates(b, ['mcpServers'])).toEqual(jsonDuplicates(t, ['mcpServers']));
    expect(jsonDuplicates(b, ['mcpServers']).sort()).toEqual(['a', 'über']);
  });
});

describe('refusals from bytes say what the text says, at the same line:column', () => {
  const bad: Array<[string, string, string[]]> = [
    ['syntax error after non-ASCII', '{\n  "a": "日本語🚀", "b": ,\n  "mcpServers": {}\n}', ['mcpServers']],
    ['missing brace after non-ASCII', '{ "x": "über", "mcpServers": { "a": {} }', ['mcpServers']],
    ['top level not an object', '  ["日本"]', ['mcpServers']],
    ['duplicate container after non-ASCII', '{ "é": 1, "mcpServers": {}, "ü": "日本", "mcpServers": {} }', ['mcpServers']],
    ['container not an object', '{ "日本語": 1, "mcpServers": [] }', ['mcpServers']],
    ['control character in a string', '{ "a": "ü\u0001", "mcpServers": {} }', ['mcpServers']],
    ['too deep after non-ASCII', `{ "é": "ü", "x": ${'['.repeat(1200)}${']'.repeat(1200)}, "mcpServers": {} }`, ['mcpServers']],
  ];
  for (const [label, text, container] of bad)
    test(label, () => {
      const set = sameBothWays(text, container, 'b', ENTRY);
      expect(set.ok).toBe(false);
      if (!set.ok) expect(set.message).toMatch(/f\.json(:\d+:\d+)?/);
    });
});

describe.runIf(haveCorpus)('the real strict-JSON corpus, edited as bytes', () => {
  const dirs = ['claude-code', 'claude-desktop', 'malformed'];
  const files = dirs.flatMap((d) => {
    const dir = new URL(`${d}/`, CORPUS);
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((n) => n.endsWith('.json'))
          .map((n) => new URL(n, dir))
      : [];
  });
  test(`${files.length} files: the same bytes or the same refusal`, () => {
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      sameBothWays(text, ['mcpServers'], 'mcpwire-corpus', ENTRY);
      sameBothWays(text, ['mcpServers'], 'github', ASCII_ENTRY); // often present: replaced, or a conflict-free update
    }
  });
});

describe('one transaction, edits taking text in different forms', () => {
  test('a binary edit and a text edit of the same file see each other, and the bytes written are right', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-binary-')));
    try {
      const file = path.join(dir, 'c.json');
      const original = '{\n  "tip": "日本語",\n  "mcpServers": {}\n}\n';
      fs.writeFileSync(file, original);
      const add = (name: string, binary: boolean): FileWrite => ({
        file,
        backupName: 'c.json',
        binary,
        edit: (current) => {
          expect(current).toContain(binary ? bin('日本語') : '日本語');
          const doc = parseJson(current!, file, STRICT_JSON, { binary });
          return { text: setJsonEntryIn(doc, ['mcpServers'], name, { url: `https://${name}/` } as Json as JsonObject).text, secret: false };
        },
      });
      const p = currentPlatform();
      const state = path.join(dir, 'state');
      const r = await runTransaction({ platform: p, stateDir: state, backupDir: path.join(state, 'b'), dryRun: false }, [
        add('ü', true),
        add('é', false),
        add('x', true),
      ]);
      expect(r.outcomes.every((o) => o.ok)).toBe(true);
      const value = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(Object.keys(value.mcpServers)).toEqual(['ü', 'é', 'x']);
      expect(value.tip).toBe('日本語');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(haveCorpus)('JSONC files edited by the strict scanner (through their blanked copy where they hold comments)', () => {
  // parseJson reads a JSONC file with the strict scanner: the text itself when JSON.parse accepts it,
  // else its copy with comments and trailing commas blanked. jsonc-parser's tree (parseJsoncTree) is
  // the other reading: both must make the same edit, byte for byte, or refuse alike.
  const dirs = ['cursor', 'windsurf', 'vscode', 'zed', 'gemini', 'opencode'];
  const files = dirs.flatMap((d) => {
    const dir = new URL(`${d}/`, CORPUS);
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => new URL(e.name, dir))
      : [];
  });
  test('the same bytes as through jsonc-parser, for every such corpus file, and again with comments and trailing commas added', () => {
    let compared = 0;
    let blanked = 0;
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      const container = f.pathname.includes('/vscode/') ? ['servers'] : f.pathname.includes('/zed/') ? ['context_servers'] : ['mcpServers'];
      const edit = (t: string, read: (t: string) => JsonDoc) => {
        try {
          const doc = read(t);
          const set = setJsonEntryIn(doc, container, 'mcpwire-corpus', ENTRY);
          const removed = removeJsonEntryIn(set.after(), container, 'mcpwire-corpus', set.hint);
          return { set: set.text, removed: removed.text, kind: doc.constructor.name };
        } catch (e) {
          return { error: (e as Error).message };
        }
      };
      // The file as it is, and with a comment (holding a `*/`-free `//`, a quote and a `,}`) after its first
      // line break and a trailing comma before the last closing brace, where those fit.
      const variants = [text];
      const nl = text.indexOf('\n');
      const close = text.lastIndexOf('}');
      const beforeClose = text.slice(0, close).trimEnd();
      if (nl > 0 && close > nl && beforeClose.endsWith('}'))
        variants.push(
          text.slice(0, nl + 1) +
            '  // see https://example.com/a,} "x" /* y */\n' +
            text.slice(nl + 1, beforeClose.length) +
            ',' +
            text.slice(beforeClose.length),
        );
      for (const t of variants) {
        const fast = edit(t, (x) => parseJson(x, 'f.json', JSONC));
        const tree = edit(t, (x) => parseJsoncTree(x, 'f.json', JSONC));
        if ('error' in fast || 'error' in tree) {
          expect(fast, f.pathname).toEqual(tree);
          continue;
        }
        expect(tree.kind, f.pathname).toBe('JsoncDoc');
        if (fast.kind === 'StrictDoc' && /\/\/|\/\*|,\s*[}\]]/.test(t)) blanked++;
        expect(fast.set, f.pathname).toBe(tree.set);
        expect(fast.removed, f.pathname).toBe(t);
        expect(tree.removed, f.pathname).toBe(t);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    expect(blanked).toBeGreaterThan(10);
  });
});
