/** The protocol pieces of src/mcp (no SDK): stdio framing and the `Mcp-Param-*` header rules. */
import { describe, expect, test } from 'vitest';
import { encodeHeaderValue, paramHeaders, scanHeaderDeclarations } from '../../src/mcp/headers.js';
import { hasLongString, jsonPieces, LineReader, parseLine, textSlices } from '../../src/mcp/jsonrpc.js';
import { isModernVersion } from '../../src/mcp/versions.js';

describe('LineReader', () => {
  const collect = (limit = 1000) => {
    const lines: string[] = [];
    const oversize: number[] = [];
    const r = new LineReader(
      (l) => lines.push(l),
      limit,
      (n) => oversize.push(n),
    );
    return { r, lines, oversize };
  };

  test('lines split across chunks, CRLF, blank lines skipped, a last line without newline kept at the end', () => {
    const { r, lines } = collect();
    r.push(Buffer.from('{"a":'));
    r.push(Buffer.from('1}\r\n\n{"b":2}\n{"c"'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    r.push(Buffer.from(':3}'));
    r.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  test('a multi-byte character split between chunks survives', () => {
    const { r, lines } = collect();
    const b = Buffer.from('"世界"\n');
    r.push(b.subarray(0, 2));
    r.push(b.subarray(2));
    expect(lines).toEqual(['"世界"']);
  });

  test('a line over the limit is dropped and reported; the next line is read normally', () => {
    const { r, lines, oversize } = collect(10);
    r.push(Buffer.from('x'.repeat(8)));
    r.push(Buffer.from('y'.repeat(8)));
    r.push(Buffer.from('zz\n{"ok":1}\n'));
    expect(oversize.length).toBe(1);
    expect(lines).toEqual(['{"ok":1}']);
  });
});

describe('parseLine', () => {
  test('not JSON: -32700 with a null id; not JSON-RPC: -32600 keeping the id', () => {
    expect(parseLine('{oops')).toMatchObject({ code: -32700, id: null });
    expect(parseLine('[1,2]')).toMatchObject({ code: -32600, id: null });
    expect(parseLine('{"jsonrpc":"1.0","id":3,"method":"x"}')).toMatchObject({ code: -32600, id: 3 });
    expect(parseLine('{"jsonrpc":"2.0","id":4}')).toMatchObject({ code: -32600, id: 4 });
    expect(parseLine('{"jsonrpc":"2.0","id":5,"method":"tools/list"}')).toEqual({ message: { jsonrpc: '2.0', id: 5, method: 'tools/list' } });
  });
});

test('2026-07-28 and later are the stateless generation', () => {
  expect(isModernVersion('2026-07-28')).toBe(true);
  expect(isModernVersion('2027-01-01')).toBe(true);
  expect(isModernVersion('2025-11-25')).toBe(false);
  expect(isModernVersion(undefined)).toBe(false);
});

describe('Mcp-Param headers (SEP-2243)', () => {
  test('values: safe ASCII plain; non-ASCII, edge whitespace, control characters, empty and sentinel-like values in Base64', () => {
    expect(encodeHeaderValue('us-west1')).toBe('us-west1');
    expect(encodeHeaderValue('us west 1')).toBe('us west 1');
    expect(encodeHeaderValue('a\tb')).toBe('a\tb');
    const b64 = (s: string) => `=?base64?${Buffer.from(s).toString('base64')}?=`;
    for (const s of ['Hello, 世界', ' padded ', ' lead', 'trail ', 'line1\nline2', 'cr\r', 'nul\u0000', '', '=?base64?abc?='])
      expect(encodeHeaderValue(s)).toBe(b64(s));
  });

  test('declarations at any depth of properties; integers and booleans converted; null or missing sends nothing', () => {
    const scan = scanHeaderDeclarations({
      type: 'object',
      properties: {
        region: { type: 'string', 'x-mcp-header': 'Region' },
        priority: { type: 'integer', 'x-mcp-header': 'Priority' },
        debug: { type: 'boolean', 'x-mcp-header': 'Debug' },
        nested: { type: 'object', properties: { zone: { type: 'string', 'x-mcp-header': 'Zone' } } },
        gone: { type: 'string', 'x-mcp-header': 'Gone' },
        plain: { type: 'string' },
      },
    });
    expect(scan.valid).toBe(true);
    if (!scan.valid) return;
    expect(paramHeaders(scan.declarations, { region: 'eu', priority: 42, debug: false, nested: { zone: 'b' }, gone: null, plain: 'x' })).toEqual({
      'Mcp-Param-Region': 'eu',
      'Mcp-Param-Priority': '42',
      'Mcp-Param-Debug': 'false',
      'Mcp-Param-Zone': 'b',
    });
  });

  test('invalid declarations make the tool invalid', () => {
    const prop = (p: Record<string, unknown>) => ({ type: 'object', properties: p });
    const invalid = [
      prop({ a: { type: 'string', 'x-mcp-header': '' } }),
      prop({ a: { type: 'number', 'x-mcp-header': 'A' } }),
      prop({ a: { type: 'object', 'x-mcp-header': 'A' } }),
      prop({ a: { type: 'string', 'x-mcp-header': 'A' }, b: { type: 'string', 'x-mcp-header': 'a' } }),
      prop({ a: { type: 'string', 'x-mcp-header': 'A B' } }),
      prop({ a: { type: 'string', 'x-mcp-header': 'A:B' } }),
      prop({ a: { type: 'string', 'x-mcp-header': 'Ünicode' } }),
      prop({ a: { type: 'array', items: { type: 'string', 'x-mcp-header': 'A' } } }),
      { type: 'object', anyOf: [prop({ a: { type: 'string', 'x-mcp-header': 'A' } })] },
      { type: 'string', 'x-mcp-header': 'Root' },
    ];
    for (const schema of invalid) expect(scanHeaderDeclarations(schema).valid, JSON.stringify(schema)).toBe(false);
    expect(scanHeaderDeclarations(prop({ a: { type: 'string' } }))).toEqual({ valid: true, declarations: [] });
  });
});

describe('textSlices (how the bridge writes a large message)', () => {
  test('small texts are one slice; large ones join back exactly, never cut inside a surrogate pair', () => {
    expect([...textSlices('{"a":1}')]).toEqual(['{"a":1}']);
    const rocket = '🚀'; // two UTF-16 units
    for (const max of [2, 3, 4, 7, 8]) {
      const text = `x${rocket.repeat(9)}ü${rocket}é`.repeat(3);
      const slices = [...textSlices(text, max)];
      expect(slices.join('')).toBe(text);
      for (const s of slices) {
        expect(s.length).toBeLessThanOrEqual(max);
        expect(Buffer.from(s, 'utf8').toString('utf8')).toBe(s); // each slice stands alone: no lone half
      }
      expect(Buffer.concat(slices.map((s) => Buffer.from(s, 'utf8'))).toString('utf8')).toBe(text);
    }
  });
});

describe('jsonPieces (a message holding a long string, written without its whole text)', () => {
  const pieces = (v: unknown, limit: number) => [...jsonPieces(v, limit)];

  test('joined, the pieces are exactly JSON.stringify: escapes, surrogate pairs at slice ends, skipped and null members', () => {
    const long = `a"b\\c\n\u0001🚀é\u2028`.repeat(40) + '🚀';
    const values: unknown[] = [
      { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: long }], isError: false } },
      [long, undefined, () => 1, 1.5, null, true, { k: long, skip: undefined, f: () => 1 }],
      { constructor: long, __proto__x: 1, toString: 'x', ['__proto__']: long },
      JSON.parse(`{"__proto__": ${JSON.stringify(long)}, "a": [${JSON.stringify(long)}]}`),
      { when: new Date(0), text: long },
      long,
      { short: 'no long string here', n: [1, 2, 3] },
    ];
    for (const v of values)
      for (const limit of [3, 8, 50]) {
        const got = pieces(v, limit);
        expect(got.join(''), JSON.stringify(v).slice(0, 80)).toBe(JSON.stringify(v));
        // No piece carries a long string whole: each is at most an escaped slice (6 units per unit).
        if (hasLongString(v, 1000)) continue;
        for (const p of got.filter((x) => x.includes('a\\"b'))) expect(p.length).toBeLessThanOrEqual(Math.max(6 * limit, 64));
      }
  });

  test('what holds no long string is one JSON.stringify piece; a deep message is cut to whole pieces below depth 64', () => {
    expect(pieces({ a: [1, 'x'] }, 10)).toEqual(['{"a":[1,"x"]}']);
    let deep: unknown = 'y'.repeat(100);
    for (let i = 0; i < 200; i++) deep = [deep];
    const got = pieces(deep, 10);
    expect(got.join('')).toBe(JSON.stringify(deep));
    expect(got.length).toBeLessThan(200); // the part below depth 64 is one piece
  });

  test('hasLongString finds a long string at any depth, in arrays and objects, and nothing in a short message', () => {
    expect(hasLongString({ a: [{ b: ['x'.repeat(11)] }] }, 10)).toBe(true);
    expect(hasLongString({ a: [{ b: ['x'.repeat(10)] }], n: 5 }, 10)).toBe(false);
    expect(hasLongString('x'.repeat(11), 10)).toBe(true);
  });
});
