/**
 * A strict-JSON edit says which one splice of the old text it made (DocEdit.splice), and the
 * transaction writes a binary text changed that way as the old bytes around the inserted ones instead
 * of encoding the whole new text again. These tests hold that the splice always reproduces the edit's
 * text exactly (BOM, CRLF, non-ASCII, nested containers, binary text or not, add and remove), that the
 * bytes written are the new text's whichever way they were put together, and that a splice that does
 * not apply to the text at hand (another text, lengths that do not add up, a second change of the same
 * file) is not used.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { Volume, createFsFromVolume } from 'memfs';
import { addToText, removeFromText } from '../../src/entries.js';
import { runTransaction, type EditOutcome, type FileWrite } from '../../src/files/transaction.js';
import { fromBinary, toBinary } from '../../src/binary-text.js';
import type { TextSplice } from '../../src/edit/types.js';
import { currentPlatform, type Fs, type Platform } from '../../src/platform.js';
import { watchedFs } from '../watched-fs.js';
import { targetById } from '../../src/targets/index.js';
import type { ServerSpec, Target, TargetContext } from '../../src/targets/types.js';
import { fakePlatform } from '../fake-platform.js';

const claude = targetById('claude-code') as Target;
const ctx: TargetContext = (() => {
  const platform = fakePlatform({ os: 'linux', home: '/home/ada', fs: createFsFromVolume(Volume.fromJSON({})) as unknown as Fs, env: {}, cwd: '/src/app' });
  return { platform, projectRoot: platform.cwd };
})();
const spec = (o: Partial<ServerSpec> = {}): ServerSpec => ({ name: 'pelcro', url: 'https://mcp.pelcro.com/', headers: [], headerEnvs: [], ...o });
const spliced = (s: TextSplice) => s.base.slice(0, s.at) + s.insert + s.base.slice(s.at + s.remove);

const VALUE = {
  numStartups: 3,
  projects: { '/home/ada/über': { mcpServers: { x: { type: 'http', url: 'https://x/' } }, history: ['日本語 🚀', 'a "q"'] } },
  mcpServers: { other: { type: 'http', url: 'https://o/' } },
};
const TEXTS: Record<string, string> = {
  plain: JSON.stringify(VALUE, null, 2) + '\n',
  bom: '\uFEFF' + JSON.stringify(VALUE, null, 2) + '\n',
  crlf: JSON.stringify(VALUE, null, 4).replace(/\n/g, '\r\n') + '\r\n',
  inline: JSON.stringify(VALUE),
  empty: '',
  noContainer: '{\n  "numStartups": 1\n}\n',
};

describe('the splice of a strict-JSON edit', () => {
  for (const [kind, text] of Object.entries(TEXTS)) {
    for (const binary of [false, true]) {
      for (const container of [['mcpServers'], ['projects', '/home/ada/über', 'mcpServers']]) {
        test(`${kind}, ${binary ? 'binary text' : 'text'}, ${container.join('.')}: add and remove give back their text`, () => {
          const current = binary ? toBinary(text) : text;
          const added = addToText(claude, current, 'f', container, 'pelcro', claude.render(spec(), ctx), false, { binary });
          expect(added.action).toBe('added');
          expect(added.splice, 'an add of strict JSON knows its splice').toBeDefined();
          expect(added.splice!.base).toBe(current);
          expect(spliced(added.splice!)).toBe(added.text);
          const removed = removeFromText(claude, added.text, 'f', container, 'pelcro', { hint: added.hint }, { binary });
          expect(removed.text).toBe(current);
          if (removed.splice) {
            // A splice of an intermediate text (the container the add created, taken out again) is of no use here.
            if (removed.splice.base === added.text) expect(spliced(removed.splice)).toBe(removed.text);
          }
        });
      }
    }
  }
  test('an entry that is already there: no change, no splice', () => {
    const added = addToText(claude, TEXTS.plain, 'f', ['mcpServers'], 'pelcro', claude.render(spec(), ctx), false);
    const again = addToText(claude, added.text, 'f', ['mcpServers'], 'pelcro', claude.render(spec(), ctx), false);
    expect(again.action).toBe('unchanged');
    expect(again.splice).toBeUndefined();
  });
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A scratch folder behind a platform that records the sizes of the writes to temp files. */
function setup(text: string) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-splice-')));
  dirs.push(dir);
  const file = path.join(dir, 'claude.json');
  fs.writeFileSync(file, text);
  const writes: number[] = [];
  const temps = new Set<number>();
  const watched = watchedFs({
    openSync:
      (open) =>
      (f: string, ...rest: unknown[]) => {
        const fd = (open as (...a: unknown[]) => number)(f, ...rest);
        if (f.endsWith('.tmp')) temps.add(fd);
        return fd;
      },
    writeSync:
      (write) =>
      (fd: number, ...rest: unknown[]) => {
        const n = (write as (...a: unknown[]) => number)(fd, ...rest);
        if (temps.has(fd)) writes.push(n);
        return n;
      },
  });
  const p: Platform = { ...currentPlatform(), fs: watched };
  const run = (edits: Array<(current: string | null) => EditOutcome>) =>
    runTransaction(
      { platform: p, stateDir: path.join(dir, 'state'), backupDir: path.join(dir, 'state', 'b'), dryRun: false },
      edits.map((edit): FileWrite => ({ file, backupName: 'claude.json', binary: true, edit })),
    );
  return { file, writes, run };
}

const add = (name: string, tamper?: (s: TextSplice) => TextSplice) => (current: string | null) => {
  const r = addToText(claude, current, 'f', ['mcpServers'], name, claude.render(spec({ name }), ctx), false, { binary: true });
  return { text: r.text, secret: false, splice: r.splice && tamper ? tamper(r.splice) : r.splice };
};

describe('a binary text written as the old bytes around the spliced ones', () => {
  const text = TEXTS.bom.replace('"numStartups"', '"über": "日本語 🚀",\n  "numStartups"');

  test('the bytes written are the new text; the large unchanged parts are not encoded again', async () => {
    const { file, writes, run } = setup(text);
    const r = await run([add('pelcro')]);
    expect(r.outcomes.every((o) => o.ok)).toBe(true);
    const expected = addToText(claude, text, 'f', ['mcpServers'], 'pelcro', claude.render(spec(), ctx), false).text;
    expect(fs.readFileSync(file)).toEqual(Buffer.from(expected, 'utf8'));
    expect(writes.length, 'three parts: before, the inserted bytes, after').toBe(3);
    expect(writes.reduce((a, b) => a + b, 0)).toBe(Buffer.byteLength(expected));
  });

  test('a splice of another text, or one whose lengths do not add up, is not used: the whole text is encoded', async () => {
    for (const tamper of [
      (s: TextSplice) => ({ ...s, base: s.base + ' ' }),
      (s: TextSplice) => ({ ...s, remove: s.remove + 1 }),
      (s: TextSplice) => ({ ...s, at: s.base.length + 5 }),
    ]) {
      const { file, writes, run } = setup(text);
      await run([add('pelcro', tamper)]);
      const expected = addToText(claude, text, 'f', ['mcpServers'], 'pelcro', claude.render(spec(), ctx), false).text;
      expect(fs.readFileSync(file)).toEqual(Buffer.from(expected, 'utf8'));
      expect(writes.length).toBe(1);
    }
  });

  test('two changes of the same file: the second one is not a splice of the bytes read, the whole text is encoded', async () => {
    const { file, writes, run } = setup(text);
    await run([add('one'), add('two')]);
    const value = JSON.parse(fromBinary(fs.readFileSync(file, 'latin1')).replace(/^\uFEFF/, ''));
    expect(Object.keys(value.mcpServers)).toEqual(['other', 'one', 'two']);
    expect(value['über']).toBe('日本語 🚀');
    expect(writes.length).toBe(1);
  });
});
