/**
 * The format editors against hostile documents and names (issue 7, points 3 and 7): nesting 100,000
 * levels deep is refused with path:line:column in every format and every code path, entry names that
 * are also Object.prototype properties behave like any other name, and a conflict where only the
 * headers differ says which headers (names, never values). Also the one-parse interface itself.
 */
import { describe, expect, test } from 'vitest';
import { Volume, createFsFromVolume } from 'memfs';
import { editorFor } from '../../src/edit/document.js';
import { appendJsonArrayElement, JSONC, parseJsonDocument, setJsonEntry, STRICT_JSON } from '../../src/edit/json.js';
import { parseToml, setTomlTable } from '../../src/edit/toml.js';
import { MAX_DEPTH } from '../../src/edit/types.js';
import { addToText, removeFromText } from '../../src/entries.js';
import { ConfigParseError, UnsafeEditError, UserError } from '../../src/errors.js';
import type { Fs } from '../../src/platform.js';
import { fakePlatform } from '../fake-platform.js';
import { targetById } from '../../src/targets/index.js';
import type { ServerSpec, Target, TargetContext } from '../../src/targets/types.js';

const DEEP = 100_000;
const t = (id: string): Target => targetById(id)!;
const ctx: TargetContext = (() => {
  const platform = fakePlatform({ os: 'linux', home: '/home/ada', fs: createFsFromVolume(Volume.fromJSON({})) as unknown as Fs, env: {}, cwd: '/src/app' });
  return { platform, projectRoot: platform.cwd };
})();
const spec = (o: Partial<ServerSpec> = {}): ServerSpec => ({ name: 'pelcro', url: 'https://mcp.pelcro.com/', headers: [], headerEnvs: [], ...o });

/** What fn threw (fails when it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function expectParseError(fn: () => unknown, line: number, column: number): ConfigParseError {
  const e = thrown(fn);
  expect(e, String(e)).toBeInstanceOf(ConfigParseError);
  const p = e as ConfigParseError;
  expect([p.file, p.line, p.column]).toEqual(['f', line, column]);
  expect(p.message).toMatch(new RegExp(`^f:${line}:${column}: .*nested`));
  return p;
}

const arrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
const objects = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

describe('nesting 100,000 levels deep is refused with path:line:column, never an engine error', () => {
  /** Line and column of the first bracket that opens level MAX_DEPTH + 1 (these texts hold no brackets in strings). */
  const firstTooDeep = (text: string): [number, number] => {
    let depth = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '{' || text[i] === '[') {
        if (++depth > MAX_DEPTH) return [text.slice(0, i).split('\n').length, i - text.lastIndexOf('\n', i - 1)];
      } else if (text[i] === '}' || text[i] === ']') depth--;
    }
    throw new Error('not too deep');
  };
  const docs: Array<[string, string]> = [
    ['arrays outside the container', `{\n"x": ${arrays(DEEP)}, "mcpServers": {}}`],
    ['objects inside an entry', `{\n"x": {}, "mcpServers": {"deep": ${objects(DEEP)}}}`],
  ];
  for (const format of ['json', 'jsonc'] as const) {
    for (const [what, text] of docs) {
      test(`${format}: ${what}, parse and add`, () => {
        expectParseError(() => editorFor(format).parse(text, 'f'), ...firstTooDeep(text));
        const target = format === 'json' ? t('claude-code') : t('cursor');
        expect(thrown(() => addToText(target, text, 'f', ['mcpServers'], 'pelcro', target.render(spec(), ctx), false))).toBeInstanceOf(ConfigParseError);
        expect(thrown(() => removeFromText(target, text, 'f', ['mcpServers'], 'deep'))).toBeInstanceOf(ConfigParseError);
        expect(thrown(() => setJsonEntry(text, 'f', format === 'json' ? STRICT_JSON : JSONC, ['mcpServers'], 'n', { url: 'u' }))).toBeInstanceOf(
          ConfigParseError,
        );
      });
    }
  }

  test('strict JSON that is also malformed: the error is located without a recursive tree of the whole nesting', () => {
    const e = thrown(() => parseJsonDocument(`{"a": x, "b": ${arrays(DEEP)}}`, 'f', STRICT_JSON));
    expect(e).toBeInstanceOf(ConfigParseError);
  });

  test('exactly MAX_DEPTH levels still parse and edit', () => {
    const text = `{"x": ${arrays(MAX_DEPTH - 1)}}`;
    for (const d of [STRICT_JSON, JSONC])
      expect(JSON.parse(setJsonEntry(text, 'f', d, ['mcpServers'], 'n', { url: 'u' }).text).mcpServers).toEqual({ n: { url: 'u' } });
  });

  test('an edit whose inputs array nests deep is refused too', () => {
    expect(thrown(() => appendJsonArrayElement(`{"inputs": [${arrays(DEEP)}]}`, 'f', JSONC, ['inputs'], { id: 'x' }))).toBeInstanceOf(ConfigParseError);
  });

  const toml: Array<[string, string, number]> = [
    ['inline arrays', `a = 1\nx = ${arrays(DEEP)}\n`, 2],
    ['inline tables', `a = 1\nx = ${'{b='.repeat(DEEP) + '1' + '}'.repeat(DEEP)}\n`, 2],
    ['a dotted table header', `a = 1\n\n[${Array(DEEP).fill('t').join('.')}]\nk = 1\n`, 3],
    ['a dotted key', `a = 1\n${Array(DEEP).fill('k').join('.')} = 1\n`, 2],
  ];
  test('toml: a dotted key exactly MAX_DEPTH levels deep parses, one more is refused (each level takes a dot)', () => {
    const at = (levels: number) => `a = 1\n${Array(levels).fill('k').join('.')} = 1\n`; // k.k = 1: the root, a table (2)
    expect(() => parseToml(at(MAX_DEPTH), 'f')).not.toThrow();
    expect(thrown(() => parseToml(at(MAX_DEPTH + 1), 'f'))).toBeInstanceOf(ConfigParseError);
    // dots in strings count too: many of them never hide a deep key
    expect(thrown(() => parseToml(`s = "${'.'.repeat(5000)}"\n${at(MAX_DEPTH + 1).slice(6)}`, 'f'))).toBeInstanceOf(ConfigParseError);
  });
  for (const [what, text, line] of toml) {
    test(`toml: ${what}`, () => {
      const e = thrown(() => parseToml(text, 'f'));
      expect(e, String(e)).toBeInstanceOf(ConfigParseError);
      expect((e as ConfigParseError).line).toBe(line);
      expect((e as ConfigParseError).message).toMatch(/^f:\d+:\d+: invalid TOML: .*nested/);
      expect(thrown(() => setTomlTable(text, 'f', ['mcp_servers', 'pelcro'], { url: 'u' }))).toBeInstanceOf(ConfigParseError);
      expect(thrown(() => addToText(t('codex'), text, 'f', ['mcp_servers'], 'pelcro', t('codex').render(spec(), ctx), false))).toBeInstanceOf(ConfigParseError);
    });
  }
});

describe('entry names are own properties only', () => {
  const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__'];
  const files: Array<[string, string, string[]]> = [
    ['claude-code', '{\n  "mcpServers": {\n    "other": { "type": "http", "url": "https://o.example/" }\n  }\n}\n', ['mcpServers']],
    ['claude-code', '{\n  "projects": {\n    "/src/app": {\n      "mcpServers": {}\n    }\n  }\n}\n', ['projects', '/src/app', 'mcpServers']],
    ['cursor', '{\n  // mine\n  "mcpServers": {\n    "other": { "url": "https://o.example/" },\n  },\n}\n', ['mcpServers']],
    ['vscode', '{\n  "servers": {},\n  "inputs": []\n}\n', ['servers']],
    ['codex', '# mine\nmodel = "o3"\n\n[mcp_servers.other]\nurl = "https://o.example/"\n', ['mcp_servers']],
  ];
  for (const [id, text, container] of files) {
    for (const name of NAMES) {
      test(`${id} ${container.join('.')}: "${name}" is absent, then added, then removed byte for byte`, () => {
        const target = t(id);
        expect(removeFromText(target, text, 'f', container, name)).toEqual({ text, action: 'absent' });
        const rendered = target.render(spec({ name, headerEnvs: [{ name: 'Authorization', variable: 'TOKEN' }] }), ctx);
        const added = addToText(target, text, 'f', container, name, rendered, false);
        expect(added.action).toBe('added');
        const entries = editorFor(target.format).entries(editorFor(target.format).parse(added.text, 'f'), container);
        expect(Object.prototype.hasOwnProperty.call(entries, name)).toBe(true);
        expect(addToText(target, added.text, 'f', container, name, rendered, false).action).toBe('unchanged');
        const removed = removeFromText(target, added.text, 'f', container, name, { hint: added.hint, inputsHint: added.inputsHint });
        expect({ text: removed.text, action: removed.action }).toEqual({ text, action: 'removed' });
      });
    }
  }

  test('the entries record has no prototype, whatever the format', () => {
    for (const [format, text] of [
      ['json', '{"s": {"a": 1}}'],
      ['jsonc', '{"s": {"a": 1}}'],
      ['toml', '[s.a]\nk = 1\n'],
    ] as const) {
      const e = editorFor(format);
      const entries = e.entries(e.parse(text, 'f'), ['s']);
      expect(Object.getPrototypeOf(entries)).toBe(null);
      expect(Object.keys(entries)).toEqual(['a']);
      expect(Object.keys(e.entries(e.parse(text, 'f'), ['missing']))).toEqual([]);
    }
  });
});

describe('a conflict where only the headers differ says which (names only)', () => {
  const existing = (headers: Record<string, string>) =>
    JSON.stringify({ mcpServers: { pelcro: { type: 'http', url: 'https://mcp.pelcro.com/', headers } } }, null, 2) + '\n';

  test('a header that differs, one only in the existing entry, one only in the new one', () => {
    const text = existing({ Authorization: 'Bearer old-secret-value', 'X-Org': 'acme-secret' });
    const rendered = t('claude-code').render(
      spec({
        headerEnvs: [
          { name: 'Authorization', variable: 'PELCRO_TOKEN' },
          { name: 'X-Trace', variable: 'TRACE' },
        ],
      }),
      ctx,
    );
    const e = thrown(() => addToText(t('claude-code'), text, 'f', ['mcpServers'], 'pelcro', rendered, false)) as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe(
      'f: "pelcro" already exists and points elsewhere (same URL, different headers: Authorization differs, X-Org only in the existing entry, X-Trace only in the new entry).',
    );
    expect(`${e.message} ${e.fix}`).not.toMatch(/old-secret|acme|PELCRO_TOKEN|TRACE\b/);
  });

  test('header names compare case-insensitively; a different URL keeps the plain message', () => {
    const text = existing({ authorization: 'Bearer a' });
    const sameHeaders = t('claude-code').render(spec({ headers: [{ name: 'Authorization', value: 'Bearer b' }] }), ctx);
    expect((thrown(() => addToText(t('claude-code'), text, 'f', ['mcpServers'], 'pelcro', sameHeaders, false)) as UserError).message).toContain(
      '(same URL, different headers: authorization differs)',
    );
    const elsewhere = t('claude-code').render(spec({ url: 'https://other.example/' }), ctx);
    expect((thrown(() => addToText(t('claude-code'), text, 'f', ['mcpServers'], 'pelcro', elsewhere, false)) as UserError).message).toBe(
      'f: "pelcro" already exists and points elsewhere (https://mcp.pelcro.com/).',
    );
  });

  test('a header name holding control characters is shown escaped', () => {
    const text = existing({ 'X-\u001b[31mEvil': 'v' });
    const e = thrown(() => addToText(t('claude-code'), text, 'f', ['mcpServers'], 'pelcro', t('claude-code').render(spec(), ctx), false)) as UserError;
    expect(e.message).toContain('X-\\x1b[31mEvil only in the existing entry');
    expect(e.message).not.toContain('\u001b');
  });
});

describe('the strict JSON editor: scanner and byte-level check', () => {
  test('the servers container 3 levels deep, found past strings holding brackets, quotes and escapes', () => {
    const text = '{"a": "}\\"]{[\\\\", "b": [{"c": "\\"{"}], "projects": {"/x": {"mcpServers": {}}, "/root": {"h": ["]"], "mcpServers": {"o": {"url": "u"}}}}}';
    const e = editorFor('json');
    const doc = e.parse(text, 'f');
    const container = ['projects', '/root', 'mcpServers'];
    expect(Object.keys(e.entries(doc, container))).toEqual(['o']);
    const r = e.set(doc, container, 'n', { url: 'v' });
    // One splice: everything before and after the insertion is the original's.
    const at = text.indexOf('{"url": "u"}') + '{"url": "u"}'.length;
    expect(r.text.slice(0, at)).toBe(text.slice(0, at));
    expect(r.text.slice(r.text.length - (text.length - at))).toBe(text.slice(at));
    expect(JSON.parse(r.text).projects['/root'].mcpServers).toEqual({ o: { url: 'u' }, n: { url: 'v' } });
    // The edited document comes with the edit: no second parse by the caller.
    expect(Object.keys(e.entries(r.after(), container))).toEqual(['o', 'n']);
    expect(e.remove(r.after(), container, 'n').text).toBe(text);
  });

  test('a key spelled with escapes is the same key: a duplicate along the path is refused', () => {
    const text = '{"projects": {"/root": {"mcpServers": {}}, "/ro\\u006ft": {"mcpServers": {}}}}';
    const e = thrown(() => editorFor('json').set(editorFor('json').parse(text, 'f'), ['projects', '/root', 'mcpServers'], 'n', { url: 'v' }));
    expect(e).toBeInstanceOf(UnsafeEditError);
    expect((e as Error).message).toContain('"projects./root" is defined twice');
    // Reading resolves it as the clients do: the last one wins.
    expect(editorFor('json').duplicates(editorFor('json').parse(text, 'f'), ['projects'])).toEqual(['/root']);
  });

  test('a non-object along the path is refused with its line and column', () => {
    const e = thrown(() => setJsonEntry('{\n  "projects": {"/root": []}\n}', 'f', STRICT_JSON, ['projects', '/root', 'mcpServers'], 'n', { url: 'v' }));
    expect((e as Error).message).toContain('expected an object at "projects./root" (line 2:25), found array');
  });
});
