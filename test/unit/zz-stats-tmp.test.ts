/**
 * Property tests for the format-preserving TOML editor. Documents are generated valid by construction
 * (asserted by parsing them) and mix everything a hand-edited config.toml has: comments on their own
 * line and after values, blank-line runs with whitespace, trailing whitespace, CRLF, a BOM, no final
 * newline, multi-line strings and arrays holding text that looks like `[mcp_servers.x]`, other tables,
 * arrays of tables, and `[mcp_servers.*]` tables with sub-tables.
 */
import fc from 'fast-check';
import { it } from 'vitest';
import { UnsafeEditError } from '/work/main/src/errors.js';
import { parseToml, removeTomlTable, renderTomlTable, setTomlTable } from '/work/main/src/edit/toml.js';
import type { Json, JsonObject } from '/work/main/src/edit/types.js';

const NUM_RUNS = 1000;
const F = 'config.toml';

// ---------------------------------------------------------------------------------------------
// Document generator
// ---------------------------------------------------------------------------------------------

const chars = (s: string[]): fc.Arbitrary<string> => fc.constantFrom(...s);
const text = (units: string[], maxLength = 12): fc.Arbitrary<string> =>
  fc.string({ unit: chars(units), maxLength });

/** Lines that look like TOML structure; used inside strings, arrays and comments. */
const TRICKY = ['[mcp_servers.x]', '[[mcp_servers.y]]', '[ mcp_servers . "z" ]', '# [mcp_servers.fake]', 'url = "nope"', '[other]', ''];

const basicString = text(['a', 'Z', '0', ' ', '#', '[', ']', '.', '=', "'", 'é', '🚀', '\\n', '\\"', '\\\\', '\\u00e9', '\\t']).map(
  (s) => `"${s}"`,
);
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

const mlLine = fc.oneof(fc.constantFrom(...TRICKY), text(['a', ' ', '#', '[', ']', '=', "'", '"', 'é'], 10).filter((s) => !s.includes('""')));
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
const jsonString = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('[mcp_servers.x]', '"""', "'''", 'a\r\nb', '\u007f\u0000'));
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

it('stats', () => {
  const xs = fc.sample(genDoc, {numRuns: 1000, seed: 42});
  const c = (f: (t: string)=>boolean) => xs.filter(d => f(d.text)).length;
  console.log({
    withServers: xs.filter(d=>d.servers.length>0).length,
    withDotted: xs.filter(d=>d.dotted.length>0).length,
    env: c(t=>t.includes('.env]')), tools: c(t=>t.includes('tools]]')),
    mlBasic: c(t=>t.includes('"""')), mlLit: c(t=>t.includes("\'\'\'")), multiArr: c(t=>/= \[\r?\n/.test(t)),
    crlf: c(t=>t.includes('\r\n')), bom: c(t=>t.startsWith('\uFEFF')), noFinalNl: c(t=>!t.endsWith('\n')),
    empty: c(t=>t.replace('\uFEFF','').trim()===''), trailingWs: c(t=>/[ \t]\r?\n/.test(t)),
    avgLen: xs.reduce((a,d)=>a+d.text.length,0)/xs.length,
  });
  console.log(xs.filter(d=>d.servers.length>1 && d.text.includes('"""'))[0]?.text);
});
