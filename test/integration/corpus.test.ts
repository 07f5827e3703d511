/**
 * Every real config file of the six clients (../shared/corpus/real-configs), put where its client
 * reads it, goes through the real CLI: `mcp add` then `mcp remove` must give back the same bytes,
 * or the file is refused (exit 2, path:line:column) and left untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { scratch } from './cli-harness.js';

import { CORPUS_DIR as corpusDir, haveCorpus, requireCorpusInCi } from '../corpus.js';

requireCorpusInCi();

/** Where each corpus folder's files live for the CLI, and with which target/scope. */
const PLACES: Record<string, { target: string; scope: string; at: (home: string, cwd: string) => string }> = {
  codex: { target: 'codex', scope: 'user', at: (h) => path.join(h, '.codex', 'config.toml') },
  cursor: { target: 'cursor', scope: 'user', at: (h) => path.join(h, '.cursor', 'mcp.json') },
  vscode: { target: 'vscode', scope: 'user', at: (h) => path.join(h, '.config', 'Code', 'User', 'mcp.json') },
  'claude-code': { target: 'claude-code', scope: 'project', at: (_h, cwd) => path.join(cwd, '.mcp.json') },
  'claude-desktop': { target: 'claude-desktop', scope: 'user', at: (h) => path.join(h, '.config', 'Claude', 'claude_desktop_config.json') },
  windsurf: { target: 'windsurf', scope: 'user', at: (h) => path.join(h, '.codeium', 'windsurf', 'mcp_config.json') },
};

function corpusFiles(): Array<[string, string, boolean]> {
  if (!haveCorpus) return [];
  const out: Array<[string, string, boolean]> = [];
  for (const folder of Object.keys(PLACES)) {
    const dir = path.join(corpusDir, folder);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (f === 'malformed') for (const m of fs.readdirSync(path.join(dir, f)).sort()) out.push([folder, path.join(dir, f, m), true]);
      else out.push([folder, path.join(dir, f), false]);
    }
  }
  return out;
}

const files = corpusFiles();
const tally = { roundTripped: 0, refused: [] as string[] };

describe.runIf(files.length > 0)('real config corpus through the CLI', () => {
  test('the corpus is there and big enough', () => {
    expect(files.length).toBeGreaterThanOrEqual(70);
    expect(files.filter(([, , bad]) => bad).length).toBeGreaterThanOrEqual(3);
  });

  test.each(files)('%s: %s', (folder, file, malformed) => {
    const place = PLACES[folder];
    const s = scratch();
    const dest = place.at(s.home, s.cwd);
    const original = fs.readFileSync(file);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, original);
    const past = new Date('2021-02-03T04:05:06Z');
    fs.utimesSync(dest, past, past);
    const common = ['--target', place.target, '--scope', place.scope, '--name', 'mcpwire-corpus-probe'];
    const add = s.run([
      'mcp',
      'add',
      ...common,
      '--url',
      'https://mcp.pelcro.com/',
      '--header',
      'X-Org: acme',
      '--header-env',
      'Authorization=PELCRO_TOKEN',
      '--json',
    ]);
    if (malformed || add.code === 2) {
      // Refused: exit 2, the place of the problem named, the bytes and mtime exactly as they were.
      expect(add.code, add.stderr).toBe(2);
      expect(add.stderr).toMatch(new RegExp(`${dest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+:\\d+)?: `));
      expect(fs.readFileSync(dest).equals(original)).toBe(true);
      expect(fs.statSync(dest).mtimeMs).toBe(past.getTime());
      if (!malformed) tally.refused.push(`${path.basename(file)}: ${add.stderr.split('\n')[0]}`);
      return;
    }
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout).changes[0].action).toBe('added');
    const written = fs.readFileSync(dest, 'utf8');
    expect(written).toContain('mcpwire-corpus-probe');
    const rm = s.run(['mcp', 'remove', ...common.slice(0, 4), '--name', 'mcpwire-corpus-probe', '--json']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(JSON.parse(rm.stdout).changes[0].action).toBe('removed');
    expect(fs.readFileSync(dest).equals(original), `${file} did not round-trip`).toBe(true);
    tally.roundTripped++;
  });
});

afterAll(() => {
  if (files.length)
    console.log(
      `corpus: ${tally.roundTripped} round-tripped byte for byte, ${files.filter((f) => f[2]).length} malformed refused, ${tally.refused.length} refused:\n  ${tally.refused.join('\n  ')}`,
    );
});
