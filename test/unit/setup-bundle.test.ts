/**
 * What the built bundles hold (test/global-setup.ts builds dist/ first): setup's questions
 * (@inquirer/prompts) live in a bundle of their own, read only when a question is asked: `--help`,
 * `mcp add` and a setup with every answer in its flags never load them; the prompts setup never calls
 * (the editor one, with iconv-lite) are left out of it. The MCP SDK
 * (for a sign-in) and doctor come from their own bundles, loaded only when used: a setup with a
 * valid stored login loads neither before doctor runs (issue 10, point 8).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

const dist = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'dist', `${name}.cjs`), 'utf8');
// Text only inquirer's core and its checkbox carry (an error message and a key hint).
const INQUIRER = ['User force closed the prompt', 'ExitPromptError'];

test('the questions are in their own bundle, and in no bundle that --help, mcp add or setup loads', () => {
  for (const marker of INQUIRER) expect(dist('prompts')).toContain(marker);
  for (const name of ['cli', 'mcp', 'targets', 'undo', 'lib', 'setup'])
    for (const marker of INQUIRER) expect(dist(name), `${name}.cjs holds ${marker}`).not.toContain(marker);
});

test("the prompts setup never asks with are left out of the questions' bundle (the editor's iconv-lite and chardet)", () => {
  const prompts = dist('prompts');
  expect(prompts).not.toMatch(/iconv-lite|chardet|External editor/i);
  expect(prompts.length).toBeLessThan(200_000);
});

test("setup's bundle holds neither the MCP SDK nor doctor: they load from their own bundles when used", () => {
  const setup = dist('setup');
  // The SDK's transport class name, and a message of zod (which the SDK brings): text that minifying keeps.
  for (const sdk of ['StreamableHTTPClientTransport', 'Encountered Promise during synchronous parse']) {
    expect(setup.includes(sdk), `setup.cjs holds ${sdk}`).toBe(false);
    expect(dist('authsession').includes(sdk), `authsession.cjs lacks ${sdk}`).toBe(true);
  }
  // A doctor check's id, in doctor's bundle only.
  expect(setup.includes('server.dns')).toBe(false);
  expect(dist('doctor').includes('server.dns')).toBe(true);
  expect(setup.length).toBeLessThan(200_000);
});

test("auth's bundle holds no MCP SDK: a login, a session or a refresh loads it from the session's bundle", () => {
  const auth = dist('auth');
  for (const sdk of ['StreamableHTTPClientTransport', 'Encountered Promise during synchronous parse'])
    expect(auth.includes(sdk), `auth.cjs holds ${sdk}`).toBe(false);
  expect(auth.length).toBeLessThan(100_000);
});

// `npx mcpwire` installs package.json's dependencies, and nothing else, before its first command runs:
// a package the bundles carry inside them is a download for nothing (@inquirer/prompts was one, and
// pulled 31 packages: @types/node, iconv-lite, chardet, …). A dependency is a package the published
// bundles load at run time (by require, or by name through a require of their own, as the keychain's).
test('the runtime dependencies are exactly the packages the published bundles load at run time', async () => {
  const { builtinModules } = await import('node:module');
  const root = path.join(import.meta.dirname, '..', '..');
  const deps = Object.keys(
    (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {},
  );
  const texts = fs
    .readdirSync(path.join(root, 'dist'))
    .filter((f) => f.endsWith('.cjs'))
    .map((f) => fs.readFileSync(path.join(root, 'dist', f), 'utf8'));
  // (Not a require inside a string: Ajv's code generator writes `require("ajv/dist/runtime/…")` as text.)
  const required = new Set(texts.flatMap((t) => [...t.matchAll(/(?<![`'"\w.])require\("([^"]+)"\)/g)].map((m) => m[1])));
  const packages = [...required].filter((id) => !builtinModules.includes(id.replace(/^node:/, '')));
  for (const id of packages) expect(deps, `the bundles require ${id}`).toContain(id.replace(/^((?:@[^/]+\/)?[^/]+).*$/, '$1'));
  for (const dep of deps)
    expect(
      texts.some((t) => t.includes(`"${dep}"`)),
      `no bundle loads ${dep}`,
    ).toBe(true);
  // The bundles carry the version, not package.json's other fields (dependency lists included).
  for (const t of texts) expect(t).not.toContain('devDependencies');
});
