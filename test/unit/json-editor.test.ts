/**
 * Hand-written edge cases for src/edit/json.ts. Expected outputs are spelled out byte for byte.
 */
import { comments } from './json-test-helpers.js';
import { describe, expect, test } from 'vitest';
import { parse as jsoncParse } from 'jsonc-parser';
import {
  appendJsonArrayElement,
  detectStyle,
  JSONC,
  parseJsonDocument,
  removeJsonArrayElements,
  removeJsonEntry,
  setJsonEntry,
  STRICT_JSON,
  type JsonDialect,
} from '../../src/edit/json.js';
import { ConfigParseError, UnsafeEditError, UserError } from '../../src/errors.js';
import type { Json } from '../../src/edit/types.js';

const F = 'config.json';
const S = STRICT_JSON;
const C = JSONC;
const SERVERS = ['mcpServers'];
const URL_ENTRY: Json = { url: 'https://mcp.example.com/mcp' };

function value(text: string): unknown {
  return jsoncParse(text.replace(/^\uFEFF/, ''), [], { allowTrailingComma: true });
}

/** Calls fn and returns what it threw; fails if it returned (so no text reaches the caller). */
function thrown(fn: () => unknown): unknown {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    return e;
  }
  throw new Error(`expected a throw, got ${JSON.stringify(result)}`);
}

/** add then remove with the hint must give back the input exactly. */
function roundTrip(text: string, dialect: JsonDialect, path: string[] = SERVERS, name = 'added', v: Json = URL_ENTRY): string {
  const { text: added, hint } = setJsonEntry(text, F, dialect, path, name, v);
  expect(removeJsonEntry(added, F, dialect, path, name, hint)).toBe(text);
  expect(setJsonEntry(added, F, dialect, path, name, v).text).toBe(added); // idempotent
  return added;
}

describe('refusals', () => {
  test('a name defined twice in the container is refused (set and remove), nothing returned', () => {
    const doc = '{\n  "mcpServers": {\n    "a": {"url": "x"},\n    "a": {"url": "y"}\n  }\n}\n';
    for (const d of [S, C]) {
      const e1 = thrown(() => setJsonEntry(doc, F, d, SERVERS, 'a', URL_ENTRY));
      expect(e1).toBeInstanceOf(UnsafeEditError);
      expect((e1 as Error).message).toContain('"a" is defined twice');
      expect((e1 as Error).message).toContain('The file was not changed');
      expect(thrown(() => removeJsonEntry(doc, F, d, SERVERS, 'a'))).toBeInstanceOf(UnsafeEditError);
    }
    // the same name spelled with an escape is the same key
    const escaped = '{"mcpServers": {"a": 1, "\\u0061": 2}}';
    expect(thrown(() => removeJsonEntry(escaped, F, S, SERVERS, 'a'))).toBeInstanceOf(UnsafeEditError);
  });

  test('a container defined twice is refused, with the position of the second', () => {
    const doc = '{\n  "mcpServers": {},\n  "mcpServers": {"a": 1}\n}';
    const e = thrown(() => setJsonEntry(doc, F, S, SERVERS, 'b', 1));
    expect(e).toBeInstanceOf(UnsafeEditError);
    expect((e as Error).message).toContain('"mcpServers" is defined twice (second at line 3:3)');
    expect(thrown(() => removeJsonEntry(doc, F, S, SERVERS, 'a'))).toBeInstanceOf(UnsafeEditError);
    // also on a nested path
    const nested = '{"projects": {"/x": {}, "/x": {}}}';
    expect(thrown(() => setJsonEntry(nested, F, S, ['projects', '/x', 'mcpServers'], 'b', 1))).toBeInstanceOf(UnsafeEditError);
  });

  test('other names defined twice in the container are left alone: an add of a new name round-trips', () => {
    // Not refused today: the edit touches neither duplicate (see the report for the open question).
    const doc = '{"mcpServers": {"a": 1, "a": 2}}';
    expect(roundTrip(doc, S, SERVERS, 'b', 3)).toBe('{"mcpServers": {"a": 1, "a": 2, "b": 3}}');
  });

  test('a container that is not an object is refused: array, null, string, number', () => {
    for (const v of ['[]', '[{"a": 1}]', 'null', '"x"', '3', 'true']) {
      const doc = `{\n  "mcpServers": ${v}\n}\n`;
      for (const d of [S, C]) {
        const e = thrown(() => setJsonEntry(doc, F, d, SERVERS, 'b', URL_ENTRY));
        expect(e).toBeInstanceOf(UnsafeEditError);
        expect((e as Error).message).toMatch(/expected an object at "mcpServers" \(line 2:17\)/);
        expect(thrown(() => removeJsonEntry(doc, F, d, SERVERS, 'b'))).toBeInstanceOf(UnsafeEditError);
      }
    }
    // on the way to a nested container
    const e = thrown(() => setJsonEntry('{"projects": {"/x": "oops"}}', F, S, ['projects', '/x', 'mcpServers'], 'b', 1));
    expect(e).toBeInstanceOf(UnsafeEditError);
    expect((e as Error).message).toContain('"projects./x"');
  });

  test('the inputs array must be an array', () => {
    expect(thrown(() => appendJsonArrayElement('{"inputs": {}}', F, C, ['inputs'], { id: 'x' }))).toBeInstanceOf(UnsafeEditError);
  });

  test('a root that is not an object is a ConfigParseError with line and column', () => {
    const cases: Array<[string, number, number]> = [
      ['[]', 1, 1],
      ['[{"mcpServers": {}}]', 1, 1],
      ['\r\n\r\n  [1]', 3, 3],
      ['"text"', 1, 1],
      ['42', 1, 1],
      ['null', 1, 1],
      ['\uFEFF\n[]', 2, 1],
    ];
    for (const [doc, line, column] of cases) {
      for (const d of [S, C]) {
        for (const call of [
          () => setJsonEntry(doc, F, d, SERVERS, 'b', 1),
          () => removeJsonEntry(doc, F, d, SERVERS, 'b'),
          () => appendJsonArrayElement(doc, F, d, ['inputs'], 1),
          () => parseJsonDocument(doc, F, d),
        ]) {
          const e = thrown(call) as ConfigParseError;
          expect(e).toBeInstanceOf(ConfigParseError);
          expect(e).toBeInstanceOf(UserError);
          expect([e.line, e.column]).toEqual([line, column]);
          expect(e.reason).toBe('the top level must be a JSON object');
          expect(e.message).toBe(`${F}:${line}:${column}: the top level must be a JSON object. The file was not changed.`);
        }
      }
    }
  });

  test('strict JSON refuses comments and trailing commas, with the position (BOM and CRLF counted right)', () => {
    const c = thrown(() => setJsonEntry('{\n  // c\n  "a": 1\n}', F, S, SERVERS, 'b', 1)) as ConfigParseError;
    expect(c).toBeInstanceOf(ConfigParseError);
    expect([c.line, c.column]).toEqual([2, 3]);
    expect(c.reason).toContain('comments are not allowed');
    const t = thrown(() => setJsonEntry('\uFEFF{\r\n  "a": 1,\r\n}', F, S, SERVERS, 'b', 1)) as ConfigParseError;
    expect(t).toBeInstanceOf(ConfigParseError);
    expect([t.line, t.column]).toEqual([3, 1]);
    expect(t.reason).toContain('trailing comma');
    // the same files are fine as JSONC
    expect(() => setJsonEntry('{\n  // c\n  "a": 1\n}', F, C, SERVERS, 'b', 1)).not.toThrow();
    expect(() => setJsonEntry('\uFEFF{\r\n  "a": 1,\r\n}', F, C, SERVERS, 'b', 1)).not.toThrow();
  });

  test('a document that is not JSON white space is not "empty" (fixed: NBSP, a second BOM, U+2028)', () => {
    // These used to be accepted as empty documents (String.prototype.trim) and replaced on add.
    for (const doc of ['\u00a0', '\uFEFF\uFEFF', '\u2028', ' \u00a0\n']) {
      for (const d of [S, C]) {
        const e = thrown(() => setJsonEntry(doc, F, d, SERVERS, 'b', 1)) as ConfigParseError;
        expect(e).toBeInstanceOf(ConfigParseError);
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe('removing with comments around', () => {
  const doc = '{\n  "mcpServers": {\n    "a": 1,\n    // about b\n    "b": 2\n  }\n}\n';

  test('comment between two properties, removing the second', () => {
    const out = removeJsonEntry(doc, F, C, SERVERS, 'b');
    expect(out).toBe('{\n  "mcpServers": {\n    "a": 1\n    // about b\n  }\n}\n');
    expect(comments(out)).toEqual(['// about b']);
  });

  test('comment between two properties, removing the first', () => {
    const out = removeJsonEntry(doc, F, C, SERVERS, 'a');
    expect(out).toBe('{\n  "mcpServers": {\n    \n    // about b\n    "b": 2\n  }\n}\n');
    expect(comments(out)).toEqual(['// about b']);
  });

  test('comments around the only property (fixed: the two line comments were merged into one)', () => {
    const only = '{\n  "mcpServers": {\n    // the only one\n    "a": 1 // trailing\n  }\n}\n';
    const out = removeJsonEntry(only, F, C, SERVERS, 'a');
    expect(out).toBe('{\n  "mcpServers": {\n    // the only one\n     // trailing\n  }\n}\n');
    expect(comments(out)).toEqual(['// the only one', '// trailing']);
    expect(value(out)).toEqual({ mcpServers: {} });
  });

  test('a comment before the comma of the first entry stays (fixed: it was deleted)', () => {
    const d = '{\n  "mcpServers": {\n    "a": 0 /* keep me */,\n    "b": 1\n  }\n}';
    const out = removeJsonEntry(d, F, C, SERVERS, 'a');
    expect(out).toBe('{\n  "mcpServers": {\n     /* keep me */\n    "b": 1\n  }\n}');
    expect(comments(out)).toEqual(['/* keep me */']);
  });

  test('a middle entry below a line comment (fixed: the comma went into the comment and the edit was refused)', () => {
    const d = '{\n  "mcpServers": {\n    "a": 1, // about a\n    "b": 2,\n    "c": 3\n  }\n}\n';
    const out = removeJsonEntry(d, F, C, SERVERS, 'b');
    expect(out).toBe('{\n  "mcpServers": {\n    "a": 1, // about a\n    "c": 3\n  }\n}\n');
    const d2 = '{\n  "mcpServers": {\n    "a": 1,\n    // about b\n    "b": 2,\n    "c": 3\n  }\n}\n';
    expect(removeJsonEntry(d2, F, C, SERVERS, 'b')).toBe('{\n  "mcpServers": {\n    "a": 1,\n    // about b\n    "c": 3\n  }\n}\n');
  });

  test('the last entry with a trailing comma below a line comment (fixed: the comma was appended to the comment)', () => {
    const d = '{\n  "mcpServers": {\n    "a": 1, // about a\n    "b": 2,\n  },\n}\n';
    const out = removeJsonEntry(d, F, C, SERVERS, 'b');
    expect(out).toBe('{\n  "mcpServers": {\n    "a": 1, // about a\n  },\n}\n');
    expect(comments(out)).toEqual(['// about a']);
  });

  test('the only entry after `{ // note` with more on its line (fixed: the block comment was swallowed by the line comment)', () => {
    const d = '{\n  "mcpServers": { // note\n    "a": {"url": "u"} /* x */\n  }\n}';
    const out = removeJsonEntry(d, F, C, SERVERS, 'a');
    expect(out).toBe('{\n  "mcpServers": { // note\n     /* x */\n  }\n}');
    expect(comments(out)).toEqual(['// note', '/* x */']);
    const d2 = '{\n  "mcpServers": { // note\n    "a": 1 }\n}';
    expect(removeJsonEntry(d2, F, C, SERVERS, 'a')).toBe('{\n  "mcpServers": { // note\n     }\n}');
  });

  test('a trailing comma after the only property goes with it', () => {
    expect(removeJsonEntry('{"mcpServers": {"a": 1,}}', F, C, SERVERS, 'a')).toBe('{"mcpServers": {}}');
    const d = '{\n  "mcpServers": {\n    "a": {\n      "url": "u",\n    },\n  },\n}\n';
    expect(removeJsonEntry(d, F, C, SERVERS, 'a')).toBe('{\n  "mcpServers": {\n  },\n}\n');
    // a comment before that trailing comma stays, the comma still goes (fixed: `{ /* c */, }` was left and refused)
    const d2 = '{\n  "mcpServers": {\n    "a": 1 /* c */,\n  }\n}';
    expect(removeJsonEntry(d2, F, C, SERVERS, 'a')).toBe('{\n  "mcpServers": { /* c */\n  }\n}');
    // and adding next to a property with a trailing comma keeps that style
    expect(roundTrip('{"mcpServers": {"a": 1,}}', C)).toBe('{"mcpServers": {"a": 1, "added": {"url":"https://mcp.example.com/mcp"},}}');
  });

  test('removing an absent name, or from an absent container, returns the text unchanged', () => {
    for (const d of ['{}', '{"mcpServers": {}}', '', '  \n', '{"mcpServers": {"a": 1}}']) {
      expect(removeJsonEntry(d, F, S, SERVERS, 'zzz')).toBe(d);
    }
  });
});

describe('inserted bytes follow the document', () => {
  test('CRLF and tabs are preserved in the inserted bytes', () => {
    const doc = '{\r\n\t"mcpServers": {\r\n\t\t"a": {\r\n\t\t\t"url": "u"\r\n\t\t}\r\n\t}\r\n}\r\n';
    const out = roundTrip(doc, S, SERVERS, 'b', { url: 'v', args: ['x'] });
    expect(out).toBe(
      '{\r\n\t"mcpServers": {\r\n\t\t"a": {\r\n\t\t\t"url": "u"\r\n\t\t},\r\n' +
        '\t\t"b": {\r\n\t\t\t"url": "v",\r\n\t\t\t"args": [\r\n\t\t\t\t"x"\r\n\t\t\t]\r\n\t\t}\r\n\t}\r\n}\r\n',
    );
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    // a container created in a CRLF file
    const created = roundTrip('{\r\n\t"other": 1\r\n}', S, SERVERS, 'b', { url: 'v' });
    expect(created).toBe('{\r\n\t"other": 1,\r\n\t"mcpServers": {\r\n\t\t"b": {\r\n\t\t\t"url": "v"\r\n\t\t}\r\n\t}\r\n}');
  });

  test('odd indentation (3 spaces) is followed', () => {
    const out = roundTrip('{\n   "mcpServers": {\n   }\n}', S, SERVERS, 'b', { url: 'v' });
    expect(out).toBe('{\n   "mcpServers": {\n      "b": {\n         "url": "v"\n      }\n   }\n}');
  });

  test('an inline one-line container: the insertion stays on that line', () => {
    const doc = '{\n  "mcpServers": {"a": {"url": "u"}}\n}';
    const out = roundTrip(doc, S, SERVERS, 'b', { url: 'v', args: ['x'] });
    expect(out).toBe('{\n  "mcpServers": {"a": {"url": "u"}, "b": {"url":"v","args":["x"]}}\n}');
    // a whole document on one line
    expect(roundTrip('{"mcpServers":{"a":1}}', S, SERVERS, 'b', [1, 2])).toBe('{"mcpServers":{"a":1, "b": [1,2]}}');
  });

  test('setting twice gives the same text even when the one-line container holds a multi-line value (fixed)', () => {
    const doc = '{"mcpServers": { "a": { "args": [\n], "env": {} } }}';
    const once = setJsonEntry(doc, F, S, SERVERS, 'b', { command: 'npx', args: ['x'] }).text;
    expect(once).toBe('{"mcpServers": { "a": { "args": [\n], "env": {} }, "b": {"command":"npx","args":["x"]} }}');
    expect(setJsonEntry(once, F, S, SERVERS, 'b', { command: 'npx', args: ['x'] }).text).toBe(once);
  });

  test('an indented root: the unit is measured from the root line (fixed: a second set re-indented the entry)', () => {
    expect(detectStyle('  {\n    "a": 1\n  }', false).indent).toBe('  ');
    expect(detectStyle('\t{\n\t\t"a": 1\n\t}', false).indent).toBe('\t');
    expect(detectStyle('{\n    "a": 1\n}', false).indent).toBe('    ');
    const once = roundTrip('  {}', S, ['projects', '/some/dir', 'mcpServers'], 'b', { url: 'v' });
    expect(once).toBe(
      '  {\n    "projects": {\n      "/some/dir": {\n        "mcpServers": {\n          "b": {\n            "url": "v"\n          }\n        }\n      }\n    }\n  }',
    );
  });

  test('replacing a value changes only the value bytes', () => {
    const doc = '{\n  "mcpServers": {\n    "a": {"url": "old"}, // keep\n    "b": 2\n  }\n}';
    const out = setJsonEntry(doc, F, C, SERVERS, 'a', { url: 'new' });
    expect(out.text).toBe('{\n  "mcpServers": {\n    "a": {\n      "url": "new"\n    }, // keep\n    "b": 2\n  }\n}');
    expect(out.hint).toEqual({});
  });
});

describe('hints give back the exact original', () => {
  test('every empty container layout, including comments inside (fixed: `{ /* c */ }` was not restored)', () => {
    const layouts = ['{}', '{ }', '{\n  }', '{\n\n  }', '{ // c\n  }', '{ /* c */ }', '{/* c */}', '{\n    // c\n  }', '{\n    /* a */ /* b */\n  }'];
    for (const empty of layouts) {
      const doc = `{\n  "mcpServers": ${empty}\n}\n`;
      const out = roundTrip(doc, C);
      expect(value(out)).toEqual({ mcpServers: { added: URL_ENTRY } });
      expect(comments(out)).toEqual(comments(doc));
      // as the root too
      roundTrip(empty, C);
    }
  });

  test('a comment the user added after our insertion is kept (the container is not reset)', () => {
    const doc = '{\n  "mcpServers": {}\n}';
    const { text, hint } = setJsonEntry(doc, F, C, SERVERS, 'x', 1);
    const edited = text.replace('"x": 1', '// mine\n    "x": 1');
    expect(removeJsonEntry(edited, F, C, SERVERS, 'x', hint)).toBe('{\n  "mcpServers": {\n    // mine\n  }\n}');
  });

  test('nested creation of projects["/x"].mcpServers and its exact removal', () => {
    const path = ['projects', '/x', 'mcpServers'];
    const doc = '{\n  "numStartups": 3,\n  "projects": {\n    "/y": {\n      "allowedTools": []\n    }\n  }\n}\n';
    const { text, hint } = setJsonEntry(doc, F, S, path, 'b', { type: 'http', url: 'v' });
    expect(text).toBe(
      '{\n  "numStartups": 3,\n  "projects": {\n    "/y": {\n      "allowedTools": []\n    },\n' +
        '    "/x": {\n      "mcpServers": {\n        "b": {\n          "type": "http",\n          "url": "v"\n        }\n      }\n    }\n  }\n}\n',
    );
    expect(hint).toEqual({ createdPath: ['projects', '/x'] });
    expect(removeJsonEntry(text, F, S, path, 'b', hint)).toBe(doc);
    // projects itself missing, and projects empty
    roundTrip('{\n  "numStartups": 3\n}\n', S, path);
    roundTrip('{\n  "projects": {}\n}\n', S, path);
    roundTrip('{\n  "projects": {\n    "/x": {}\n  }\n}\n', S, path);
    // the user added a second server meanwhile: the created path stays
    const other = setJsonEntry(text, F, S, path, 'c', 1).text;
    const out = removeJsonEntry(other, F, S, path, 'b', hint);
    expect(JSON.parse(out)).toEqual({ numStartups: 3, projects: { '/y': { allowedTools: [] }, '/x': { mcpServers: { c: 1 } } } });
  });

  test('empty and white-space-only documents', () => {
    for (const doc of ['', '\n', '  ', '\r\n', '\t\n\n']) {
      const out = roundTrip(doc, S);
      expect(JSON.parse(out)).toEqual({ mcpServers: { added: URL_ENTRY } });
    }
    expect(roundTrip('\r\n', S)).toBe('{\r\n  "mcpServers": {\r\n    "added": {\r\n      "url": "https://mcp.example.com/mcp"\r\n    }\r\n  }\r\n}\r\n');
  });

  test('the BOM is kept', () => {
    const doc = '\uFEFF{\n  "mcpServers": {\n    "a": 1\n  }\n}\n';
    const out = roundTrip(doc, S);
    expect(out.startsWith('\uFEFF{')).toBe(true);
    expect(out.indexOf('\uFEFF', 1)).toBe(-1);
    expect(removeJsonEntry(doc, F, S, SERVERS, 'a')).toBe('\uFEFF{\n  "mcpServers": {\n  }\n}\n');
    // a BOM-only document
    const bomOnly = roundTrip('\uFEFF', S);
    expect(bomOnly.startsWith('\uFEFF{')).toBe(true);
    expect(parseJsonDocument(bomOnly, F, S).bom).toBe(true);
  });

  test('inputs: append and remove with every array layout (fixed: `[ /* c */ ]` was not restored)', () => {
    const el = { id: 'tok', type: 'promptString', password: true };
    const match = (e: Json) => (e as { id?: string })?.id === 'tok';
    for (const arr of ['[]', '[ ]', '[\n  ]', '[ /* c */ ]', '[ // c\n  ]', '[\n    {"id": "other"}\n  ]', '[{"id": "other"},]']) {
      const doc = `{\n  "servers": {},\n  "inputs": ${arr}\n}`;
      const a = appendJsonArrayElement(doc, F, C, ['inputs'], el);
      expect((value(a.text) as { inputs: Json[] }).inputs.at(-1)).toEqual(el);
      expect(removeJsonArrayElements(a.text, F, C, ['inputs'], match, a.hint)).toBe(doc);
    }
    // created, then removed
    const doc = '{\n  "servers": {}\n}';
    const a = appendJsonArrayElement(doc, F, C, ['inputs'], el);
    expect(a.text).toBe('{\n  "servers": {},\n  "inputs": [\n    {\n      "id": "tok",\n      "type": "promptString",\n      "password": true\n    }\n  ]\n}');
    expect(removeJsonArrayElements(a.text, F, C, ['inputs'], match, a.hint)).toBe(doc);
  });
});

describe('__proto__ keys are plain keys, as JSON.parse reads them', () => {
  test('an entry next to a __proto__ key round-trips and keeps it', async () => {
    const { setJsonEntry, removeJsonEntry, STRICT_JSON } = await import('../../src/edit/json.js');
    const doc = '{"__proto__": {"polluted": true}, "mcpServers": {"__proto__": {"url": "u"}}}';
    const a = setJsonEntry(doc, 'f', STRICT_JSON, ['mcpServers'], 'pelcro', { url: 'https://x/' });
    expect(Object.keys(JSON.parse(a.text).mcpServers)).toEqual(['__proto__', 'pelcro']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(removeJsonEntry(a.text, 'f', STRICT_JSON, ['mcpServers'], 'pelcro', a.hint)).toBe(doc);
  });
});

describe('a comment at the end of the last entry stays with that entry', () => {
  // Fixed: the new entry was inserted before the comment, which then seemed to describe the new one.
  test.each([
    [
      'a line comment',
      '{\n  "mcpServers": {\n    "a": 1 // about a\n  }\n}\n',
      '{\n  "mcpServers": {\n    "a": 1, // about a\n    "added": {\n      "url": "https://mcp.example.com/mcp"\n    }\n  }\n}\n',
    ],
    [
      'a block comment',
      '{\n  "mcpServers": {\n    "a": 1 /* about a */\n  }\n}\n',
      '{\n  "mcpServers": {\n    "a": 1, /* about a */\n    "added": {\n      "url": "https://mcp.example.com/mcp"\n    }\n  }\n}\n',
    ],
    [
      'a trailing comma, then a comment (the new entry gets one too)',
      '{\n  "mcpServers": {\n    "a": 1, // about a\n  }\n}\n',
      '{\n  "mcpServers": {\n    "a": 1, // about a\n    "added": {\n      "url": "https://mcp.example.com/mcp"\n    },\n  }\n}\n',
    ],
    [
      'CRLF',
      '{\r\n  "mcpServers": {\r\n    "a": 1 // about a\r\n  }\r\n}\r\n',
      '{\r\n  "mcpServers": {\r\n    "a": 1, // about a\r\n    "added": {\r\n      "url": "https://mcp.example.com/mcp"\r\n    }\r\n  }\r\n}\r\n',
    ],
  ])('%s', (_label, doc, expected) => {
    expect(roundTrip(doc, C)).toBe(expected);
  });

  test('an inputs element with a comment after it', () => {
    const doc = '{\n  "inputs": [\n    { "id": "x" } // one\n  ]\n}\n';
    const { text, hint } = appendJsonArrayElement(doc, F, C, ['inputs'], { id: 'y' });
    expect(text).toBe('{\n  "inputs": [\n    { "id": "x" }, // one\n    {\n      "id": "y"\n    }\n  ]\n}\n');
    expect(removeJsonArrayElements(text, F, C, ['inputs'], (e) => (e as { id?: string }).id === 'y', hint)).toBe(doc);
  });

  test('a block comment followed by the closing bracket on the same line: the old layout is kept', () => {
    const doc = '{\n  "mcpServers": {\n    "a": 1 /* about a */ }\n}\n';
    const added = roundTrip(doc, C);
    expect(comments(added)).toEqual(['/* about a */']);
    expect(value(added)).toEqual({ mcpServers: { a: 1, added: URL_ENTRY } });
  });
});
