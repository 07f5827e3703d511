/**
 * parseJsonText: JSON.parse's value, with keys that hold escapes decoded exactly even after the V8
 * key-cache bug (nodejs/node#63785) has been triggered in this process.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { setJsonEntry, STRICT_JSON } from '../../src/edit/json.js';
import { engineMisreadsEscapedKeys, exactParseJsonText, parseJsonText, valueEnd } from '../../src/json-text.js';
import { referenceValue } from './json-test-helpers.js';

/** What triggers the bug: any earlier parse of an object with a key holding a backslash. */
function poison(): void {
  JSON.parse('{"h":[],"\\\\":0}');
  JSON.parse('{"\\\\":0}');
  JSON.parse('{"a\\\\":0}');
  JSON.parse('{"x":{"\\\\":0}}');
}

/**
 * A JSON text with every key re-spelled with escapes at random (\uXXXX, the short escapes, or as is),
 * and its poison: the same document with each key that starts with an escape replaced by a key that
 * is one backslash, which is what makes V8 misread that key in the text parsed next.
 */
function escapeKeys(value: unknown, rnd: () => number): { text: string; poison: string } {
  const spell = (k: string): string =>
    [...k]
      .map((ch) => {
        const r = rnd();
        if (r < 0.4) return [...ch].map((u) => '\\u' + u.charCodeAt(0).toString(16).padStart(4, '0')).join('');
        if (r < 0.5 && ch === '"') return '\\"';
        if (r < 0.55 && ch === '/') return '\\/';
        return JSON.stringify(ch).slice(1, -1);
      })
      .join('');
  const render = (v: unknown): [string, string] => {
    if (Array.isArray(v)) {
      const parts = v.map(render);
      return ['[' + parts.map((p) => p[0]).join(',') + ']', '[' + parts.map((p) => p[1]).join(',') + ']'];
    }
    if (v !== null && typeof v === 'object') {
      const parts = Object.keys(v).map((k) => {
        const key = spell(k);
        const [t, p] = render((v as Record<string, unknown>)[k]);
        return ['"' + key + '" : ' + t, (key.startsWith('\\') ? '"\\\\"' : '"' + key + '"') + ' : ' + p];
      });
      return ['{' + parts.map((p) => p[0]).join(', ') + '}', '{' + parts.map((p) => p[1]).join(', ') + '}'];
    }
    return [JSON.stringify(v), JSON.stringify(v)];
  };
  const [text, poison] = render(value);
  return { text, poison };
}

describe('parseJsonText', () => {
  test('keys with escapes read back exactly after the bug has been triggered', () => {
    poison();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['{"h":1,"\\u0061":2}', { h: 1, a: 2 }],
      ['{"h":1,"\\"":2}', { h: 1, '"': 2 }],
      ['{"x":{"\\n":2}}', { x: { '\n': 2 } }],
      ['{"h":1,"a\\u0063":2}', { h: 1, ac: 2 }],
      ['{"\\u005f_proto__":{"polluted":true}}', JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>],
      ['[{"h":1,"\\u0061":[{"\\\\":1,"\\u0062":2}]}]', [{ h: 1, a: [{ '\\': 1, b: 2 }] }] as never],
    ];
    for (const [text, want] of cases) {
      // The exact build on every engine; the public parse (native where the engine is not affected) on this one.
      for (const got of [exactParseJsonText(text), parseJsonText(text)]) {
        expect(got).toEqual(want);
        expect(JSON.stringify(got)).toBe(JSON.stringify(want)); // same key order
      }
    }
    // a __proto__ key stays an own key, never the prototype
    const p = parseJsonText('{"\\u005f_proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(p)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
  });

  test('the same errors as JSON.parse, and the same value where no key has an escape', () => {
    for (const bad of ['{', '{"a":1,}', '{"a":"\u0001"}', '', '[1 2]']) {
      let native: unknown;
      try {
        JSON.parse(bad);
      } catch (e) {
        native = (e as Error).message;
      }
      expect(() => parseJsonText(bad)).toThrow(native as string);
    }
    const text = '{"path":"C:\\\\Users\\\\me","say":"\\"x\\": y","n":[1,2.5e3,null,true]}';
    expect(parseJsonText(text)).toEqual(JSON.parse(text));
  });

  test('matches an independent parse on generated documents with escaped keys, after poisoning (2,000 docs)', () => {
    poison();
    let escaped = 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.integer(), (v, seed) => {
        let s = seed >>> 0;
        const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const { text, poison: trigger } = escapeKeys(v, rnd);
        if (/\\/.test(text)) escaped++;
        JSON.parse(trigger);
        expect(exactParseJsonText(text)).toEqual(referenceValue(text, false));
        expect(parseJsonText(text)).toEqual(referenceValue(text, false));
      }),
      { numRuns: 2000 },
    );
    expect(escaped).toBeGreaterThan(500);
  });

  test('the exact build runs where the engine is affected: V8 12.8 and later (Node 24), not Node 20 or 22', () => {
    expect(engineMisreadsEscapedKeys('11.3.244.8-node.38')).toBe(false); // Node 20
    expect(engineMisreadsEscapedKeys('12.4.254.21-node.57')).toBe(false); // Node 22
    expect(engineMisreadsEscapedKeys('12.8.0')).toBe(true);
    expect(engineMisreadsEscapedKeys('13.6.233.17-node.53')).toBe(true); // Node 24
    expect(engineMisreadsEscapedKeys('14.1.0')).toBe(true);
    // And this engine: affected exactly when the bug reproduces here.
    JSON.parse('{"\\\\":0}');
    const misread = !Object.hasOwn(JSON.parse('{"\\u0061":0}') as object, 'a');
    if (misread) expect(engineMisreadsEscapedKeys()).toBe(true);
  });

  test('linear on a large document full of escaped values and keys', () => {
    const big = JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`C:\\dir\\${i}`, { path: 'C:\\a\\b\\c', q: '\\"' }])));
    const t0 = performance.now();
    const v = exactParseJsonText(big) as Record<string, unknown>;
    const ms = performance.now() - t0;
    expect(Object.keys(v).length).toBe(50_000);
    expect(Object.keys(v)[7]).toBe('C:\\dir\\7');
    expect(ms).toBeLessThan(2000);
  });

  test('the editor adds to a file whose keys hold escapes after the bug was triggered (the case CI found)', () => {
    poison();
    const text = '{\n\t"\\u0069\\u006eputs":\t[\n\t], "mcpServe\\u0072s":  {},\n\t"\\u0061":  null,\n\t"aa" : "",\n\t"" : null\n}';
    JSON.parse(text.replace('"\\u0061"', '"\\\\"')); // the same object with a backslash key: V8 now misreads "\u0061"
    const out = setJsonEntry(text, 'gen.json', STRICT_JSON, ['mcpServers'], 'pelcro', { type: 'http', url: 'https://mcp.pelcro.com/' }).text;
    expect(referenceValue(out, false)).toEqual({
      inputs: [],
      mcpServers: { pelcro: { type: 'http', url: 'https://mcp.pelcro.com/' } },
      a: null,
      aa: '',
      '': null,
    });
  });
});

describe('valueEnd (the strict scanner skipping a value)', () => {
  /** The end of the value at i by a plain character loop: the reference. */
  function referenceEnd(s: string, i: number): number {
    let level = 0;
    let inString = false;
    for (let j = i; j < s.length; j++) {
      const c = s[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') {
          inString = false;
          if (level === 0) return j + 1;
        }
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') level++;
      else if (c === '}' || c === ']') {
        if (--level === 0) return j + 1;
      }
    }
    throw new Error('no end');
  }

  test('ends where a character loop ends, on generated documents (strings with brackets, quotes and escapes; 2,000 docs)', () => {
    const str = fc.string({ unit: fc.constantFrom('a', '"', '\\', '{', '}', '[', ']', ',', ' ', 'é', '\u2028') });
    const json = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, str, fc.integer(), fc.array(tie('v'), { maxLength: 1500 }), fc.dictionary(str, tie('v'))),
    })).v;
    fc.assert(
      fc.property(json, fc.boolean(), (v, pretty) => {
        const text = ' ' + JSON.stringify({ v }, null, pretty ? 2 : undefined) + ' ';
        expect(valueEnd(text, 1)).toBe(referenceEnd(text, 1));
      }),
      { numRuns: 2000 },
    );
  });

  test('more than 1,024 strings and runs in a row (the expression stops at its bound and goes on)', () => {
    const text = JSON.stringify({ a: Array.from({ length: 5000 }, (_, i) => `s${i}`), b: { c: [1, 2, 3] } });
    expect(valueEnd(text, 0)).toBe(text.length);
    expect(valueEnd(text, text.indexOf('['))).toBe(text.indexOf(']') + 1);
  });

  test('a string of 8 million escapes (too long for the backtracking stack of the expression): the same end, in linear time', () => {
    const text = `{"a":"${'\\"'.repeat(8_000_000)}","b":[{}]}`;
    const t0 = performance.now();
    expect(valueEnd(text, 0)).toBe(text.length);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  test('an unterminated string ends the scan with an error, never a hang', () => {
    const text = `{"a":["${'x\\"'.repeat(2_000_000)}`;
    const t0 = performance.now();
    expect(() => valueEnd(text, 0)).toThrow();
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
