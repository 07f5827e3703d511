/**
 * mcpwire as a library (issue 10, point 4): a vendor's branded CLI built with `createCli` from the
 * package's main export (dist/lib.cjs, what `require('mcpwire')` loads), run as the vendor's users run
 * it: its own name in the help, its server built in, a real sign-in against the test OAuth server.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ROOT, parseJsonc, scratch, type Scratch } from './cli-harness.js';
import { startOAuthServer, type OAuthServer } from './oauth-server.js';

const FOLLOW = path.join(ROOT, 'test', 'integration', 'conformance', 'follow-redirects.cjs');
let s: Scratch;
let srv: OAuthServer;

/** The vendor's whole CLI: about ten lines, as the README shows. */
function vendorCli(preset: string): string {
  const main = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).main as string;
  const file = path.join(s.home, 'acme-mcp.cjs');
  fs.writeFileSync(
    file,
    `#!/usr/bin/env node\nconst { createCli } = require(${JSON.stringify(path.join(ROOT, main))});\ncreateCli({ name: 'acme-mcp', preset: ${preset} }).run();\n`,
  );
  return file;
}
/** Not spawnSync: the OAuth server answers from this process while the CLI runs. */
const run = (cli: string, args: string[], input = '') =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [cli, ...args], {
      cwd: s.cwd,
      env: { ...s.env, MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: `${process.execPath} ${FOLLOW}` },
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d));
    c.stderr.on('data', (d: Buffer) => (stderr += d));
    c.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
    c.stdin.end(input);
  });

beforeEach(async () => {
  s = scratch();
  srv = await startOAuthServer();
});
afterEach(() => srv.close());

test("a vendor's own preset: the branded CLI signs in, wires the clients under the vendor's name, and undoes", async () => {
  const cli = vendorCli(`{ name: 'acme', title: 'Acme', urls: { production: ${JSON.stringify(srv.url)}, staging: 'https://staging.acme.example/mcp' } }`);
  const help = await run(cli, ['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage: acme-mcp /);
  expect(help.stdout).toMatch(/setup \[options\]\s+log in, wire every chosen client to Acme, check/);

  const r = await run(cli, ['--target', 'cursor,claude-desktop', '--account', 'team', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.changes.map((c: { name: string; mode: string }) => [c.name, c.mode])).toEqual([
    ['acme-team', 'native'],
    ['acme-team', 'bridge'],
  ]);
  expect(out.login).toEqual({ kind: 'oauth', result: 'logged-in', store: 'file' });
  expect((parseJsonc(s.read('.cursor/mcp.json')) as { mcpServers: object }).mcpServers).toEqual({ 'acme-team': { url: srv.url } });

  const dry = await run(cli, ['setup', '--env', 'staging', '--target', 'windsurf', '--dry-run', '--json']);
  expect(dry.code, dry.stderr).toBe(0);
  expect(JSON.parse(dry.stdout).changes[0].diff).toContain('https://staging.acme.example/mcp');

  expect((await run(cli, ['--env', 'nowhere'])).code).toBe(2);
  expect((await run(cli, ['undo'])).code).toBe(0);
  expect(fs.existsSync(s.file('.cursor/mcp.json'))).toBe(false);
});

test("a preset mcpwire ships, by name: peel's API key goes in its documented header", async () => {
  const cli = vendorCli("'peel'");
  // --no-doctor (forwarded): doctor would fail api.peel.sh here, offline; this is about what the vendor CLI writes.
  const r = await run(cli, ['--target', 'cursor', '--api-key', '--json', '--no-doctor'], 'peel-key-0123\n');
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout).login).toEqual({ kind: 'api-key', result: 'stored', header: 'X-API-Key', store: 'file' });
  expect(s.read('.cursor/mcp.json')).toContain('"proxy",\n        "peel",\n        "--url",\n        "https://api.peel.sh/mcp"');
  expect(s.read('.cursor/mcp.json')).not.toContain('peel-key-0123');
});
