import { describe, expect, it } from 'vitest';
import { ConfigParseError, UnsafeEditError } from '../../src/errors.js';
import { isExactChange, parseToml, removeTomlTable, renderTomlTable, scanToml, setTomlTable, tomlValuesEqual } from '../../src/edit/toml.js';
import type { JsonObject } from '../../src/edit/types.js';

const F = 'config.toml';
const P = ['mcp_servers', 'pelcro'];
const V: JsonObject = { url: 'https://mcp.pelcro.com/mcp', bearer_token_env_var: 'PELCRO_TOKEN' };
const RENDERED = '[mcp_servers.pelcro]\nurl = "https://mcp.pelcro.com/mcp"\nbearer_token_env_var = "PELCRO_TOKEN"';

/** set, check the parse, remove, check the bytes come back. */
function roundTrip(doc: string, path = P, value = V): string {
  const out = setTomlTable(doc, F, path, value);
  expect(isExactChange(parseToml(doc, F), parseToml(out, F), path, { value })).toBe(true);
  expect(removeTomlTable(out, F, path)).toBe(doc);
  return out;
}

function headerPaths(doc: string): string[] {
  return scanToml(doc).flatMap((s) => (s.kind === 'table' || s.kind === 'arrayTable' ? [s.path.join('/')] : []));
}

describe('renderTomlTable', () => {
  it('renders header and key lines in insertion order, no trailing EOL', () => {
    expect(renderTomlTable(P, V, '\n')).toBe(RENDERED);
    expect(renderTomlTable(P, V, '\r\n')).toBe(RENDERED.replace(/\n/g, '\r\n'));
  });

  it('quotes key segments that are not bare-safe and escapes strings', () => {
    const out = renderTomlTable(
      ['mcp_servers', 'my server.v2'],
      {
        command: 'C:\\tools\\run "x".exe',
        args: ['--a', 'line\nbreak', 'tab\tdel\u007fnul\u0000', 'ünïcödé 🚀'],
        http_headers: { 'X-Api-Key': 'KEY', 'needs quote': 'v' },
        env: {},
        startup_timeout_sec: 30,
        ratio: 0.5,
        enabled: false,
        'odd key': 1,
        '': 2,
      },
      '\n',
    );
    expect(out).toBe(
      [
        '[mcp_servers."my server.v2"]',
        'command = "C:\\\\tools\\\\run \\"x\\".exe"',
        'args = ["--a", "line\\nbreak", "tab\\tdel\\u007Fnul\\u0000", "ünïcödé 🚀"]',
        'http_headers = { X-Api-Key = "KEY", "needs quote" = "v" }',
        'env = {}',
        'startup_timeout_sec = 30',
        'ratio = 0.5',
        'enabled = false',
        '"odd key" = 1',
        '"" = 2',
      ].join('\n'),
    );
    // and it reads back as the same value
    const doc = setTomlTable('', F, ['mcp_servers', 'my server.v2'], { args: ['line\nbreak', 'del\u007f', '🚀'] });
    expect(parseToml(doc, F)).toEqual({ mcp_servers: { 'my server.v2': { args: ['line\nbreak', 'del\u007f', '🚀'] } } });
  });

  it('writes large integral numbers as floats so they read back equal', () => {
    const v = { big: 2 ** 60, tiny: 5e-324, huge: 1e21, neg: -7 };
    const out = setTomlTable('', F, P, v);
    expect(out).toContain('big = 1152921504606847000.0');
    expect(parseToml(out, F)).toEqual({ mcp_servers: { pelcro: v } });
  });
});

describe('setTomlTable: where a new table goes', () => {
  it('empty file: the table and one EOL', () => {
    expect(roundTrip('')).toBe(RENDERED + '\n');
  });

  it('whitespace-only file: table at offset 0, the whitespace kept after it', () => {
    expect(roundTrip('\n\n  \n')).toBe(RENDERED + '\n\n\n  \n');
    expect(roundTrip(' \t')).toBe(RENDERED + '\n \t');
  });

  it('comments-only file: after the last comment line', () => {
    expect(roundTrip('# my codex config\n# nothing yet\n\n')).toBe(`# my codex config\n# nothing yet\n\n${RENDERED}\n\n`);
  });

  it('keeps a BOM (and inserts after it in an empty file)', () => {
    expect(roundTrip('\uFEFF')).toBe('\uFEFF' + RENDERED + '\n');
    expect(roundTrip('\uFEFFmodel = "o3"\n')).toBe(`\uFEFFmodel = "o3"\n\n${RENDERED}\n`);
  });

  it('CRLF file gets CRLF line endings', () => {
    const doc = 'model = "o3"\r\n\r\n[mcp_servers.a]\r\nurl = "https://a"\r\n';
    const out = roundTrip(doc);
    expect(out).toBe(`model = "o3"\r\n\r\n[mcp_servers.a]\r\nurl = "https://a"\r\n\r\n${RENDERED.replace(/\n/g, '\r\n')}\r\n`);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('no final newline stays without one', () => {
    expect(roundTrip('model = "o3"')).toBe(`model = "o3"\n\n${RENDERED}`);
  });

  it('trailing whitespace on the anchor line is kept', () => {
    expect(roundTrip('model = "o3"   \n\n')).toBe(`model = "o3"   \n\n${RENDERED}\n\n`);
    expect(roundTrip('model = "o3" # trailing comment \t\n')).toBe(`model = "o3" # trailing comment \t\n\n${RENDERED}\n`);
  });

  it('first server: after the last line of the file, after other tables', () => {
    const doc = 'model = "o3"\n\n[projects."/home/me"]\ntrust_level = "trusted"\n\n# the end\n';
    expect(roundTrip(doc)).toBe(`${doc.slice(0, -1)}\n\n${RENDERED}\n`);
  });

  it('after the last [mcp_servers.*] block, before comments that belong to the next table', () => {
    const doc = [
      'model = "o3"',
      '',
      '[mcp_servers.a]',
      'url = "https://a"',
      '',
      '[mcp_servers.b]  # b server',
      'command = "npx"',
      'args = [',
      '  "-y",  # comment in array',
      '  "b-mcp",',
      ']',
      '',
      '[mcp_servers.b.env]',
      'TOKEN = "x"',
      '',
      '# ---- tui settings ----',
      '[tui]',
      'notifications = true',
      '',
    ].join('\n');
    const out = roundTrip(doc);
    expect(out).toBe(doc.replace('TOKEN = "x"\n', `TOKEN = "x"\n\n${RENDERED}\n`));
  });

  it('[mcp_servers] with dotted-key servers: a new [mcp_servers.y] is fine', () => {
    const doc = '[mcp_servers]\nx.url = "https://x"\nx.enabled = true\n\n[tui]\n';
    expect(roundTrip(doc)).toBe(`[mcp_servers]\nx.url = "https://x"\nx.enabled = true\n\n${RENDERED}\n\n[tui]\n`);
  });

  it('a header nested under another table is not an mcp_servers block', () => {
    const doc = '[mcp_servers.a]\nurl = "u"\n\n[plugins."p@x".mcp_servers.z]\nurl = "z"\n';
    expect(roundTrip(doc)).toBe(`[mcp_servers.a]\nurl = "u"\n\n${RENDERED}\n\n[plugins."p@x".mcp_servers.z]\nurl = "z"\n`);
  });

  it('sub-tables that are arrays of tables ([[mcp_servers.a.tools]]) are part of the block', () => {
    const doc = '[mcp_servers.a]\nurl = "u"\n[[mcp_servers.a.tools]]\nname = "t1"\n[[mcp_servers.a.tools]]\nname = "t2"\n[z]\n';
    expect(roundTrip(doc)).toBe(doc.replace('name = "t2"\n', `name = "t2"\n\n${RENDERED}\n`));
  });
});

describe('the scanner is a lexer, not a regex', () => {
  const tricky = [
    '# [mcp_servers.fake]',
    '  # [mcp_servers.fake2] indented comment',
    'banner = """',
    '[mcp_servers.in_basic_ml]',
    'url = "nope"',
    '\\"""',
    '"""',
    "lit = '''",
    '[mcp_servers.in_literal_ml]',
    "''",
    "'''",
    'arr = [',
    '  "[mcp_servers.in_array]",',
    '  # [mcp_servers.comment_in_array]',
    '  [ "nested" ],',
    ']',
    'inl = { a = "[mcp_servers.in_inline]", b = [1, 2] } # [mcp_servers.trailing_comment]',
    'quote_trick = "a # not a comment [x]"',
    "path = 'C:\\dir\\' # literal ends at the quote",
    'when = 1979-05-27 07:32:00Z',
    '',
    '[ tools . "web search" ]  # spaced header',
    "[tools.'C:\\path']",
    '[[list.of."tables"]]',
    'x = 1',
    '',
  ].join('\n');

  it('finds only the real headers', () => {
    expect(parseToml(tricky, F)).toBeTruthy();
    expect(headerPaths(tricky)).toEqual(['tools/web search', 'tools/C:\\path', 'list/of/tables']);
    const kinds = scanToml(tricky).map((s) => s.kind);
    expect(kinds.filter((k) => k === 'comment')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'keyValue')).toHaveLength(8);
  });

  it('edits around them without touching them', () => {
    const out = roundTrip(tricky);
    expect(out).toBe(tricky.replace('x = 1\n', `x = 1\n\n${RENDERED}\n`));
  });

  it('multi-line inline tables (TOML 1.1) and strings ending in quotes', () => {
    const doc = "a = { x = 1,\n  # [mcp_servers.no]\n  y = \"\"\"q\"\"\"\"\n}\ns = '''it'''''\n[mcp_servers.real]\nk = 1\n";
    expect(headerPaths(doc)).toEqual(['mcp_servers/real']);
    roundTrip(doc);
    expect(removeTomlTable(doc, F, ['mcp_servers', 'real'])).toBe("a = { x = 1,\n  # [mcp_servers.no]\n  y = \"\"\"q\"\"\"\"\n}\ns = '''it'''''\n");
  });
});

describe('quoted and literal keys', () => {
  it('finds [ mcp_servers . "my server" ] and replaces it', () => {
    const doc = 'a = 1\n\n[ mcp_servers . "my server" ] # hi\nurl = "old"\n# keep me\n\n[z]\n';
    const out = setTomlTable(doc, F, ['mcp_servers', 'my server'], { url: 'new' });
    expect(out).toBe('a = 1\n\n[mcp_servers."my server"]\nurl = "new"\n# keep me\n\n[z]\n');
  });

  it('finds a literal-string segment and an escaped basic-string segment', () => {
    const doc = '[mcp_servers.\'C:\\srv\']\nurl = "u"\n\n[mcp_servers."q\\"uote\\u00e9"]\nurl = "v"\n';
    expect(parseToml(doc, F)).toEqual({ mcp_servers: { 'C:\\srv': { url: 'u' }, 'q"uoteé': { url: 'v' } } });
    expect(removeTomlTable(doc, F, ['mcp_servers', 'C:\\srv'])).toBe('\n[mcp_servers."q\\"uote\\u00e9"]\nurl = "v"\n');
    expect(removeTomlTable(doc, F, ['mcp_servers', 'q"uoteé'])).toBe('[mcp_servers.\'C:\\srv\']\nurl = "u"\n');
    const added = roundTrip(doc, ['mcp_servers', 'C:\\new "one"'], { url: 'w' });
    expect(added).toContain('[mcp_servers."C:\\\\new \\"one\\""]\nurl = "w"');
  });
});

describe('replace', () => {
  const doc = [
    '[mcp_servers.a]',
    'url = "https://a"',
    '',
    '# about pelcro',
    '[mcp_servers.pelcro]',
    'url = "https://old"',
    '',
    '[mcp_servers.pelcro.env]',
    'X = "1"',
    '',
    '[[mcp_servers.pelcro.tools]]',
    'name = "t"',
    '# trailing comment stays',
    '',
    '[mcp_servers.c]',
    'url = "https://c"',
    '',
  ].join('\n');

  it('replaces [header start, end of last key line], sub-tables included', () => {
    const out = setTomlTable(doc, F, P, V);
    expect(out).toBe(
      ['[mcp_servers.a]', 'url = "https://a"', '', '# about pelcro', RENDERED, '# trailing comment stays', '', '[mcp_servers.c]', 'url = "https://c"', ''].join(
        '\n',
      ),
    );
    expect(parseToml(out, F)).toEqual({ mcp_servers: { a: { url: 'https://a' }, pelcro: V, c: { url: 'https://c' } } });
  });

  it('setting the same value twice is stable', () => {
    const once = setTomlTable(doc, F, P, V);
    expect(setTomlTable(once, F, P, V)).toBe(once);
  });

  it('keeps the indentation before an indented header', () => {
    expect(setTomlTable('  [mcp_servers.pelcro]\n  url = "x"\n', F, P, { url: 'y' })).toBe('  [mcp_servers.pelcro]\nurl = "y"\n');
  });

  it('a table that exists only through its sub-table is replaced as a whole', () => {
    const d = '[mcp_servers.pelcro.env]\nA = "1"\n\n[z]\n';
    const out = setTomlTable(d, F, P, { url: 'u' });
    expect(out).toBe('[mcp_servers.pelcro]\nurl = "u"\n\n[z]\n');
  });
});

describe('removeTomlTable', () => {
  it('removes the table with its sub-tables, keeps comments after its last key', () => {
    const doc = [
      'model = "o3"',
      '',
      '[mcp_servers.pelcro]',
      'url = "https://old"',
      '[mcp_servers.pelcro.env]',
      'X = "1"',
      '[[mcp_servers.pelcro.tools]]',
      'name = "t"',
      '# after',
      '',
      '[tui]',
      '',
    ].join('\n');
    expect(removeTomlTable(doc, F, P)).toBe('model = "o3"\n# after\n\n[tui]\n');
  });

  it('returns the text unchanged when the table is absent', () => {
    const doc = '# x\n[mcp_servers.a]\nurl = "u"';
    expect(removeTomlTable(doc, F, P)).toBe(doc);
    expect(removeTomlTable('', F, P)).toBe('');
  });

  it('a table at the very start is removed with the line break after it', () => {
    expect(removeTomlTable('[mcp_servers.pelcro]\nurl = "u"\n\n[tui]\n', F, P)).toBe('\n[tui]\n');
    expect(removeTomlTable('\uFEFF[mcp_servers.pelcro]\r\nurl = "u"\r\n', F, P)).toBe('\uFEFF');
    expect(removeTomlTable('[mcp_servers.pelcro]\nurl = "u"', F, P)).toBe('');
  });

  it('removing the only server leaves no mcp_servers table behind', () => {
    const out = removeTomlTable('a = 1\n\n[mcp_servers.pelcro]\nurl = "u"\n', F, P);
    expect(out).toBe('a = 1\n');
    expect(parseToml(out, F)).toEqual({ a: 1 });
  });

  it('removing the last server under an explicit [mcp_servers] keeps that table', () => {
    const out = removeTomlTable('[mcp_servers]\n\n[mcp_servers.pelcro]\nurl = "u"\n', F, P);
    expect(out).toBe('[mcp_servers]\n');
  });
});

describe('refusals (UnsafeEditError, never a guess)', () => {
  const refused = (fn: () => unknown, re?: RegExp): void => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsafeEditError);
    if (re) expect((err as Error).message).toMatch(re);
  };

  it('mcp_servers as an inline table', () => {
    const doc = 'mcp_servers = { a = { url = "u" } }\n';
    refused(() => setTomlTable(doc, F, P, V), /written as a value/);
    refused(() => removeTomlTable(doc, F, ['mcp_servers', 'a']));
  });

  it('the server itself as an inline table', () => {
    const doc = '[mcp_servers]\npelcro = { url = "u" }\n';
    refused(() => setTomlTable(doc, F, P, V), /written as a value/);
    refused(() => removeTomlTable(doc, F, P), /written as a value/);
    refused(() => removeTomlTable('mcp_servers.pelcro = { url = "u" }\n', F, P));
  });

  it('the server via dotted keys under [mcp_servers]', () => {
    const doc = '[mcp_servers]\npelcro.url = "u"\npelcro.env.A = "1"\n';
    refused(() => setTomlTable(doc, F, P, V), /dotted keys/);
    refused(() => removeTomlTable(doc, F, P), /dotted keys/);
  });

  it('top-level dotted keys mcp_servers.x.url = …', () => {
    const doc = 'mcp_servers.pelcro.url = "u"\n';
    refused(() => removeTomlTable(doc, F, P), /dotted keys/);
    refused(() => setTomlTable(doc, F, P, V), /dotted keys/);
    // mcp_servers itself is then a dotted-key table: adding another server is refused too (conservative)
    refused(() => setTomlTable(doc, F, ['mcp_servers', 'other'], V), /^config.toml: mcp_servers is defined with dotted keys/);
  });

  it('dotted keys reaching into the table from its parent table', () => {
    const doc = '[mcp_servers]\npelcro.env.A = "1"\n\n[mcp_servers.pelcro.tools]\nx = 1\n';
    refused(() => removeTomlTable(doc, F, P), /dotted keys/);
  });

  it('[[mcp_servers]] array of tables', () => {
    const doc = '[[mcp_servers]]\nname = "a"\n';
    refused(() => setTomlTable(doc, F, P, V), /array of tables/);
    refused(() => removeTomlTable('[[mcp_servers.pelcro]]\nurl = "u"\n', F, P), /array of tables/);
  });

  it('a table split across the file', () => {
    const doc = '[mcp_servers.pelcro]\nurl = "u"\n\n[other]\nk = 1\n\n[mcp_servers.pelcro.env]\nA = "1"\n';
    refused(() => removeTomlTable(doc, F, P), /split across the file/);
    refused(() => setTomlTable(doc, F, P, V), /split across the file/);
    // a new, different server is fine
    roundTrip(doc, ['mcp_servers', 'new'], V);
  });

  it('values TOML cannot hold', () => {
    refused(() => setTomlTable('', F, P, { a: null }), /null/);
    refused(() => setTomlTable('', F, P, { a: 'bad \uD800 surrogate' }), /surrogate/);
  });

  it('does not refuse unrelated dotted keys or inline tables', () => {
    roundTrip('tui.notifications = true\nshell = { inherit = "all" }\n[mcp_servers.a]\nenv = { A = "1" }\nx.y = 2\n');
  });
});

describe('parse errors', () => {
  it('ConfigParseError with the right line:column', () => {
    const cases: [string, number, number][] = [
      ['model = "o3"\nbad = \n', 2, 7],
      ['a = 1\n[mcp_servers.x\n', 2, 15],
      ['\uFEFFx = 1\r\n[a]\r\nb = 1\r\n[a]\r\n', 4, 2],
    ];
    for (const [doc, line, column] of cases) {
      for (const fn of [() => parseToml(doc, F), () => setTomlTable(doc, F, P, V), () => removeTomlTable(doc, F, P)]) {
        let err: unknown;
        try {
          fn();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ConfigParseError);
        const e = err as ConfigParseError;
        expect(e.file).toBe(F);
        expect([e.line, e.column]).toEqual([line, column]);
        expect(e.message).toContain(`${F}:${line}:${column}`);
      }
    }
  });

  it('parses big integers and dates', () => {
    const doc = 'n = 9223372036854775807\nd = 1979-05-27T07:32:00-08:00\nt = 07:32:00\n';
    const data = parseToml(doc, F);
    expect(data.n).toBe(9223372036854775807n);
    roundTrip(doc);
  });
});

describe('tomlValuesEqual / isExactChange', () => {
  it('compares bigint with number, dates by value, ignores key order', () => {
    expect(tomlValuesEqual(1n, 1)).toBe(true);
    expect(tomlValuesEqual(1n, 2)).toBe(false);
    expect(tomlValuesEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(tomlValuesEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    const d1 = parseToml('d = 1979-05-27', F).d;
    const d2 = parseToml('d = 1979-05-27', F).d;
    const d3 = parseToml('d = 1979-05-27T00:00:00Z', F).d;
    expect(tomlValuesEqual(d1, d2)).toBe(true);
    expect(tomlValuesEqual(d1, d3)).toBe(false);
  });

  it('detects any change outside the path', () => {
    const before = { a: 1, mcp_servers: { x: { url: 'u' } } };
    expect(isExactChange(before, { a: 1, mcp_servers: { x: { url: 'u' }, p: { k: 1 } } }, ['mcp_servers', 'p'], { value: { k: 1 } })).toBe(true);
    expect(isExactChange(before, { a: 2, mcp_servers: { x: { url: 'u' }, p: { k: 1 } } }, ['mcp_servers', 'p'], { value: { k: 1 } })).toBe(false);
    expect(isExactChange(before, { a: 1, mcp_servers: {} }, ['mcp_servers', 'x'], 'delete')).toBe(true);
    expect(isExactChange(before, { a: 1 }, ['mcp_servers', 'x'], 'delete')).toBe(true);
    expect(isExactChange({ ...before, mcp_servers: { ...before.mcp_servers, y: {} } }, { a: 1 }, ['mcp_servers', 'x'], 'delete')).toBe(false);
  });
});
