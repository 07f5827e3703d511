/**
 * Property tests for the format-preserving TOML editor. Documents are generated valid by construction
 * (asserted by parsing them) and mix everything a hand-edited config.toml has: comments on their own
 * line and after values, blank-line runs with whitespace, trailing whitespace, CRLF, a BOM, no final
 * newline, multi-line strings and arrays holding text that looks like `[mcp_servers.x]`, other tables,
 * arrays of tables, and `[mcp_servers.*]` tables with sub-tables.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnsafeEditError } from '../../src/errors.js';
import { parseToml, removeTomlTable, renderTomlTable, setTomlTable } from '../../src/edit/toml.js';
import type { Json, JsonObject } from '../../src/edit/types.js';

/** ≥ 1,000 per property; raise with TOML_PROPERTY_RUNS=20000 for a deeper run. */
const NUM_RUNS = Math.max(1000, Number(process.env.TOML_PROPERTY_RUNS) || 0);
const F = 'config.toml';

// ---------------------------------------------------------------------------------------------
// Document generator
// ---------------------------------------------------------------------------------------------

const chars = (s: string[]): fc.Arbitrary<string> => fc.constantFrom(...s);
const text = (units: string[], maxLength = 12): fc.Arbitrary<string> => fc.string({ unit: chars(units), maxLength });

/** Lines that look like TOML structure; used inside strings, arrays and comments. */
const TRICKY = ['[mcp_servers.x]', '[[mcp_servers.y]]', '[ mcp_servers . "z" ]', '# [mcp_servers.fake]', 'url = "nope"', '[other]', ''];

const basicString = text(['a', 'Z', '0', ' ', '#', '[', ']', '.', '=', "'", 'é', '🚀', '\\n', '\\"', '\\\\', '\\u00e9', '\\t']).map((s) => `"${s}"`);
const literalString = text(['a', 'Z', ' ', '#', '[', ']', '.', '"', '\\', 'é', '🚀']).map((s) => `'${s}'`);
const trickyBasic = fc.constantFrom(...TRICKY.map((t) => `"${t.replace(/"/g, '\\"')}"`));
const scalar = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.constantFrom('3.5', '-0.25', '1e3', '6.02e+23', 'inf', '0x1F', '0o17', '0b101', '1_000'),
  fc.boolean().map(String),
  basicString,
  literalString,
  trickyBasic,
  fc.constantFrom('1979-05-27T07:32:00Z', '1979-05-27 07:32:00-08:00', '1979-05-27', '07:32:00'),
);

const mlLine = fc.oneof(
  fc.constantFrom(...TRICKY),
  text(['a', ' ', '#', '[', ']', '=', "'", '"', 'é'], 10).filter((s) => !s.includes('""')),
);
const mlBasic = fc
  .tuple(fc.array(mlLine, { maxLength: 4 }), fc.constantFrom('\n"""', '"""', '\\\n   """'))
  .map(([lines, close]) => `"""\n${lines.map((l) => l.replace(/"/g, '')).join('\n')}${close}`);
const mlLiteral = fc
  .tuple(fc.array(mlLine, { maxLength: 4 }), fc.constantFrom("\n'''", "'''", "''\n'''"))
  .map(([lines, close]) => `'''\n${lines.map((l) => l.replace(/'/g, '')).join('\n')}${close}`);
const arrayInline = fc.array(scalar, { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`);
const arrayMultiline = fc
  .array(
    fc.oneof(
      scalar.map((v) => `  ${v},`),
      fc.constantFrom('  # [mcp_servers.in_array]', '', '  [1, 2],', '  "[[mcp_servers.q]]", # c'),
    ),
    { maxLength: 5 },
  )
  .map((items) => `[\n${items.join('\n')}\n]`);
const inlineTable = fc
  .array(scalar, { maxLength: 3 })
  .map((xs) => (xs.length === 0 ? '{}' : `{ ${xs.map((v, i) => `${i % 2 ? `"i ${i}"` : `i${i}`} = ${v}`).join(', ')} }`));
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: mlBasic },
  { weight: 1, arbitrary: mlLiteral },
  { weight: 1, arbitrary: arrayInline },
  { weight: 1, arbitrary: arrayMultiline },
  { weight: 1, arbitrary: inlineTable },
);
const trailing = fc.constantFrom('', '', ' ', '\t  ', ' # note', '  # [mcp_servers.trailing]', '#');
const comment = fc
  .tuple(fc.constantFrom('', '  ', '\t'), fc.oneof(fc.constantFrom(...TRICKY), text(['a', ' ', '[', ']', '#', 'é', '"', "'"])))
  .map(([indent, t]) => `${indent}#${t ? ' ' + t : ''}`);
const blank = fc.constantFrom('', '', '', '  ', '\t');

type Item = { t: 'kv'; value: string; trailing: string; dotted: boolean } | { t: 'line'; line: string };
const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('kv' as const), value, trailing, dotted: fc.boolean() }) },
  { weight: 1, arbitrary: comment.map((line) => ({ t: 'line' as const, line })) },
  { weight: 2, arbitrary: blank.map((line) => ({ t: 'line' as const, line })) },
);
const items = fc.array(item, { maxLength: 5 });

/** Keys are made unique per table from the item index. */
function renderItems(its: Item[], prefix: string): string[] {
  return its.map((it, i) => {
    if (it.t === 'line') return it.line;
    const key = it.dotted ? `${prefix}d${i}.sub` : [`${prefix}k${i}`, `"${prefix}k ${i}"`, `'${prefix}k.${i}'`][i % 3];
    return `${key} = ${it.value}${it.trailing}`;
  });
}

type TableSpec = {
  kind: 'other' | 'tool' | 'projects' | 'aot' | 'mcp' | 'mcpParent';
  spaced: boolean;
  headerTrailing: string;
  items: Item[];
  env: Item[] | null;
  tools: Item[][];
};
const tableSpec: fc.Arbitrary<TableSpec> = fc.record({
  kind: fc.constantFrom('other', 'tool', 'projects', 'aot', 'mcp', 'mcp', 'mcp', 'mcpParent'),
  spaced: fc.boolean(),
  headerTrailing: trailing,
  items,
  env: fc.option(items, { nil: null }),
  tools: fc.array(items, { maxLength: 2 }),
});

interface GenDoc {
  text: string;
  /** Server tables ([mcp_servers.NAME]) in the document, by parsed name. */
  servers: string[];
  /** Servers written as dotted keys under [mcp_servers]. */
  dotted: string[];
  /** The line ending the editor should use (LF when the document has no line break). */
  eol: '\n' | '\r\n';
}

const genDoc: fc.Arbitrary<GenDoc> = fc
  .record({
    leading: fc.array(blank, { maxLength: 2 }),
    root: items,
    tables: fc.array(tableSpec, { maxLength: 6 }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    finalNewline: fc.boolean(),
  })
  .map(({ leading, root, tables, crlf, bom, finalNewline }) => {
    const lines: string[] = [...leading, ...renderItems(root, 'r')];
    const servers: string[] = [];
    const dotted: string[] = [];
    let parentDone = false;
    tables.forEach((t, i) => {
      const hdr = (segs: string[], arr = false): string => {
        const inner = t.spaced ? ` ${segs.join(' . ')} ` : segs.join('.');
        return arr ? `[[${inner}]]` : `[${inner}]`;
      };
      let kind = t.kind;
      if (kind === 'mcpParent' && parentDone) kind = 'other';
      switch (kind) {
        case 'other':
          lines.push(hdr([`other${i}`]) + t.headerTrailing, ...renderItems(t.items, ''));
          break;
        case 'tool':
          lines.push(hdr(['tool', `sub${i}`]) + t.headerTrailing, ...renderItems(t.items, ''));
          break;
        case 'projects':
          lines.push(hdr(['projects', `"/home/u/p ${i}"`]) + t.headerTrailing, ...renderItems(t.items, ''));
          break;
        case 'aot':
          lines.push(hdr(['aot'], true) + t.headerTrailing, ...renderItems(t.items, ''));
          break;
        case 'mcpParent': {
          parentDone = true;
          lines.push(hdr(['mcp_servers']) + t.headerTrailing);
          t.items.forEach((it, j) => {
            if (it.t === 'line') lines.push(it.line);
            else {
              dotted.push(`dsrv${i}_${j}`);
              lines.push(`dsrv${i}_${j}.url = ${it.value}${it.trailing}`);
            }
          });
          break;
        }
        case 'mcp': {
          const [seg, name] = [
            [`srv${i}`, `srv${i}`],
            [`"my srv ${i}"`, `my srv ${i}`],
            [`'lit.srv${i}'`, `lit.srv${i}`],
          ][i % 3];
          servers.push(name);
          lines.push(hdr(['mcp_servers', seg]) + t.headerTrailing, ...renderItems(t.items, ''));
          if (t.env) lines.push(hdr(['mcp_servers', seg, 'env']), ...renderItems(t.env, 'E'));
          for (const tool of t.tools) lines.push(hdr(['mcp_servers', seg, 'tools'], true), ...renderItems(tool, 'T'));
          break;
        }
      }
    });
    const eol = crlf ? '\r\n' : '\n';
    let body = lines.join('\n');
    if (finalNewline && lines.length > 0) body += '\n';
    return { text: (bom ? '\uFEFF' : '') + body.replace(/\n/g, eol), servers, dotted, eol: body.includes('\n') ? eol : '\n' } as GenDoc;
  });

// ---------------------------------------------------------------------------------------------
// Values to write
// ---------------------------------------------------------------------------------------------

const jsonKey = fc.oneof(
  fc.constantFrom('url', 'command', 'args', 'env', 'http_headers', 'enabled', 'startup_timeout_sec', 'X-Api-Key', 'my key', '', '__proto__', 'a.b'),
  fc.string({ maxLength: 6 }),
);
const jsonString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('[mcp_servers.x]', '"""', "'''", 'a\r\nb', '\u007f\u0000'),
);
const jsonScalar: fc.Arbitrary<Json> = fc.oneof(
  jsonString,
  fc.integer(),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
);
const jsonValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: jsonScalar },
  { weight: 1, arbitrary: fc.array(jsonScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(jsonKey, jsonString, { maxKeys: 3, noNullPrototype: true }) },
);
const serverValue: fc.Arbitrary<JsonObject> = fc.dictionary(jsonKey, jsonValue, { maxKeys: 6, noNullPrototype: true });
const newName = fc.constantFrom('pelcro', 'new server', 'C:\\x "q"', 'ünï-🚀', 'a.b');

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type Table = Record<string, unknown>;

function servers(data: Table): Table {
  return (data.mcp_servers ?? {}) as Table;
}

function withServer(data: Table, name: string, v: JsonObject): Table {
  const mcp = { ...servers(data) };
  Object.defineProperty(mcp, name, { value: v, enumerable: true, writable: true, configurable: true });
  return { ...data, mcp_servers: mcp };
}

function withoutServer(data: Table, name: string, afterHasMcp: boolean): Table {
  const mcp = { ...servers(data) };
  delete mcp[name];
  const out = { ...data, mcp_servers: mcp };
  if (!afterHasMcp && Object.keys(mcp).length === 0) delete (out as Table).mcp_servers;
  return out;
}

/** `edited` is `orig` with one contiguous span replaced by `inserted` (everything else byte-identical). */
function onlySpanChanged(orig: string, edited: string): { prefix: number; suffix: number } {
  let p = 0;
  while (p < orig.length && p < edited.length && orig[p] === edited[p]) p++;
  let s = 0;
  while (s < orig.length - p && s < edited.length - p && orig[orig.length - 1 - s] === edited[edited.length - 1 - s]) s++;
  return { prefix: p, suffix: s };
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('TOML editor properties', () => {
  it('generated documents are valid TOML', () => {
    fc.assert(
      fc.property(genDoc, (d) => {
        const data = parseToml(d.text, F);
        expect(Object.keys(servers(data)).sort()).toEqual([...d.servers, ...d.dotted].sort());
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('(a) remove(set(doc)) === doc for a new name, and (b) the set parses to doc + entry', () => {
    fc.assert(
      fc.property(genDoc, newName, serverValue, (d, name, v) => {
        const before = parseToml(d.text, F);
        const path = ['mcp_servers', name];
        const out = setTomlTable(d.text, F, path, v);
        // pure insertion of exactly the rendered table and its blank line
        const rendered = renderTomlTable(path, v, d.eol);
        const { prefix, suffix } = onlySpanChanged(d.text, out);
        expect(prefix + suffix).toBeGreaterThanOrEqual(d.text.length);
        expect([rendered.length + 2 * d.eol.length, rendered.length + d.eol.length]).toContain(out.length - d.text.length);
        expect(out.includes(rendered)).toBe(true);
        // (b)
        expect(parseToml(out, F)).toEqual(withServer(before, name, v));
        // (a)
        expect(removeTomlTable(out, F, path)).toBe(d.text);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('(c) removing an existing server table parses to doc minus it and changes one span only', () => {
    fc.assert(
      fc.property(
        genDoc.filter((d) => d.servers.length > 0),
        fc.nat(),
        (d, k) => {
          const name = d.servers[k % d.servers.length];
          const before = parseToml(d.text, F);
          const out = removeTomlTable(d.text, F, ['mcp_servers', name]);
          const after = parseToml(out, F);
          expect(after).toEqual(withoutServer(before, name, 'mcp_servers' in after));
          const { prefix, suffix } = onlySpanChanged(d.text, out);
          expect(prefix + suffix).toBeGreaterThanOrEqual(out.length);
          // removing again is a no-op
          expect(removeTomlTable(out, F, ['mcp_servers', name])).toBe(out);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('(d) set is stable: setting the identical value twice gives the same bytes (new and existing names)', () => {
    fc.assert(
      fc.property(genDoc, fc.nat(), newName, serverValue, (d, k, fresh, v) => {
        const name = d.servers.length > 0 && k % 2 === 0 ? d.servers[k % d.servers.length] : fresh;
        const path = ['mcp_servers', name];
        const once = setTomlTable(d.text, F, path, v);
        expect(setTomlTable(once, F, path, v)).toBe(once);
        expect(parseToml(once, F)).toEqual(withServer(parseToml(d.text, F), name, v));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('dotted-key servers under [mcp_servers] are refused, never guessed', () => {
    fc.assert(
      fc.property(
        genDoc.filter((d) => d.dotted.length > 0),
        fc.nat(),
        serverValue,
        (d, k, v) => {
          const path = ['mcp_servers', d.dotted[k % d.dotted.length]];
          expect(() => removeTomlTable(d.text, F, path)).toThrow(UnsafeEditError);
          expect(() => setTomlTable(d.text, F, path, v)).toThrow(UnsafeEditError);
        },
      ),
      { numRuns: 200 },
    );
  });
});
