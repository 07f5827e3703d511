/**
 * `mcp add` into strict JSON parses the old text only through the verification of the edit (the scanner
 * finds the container, one native JSON.parse of the new text proves it; json/parse.ts). These tests
 * hold that a malformed old text is still refused with its path:line:column on every path (added,
 * unchanged, conflict, a container in an odd place), never written: thousands of one-character
 * corruptions of a realistic ~/.claude.json-shaped file, each compared with what JSON.parse says of it.
 */
import { describe, expect, test } from 'vitest';
import { Volume, createFsFromVolume } from 'memfs';
import { addToText } from '../../src/entries.js';
import { ConfigParseError } from '../../src/errors.js';
import type { Fs } from '../../src/platform.js';
import { targetById } from '../../src/targets/index.js';
import type { ServerSpec, Target, TargetContext } from '../../src/targets/types.js';
import { fakePlatform } from '../fake-platform.js';
import { prng } from '../prng.js';

const claude = targetById('claude-code') as Target;
const ctx: TargetContext = (() => {
  const platform = fakePlatform({ os: 'linux', home: '/home/ada', fs: createFsFromVolume(Volume.fromJSON({})) as unknown as Fs, env: {}, cwd: '/src/app' });
  return { platform, projectRoot: platform.cwd };
})();
const spec = (o: Partial<ServerSpec> = {}): ServerSpec => ({ name: 'pelcro', url: 'https://mcp.pelcro.com/', headers: [], headerEnvs: [], ...o });

const BASE = JSON.stringify(
  {
    numStartups: 3,
    tips: { a: 1, 'b"q': [1, 2, { c: null }] },
    projects: { '/home/ada/über': { mcpServers: { x: { type: 'http', url: 'https://x/' } }, history: ['fix "it"', 'path\\to', '{[', '日本語 🚀'] } },
    mcpServers: { pelcro: { type: 'http', url: 'https://mcp.pelcro.com/' }, other: { type: 'http', url: 'https://o/' } },
    empty: {},
    last: [true, false, -1.5e3, 'x'],
  },
  null,
  2,
);
const INLINE = JSON.stringify({ a: [1, { b: '}' }], mcpServers: {}, z: 'q' });

function outcome(text: string, name: string, url = 'https://mcp.pelcro.com/'): 'refused-parse' | 'other-error' | 'written' | 'unchanged' {
  try {
    const r = addToText(claude, text, '/home/ada/.claude.json', ['mcpServers'], name, claude.render(spec({ name, url }), ctx), false);
    return r.text === text ? 'unchanged' : 'written';
  } catch (e) {
    return e instanceof ConfigParseError ? 'refused-parse' : 'other-error';
  }
}

const validJson = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

describe('strict JSON with the deferred check', () => {
  test('a valid file is edited (added, unchanged, conflict) as before', () => {
    expect(outcome(BASE, 'fresh')).toBe('written');
    expect(outcome(BASE, 'pelcro')).toBe('unchanged');
    expect(outcome(BASE, 'other')).toBe('other-error'); // conflict: points elsewhere
    expect(outcome(INLINE, 'fresh')).toBe('written');
  });

  test('every one-character corruption that JSON.parse refuses is refused with line:column, on every path', () => {
    const rnd = prng(7);
    const alphabet = ['{', '}', '[', ']', '"', ',', ':', ' ', '\\', 'x', '1', '\n', '\u0001'];
    let invalid = 0;
    for (const base of [BASE, INLINE]) {
      for (let i = 0; i < 1500; i++) {
        const at = Math.floor(rnd() * base.length);
        const kind = rnd();
        const ch = alphabet[Math.floor(rnd() * alphabet.length)];
        const text =
          kind < 0.34
            ? base.slice(0, at) + base.slice(at + 1)
            : kind < 0.67
              ? base.slice(0, at) + ch + base.slice(at)
              : base.slice(0, at) + ch + base.slice(at + 1);
        if (validJson(text)) continue;
        invalid++;
        for (const name of ['fresh', 'pelcro', 'other']) expect([text.length, at, name, outcome(text, name)]).toEqual([text.length, at, name, 'refused-parse']);
      }
    }
    expect(invalid).toBeGreaterThan(1000);
  });

  test('a top level that is not an object, and nesting too deep, are refused as before', () => {
    for (const text of ['[1, 2]', '"x"', '12', '{"a": 1} x', '{"mcpServers": {}} {']) expect(outcome(text, 'fresh')).toBe('refused-parse');
    expect(outcome('{"a": ' + '['.repeat(100_000) + ']'.repeat(100_000) + '}', 'fresh')).toBe('refused-parse');
  });
});
