/**
 * `npm run demo` from a fresh clone (issue 10, point 7): the committed tree cloned into a scratch
 * folder (node_modules linked, as `npm install` would provide it; no dist/ yet), the demo run with a
 * scratch HOME standing for the user's: it must wire every client in its own throwaway HOME, get an
 * answer through the bridge, stop its servers, delete its HOME and leave the user's HOME as it was.
 * Once with the browser stand-in, once in headless Chromium when /usr/bin/chromium is installed.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { ROOT, scratch, walk, type Scratch } from './cli-harness.js';

let clone: string;
let user: Scratch;

beforeAll(() => {
  user = scratch();
  clone = path.join(user.home, 'clone');
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone]);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'));
  user.write('.claude.json', '{"numStartups": 3}\n'); // the user's own client file: never touched
}, 60_000);

function demo(env: Record<string, string>) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const c = spawn('npm', ['run', '--silent', 'demo'], { cwd: clone, env: { ...user.env, ...env } });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d));
    c.stderr.on('data', (d: Buffer) => (out += d));
    c.on('close', (code) => resolve({ code, out }));
  });
}

// npm's own cache and logs (~/.npm) are npm's, not the demo's.
const userFiles = () => walk(user.home).filter((f) => !f.startsWith(clone + path.sep) && !f.startsWith(path.join(user.home, '.npm') + path.sep));

test('the demo runs from a fresh clone with the browser stand-in, and leaves the HOME it ran from as it was', async () => {
  const before = userFiles().map((f) => [f, fs.readFileSync(f, 'utf8')]);
  const r = await demo({ MCPWIRE_DEMO_BROWSER: 'standin' });
  expect(r.code, r.out).toBe(0);
  expect(r.out).toMatch(/Signing in with a browser stand-in/);
  expect(r.out).toMatch(/\+ claude-desktop\s+user\s+~\/\.config\/Claude\/claude_desktop_config\.json\s+added/);
  expect(r.out).toMatch(/Login: logged in; the token is in mcpwire's credentials file\./);
  expect(r.out).toMatch(/hello → Hello, demo-user: this answer came through your MCP login\./);
  expect(r.out).toMatch(/Done\. Your own HOME/);
  const throwaway = /throwaway HOME (\S+)\)/.exec(r.out)![1];
  expect(throwaway.startsWith(user.home)).toBe(false);
  expect(fs.existsSync(throwaway)).toBe(false);
  expect(userFiles().map((f) => [f, fs.readFileSync(f, 'utf8')])).toEqual(before);
}, 120_000);

test.skipIf(!fs.existsSync('/usr/bin/chromium'))(
  'the demo signs in through the consent page in headless Chromium',
  async () => {
    const r = await demo({ MCPWIRE_DEMO_CHROMIUM: '/usr/bin/chromium' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Signing in with headless Chromium/);
    expect(r.out).toMatch(/hello → Hello, demo-user/);
  },
  120_000,
);
