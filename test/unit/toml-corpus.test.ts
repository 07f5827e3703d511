/**
 * Real Codex config.toml files (read-only corpus): every edit must leave every other byte alone.
 * - add a new server then remove it: identical bytes; the intermediate parses to original + entry;
 * - remove each existing server: parses to original minus it (or refused with UnsafeEditError);
 * - re-set each existing server to its own parsed value: parses to the original.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnsafeEditError } from '../../src/errors.js';
import { isExactChange, parseToml, removeTomlTable, setTomlTable } from '../../src/edit/toml.js';
import type { JsonObject } from '../../src/edit/types.js';

import { CORPUS, haveCorpus, requireCorpusInCi } from '../corpus.js';

requireCorpusInCi();
const CODEX_DIR = fileURLToPath(new URL('codex/', CORPUS));

const files = (haveCorpus ? readdirSync(CODEX_DIR, { withFileTypes: true }) : [])
  .filter((e) => e.isFile())
  .map((e) => e.name)
  .sort();

const NEW_VALUE: JsonObject = {
  url: 'https://mcp.example.com/mcp',
  bearer_token_env_var: 'EXAMPLE_TOKEN',
  http_headers: { 'X-Client': 'mcpwire' },
  env_http_headers: { 'X-Api-Key': 'EXAMPLE_API_KEY' },
  startup_timeout_sec: 20,
  enabled: true,
};

function read(name: string): string {
  return readFileSync(new URL(`codex/${name}`, CORPUS), 'utf8');
}

function unusedName(data: Record<string, unknown>): string {
  const servers = (data.mcp_servers ?? {}) as Record<string, unknown>;
  let name = 'mcpwire-test';
  for (let i = 2; Object.prototype.hasOwnProperty.call(servers, name); i++) name = `mcpwire-test-${i}`;
  return name;
}

const refusals: string[] = [];
let removals = 0;

describe.runIf(haveCorpus)('Codex corpus', () => {
  it('has files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  describe.each(files)('%s', (name) => {
    const text = read(name);
    const data = parseToml(text, name);
    const existing = Object.keys((data.mcp_servers ?? {}) as Record<string, unknown>);

    it('set a new server then remove it gives back the identical bytes', () => {
      const path = ['mcp_servers', unusedName(data)];
      const added = setTomlTable(text, name, path, NEW_VALUE);
      expect(isExactChange(data, parseToml(added, name), path, { value: NEW_VALUE })).toBe(true);
      expect(removeTomlTable(added, name, path)).toBe(text);
      // the same name twice is stable
      expect(setTomlTable(added, name, path, NEW_VALUE)).toBe(added);
    });

    if (existing.length === 0) return;

    it('remove each existing server: original minus it, or a refusal', () => {
      for (const server of existing) {
        const path = ['mcp_servers', server];
        let out: string;
        try {
          out = removeTomlTable(text, name, path);
        } catch (err) {
          if (!(err instanceof UnsafeEditError)) throw err;
          refusals.push(`${name} [${server}]: ${err.message}`);
          continue;
        }
        removals++;
        expect(out).not.toBe(text);
        expect(isExactChange(data, parseToml(out, name), path, 'delete')).toBe(true);
        // only one span was removed
        let p = 0;
        while (p < out.length && out[p] === text[p]) p++;
        expect(text.endsWith(out.slice(p))).toBe(true);
      }
    });

    it('re-set each existing server to its own value parses back to the original', () => {
      for (const server of existing) {
        const path = ['mcp_servers', server];
        const own = (data.mcp_servers as Record<string, JsonObject>)[server];
        try {
          const out = setTomlTable(text, name, path, own);
          expect(isExactChange(data, parseToml(out, name), path, { value: own })).toBe(true);
          expect(setTomlTable(out, name, path, own)).toBe(out);
        } catch (err) {
          if (!(err instanceof UnsafeEditError)) throw err;
          refusals.push(`${name} [${server}] (set): ${err.message}`);
        }
      }
    });
  });

  it('summary', () => {
    console.log(`codex corpus: ${files.length} files, ${removals} server removals verified, ${refusals.length} refusals`);
    for (const r of refusals) console.log(`  refused: ${r}`);
  });
});
