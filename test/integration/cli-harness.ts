/** Runs the real CLI (bin/mcpwire.js) in a scratch HOME: real files, real processes. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { claudeJson as generateClaudeJson } from '../../scripts/bench-home.mjs';
import { BUNDLES as BUNDLE_TABLE } from '../../src/bundles.js';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as jsoncParse, type ParseError } from 'jsonc-parser';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'mcpwire.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Scratch {
  home: string;
  cwd: string;
  env: Record<string, string>;
  run(args: string[], opts?: { cwd?: string; env?: Record<string, string> }): Run;
  file(rel: string): string;
  write(rel: string, text: string | Buffer): string;
  read(rel: string): string;
}

/** Parse JSONC as Cursor and VS Code read it (comments, trailing commas); throw on any syntax error. */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const v = jsoncParse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) throw new Error(`JSONC parse error at offset ${errors[0].offset}`);
  return v;
}

/** Run the CLI without blocking this process (for tests that serve HTTP or drive a browser meanwhile). */
export function runCli(args: string[], opts: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function scratch(): Scratch {
  const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-home-')));
  const cwd = path.join(home, 'project');
  fs.mkdirSync(path.join(cwd, '.git'), { recursive: true });
  const env: Record<string, string> = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' };
  const s: Scratch = {
    home,
    cwd,
    env,
    run(args, opts = {}) {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? cwd, env: { ...env, ...opts.env }, encoding: 'utf8', timeout: 60_000 });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    file: (rel) => path.join(home, rel),
    write(rel, text) {
      const f = path.join(home, rel);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, text);
      return f;
    },
    read: (rel) => fs.readFileSync(path.join(home, rel), 'utf8'),
  };
  return s;
}

/** The six user-scope files, relative to HOME (Linux layout). */
export const USER_FILES: Record<string, string> = {
  'claude-code': '.claude.json',
  codex: '.codex/config.toml',
  cursor: '.cursor/mcp.json',
  'claude-desktop': '.config/Claude/claude_desktop_config.json',
  vscode: '.config/Code/User/mcp.json',
  windsurf: '.codeium/windsurf/mcp_config.json',
};

/** Every file below dir (depth first). */
export function walk(dir: string, out: string[] = []): string[] {
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const d of names) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Every bundle the build makes (src/bundles.ts, the table the build and the CLI read). */
export const BUNDLES = Object.keys(BUNDLE_TABLE);

/**
 * Copy bin/ and dist/ into a scratch folder and return that copy's launcher, so a rebuild of dist/
 * while a long test runs cannot change the program under test half-way. MCPWIRE_TEST_APP: a folder
 * with bin/ and dist/ of another build (to check that the tests catch a broken one).
 */
export function snapshotCli(root: string): string {
  const source = process.env.MCPWIRE_TEST_APP ? path.resolve(process.env.MCPWIRE_TEST_APP) : ROOT;
  const complete = (dir: string) => BUNDLES.every((b) => fs.existsSync(path.join(dir, 'dist', `${b}.cjs`)));
  if (!complete(source)) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const app = path.join(root, 'app');
  fs.rmSync(app, { recursive: true, force: true });
  fs.cpSync(path.join(source, 'bin'), path.join(app, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(app, 'dist'));
  for (const b of BUNDLES) fs.copyFileSync(path.join(source, 'dist', `${b}.cjs`), path.join(app, 'dist', `${b}.cjs`));
  return path.join(app, 'bin', 'mcpwire.js');
}

/** A realistic `~/.claude.json` of about `bytes` bytes: the benchmark's generator (strict JSON, 2-space indent). */
export function claudeJson(bytes: number, seed = 7): string {
  return generateClaudeJson(bytes, seed).text;
}

/**
 * `auth login --no-browser` running against `url`: the sign-in address, the loopback redirect, the
 * state, the process, and its output so far. Resolves once stderr shows the address and `ready`.
 */
export async function startPendingLogin(s: Scratch, url: string, name = 'demo', ready = 'Waiting') {
  const c = spawn(process.execPath, [BIN, 'auth', 'login', url, '--name', name, '--no-browser', '--browser-timeout', '20'], {
    cwd: s.cwd,
    env: { ...s.env, MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: 'false' },
  });
  let stderr = '';
  let stdout = '';
  c.stdout.on('data', (d) => (stdout += d));
  const done = new Promise<number | null>((resolve) => c.on('close', resolve));
  const authUrl = await new Promise<URL>((resolve) => {
    c.stderr.on('data', (d) => {
      stderr += d;
      const m = /Sign in to \S+ in your browser: (\S+)/.exec(stderr);
      if (m && stderr.includes(ready)) resolve(new URL(m[1]));
    });
  });
  const redirect = new URL(authUrl.searchParams.get('redirect_uri')!);
  return { c, done, authUrl, redirect, state: authUrl.searchParams.get('state')!, out: () => ({ stdout, stderr }) };
}

/** Wait until `ok()` holds, polling every 20 ms; after `ms`, throw naming what was awaited. */
export async function waitUntil(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  for (const t0 = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 20))) if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
}

/**
 * A free TCP port on 127.0.0.1 outside Linux's default ephemeral range (32768–60999), for a login whose registration a later login must reuse: the redirect URI keeps the port, and an
 * ephemeral one may meanwhile be the local end of any of the suite's connections.
 */
export async function freePortBelowEphemeral(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000 on 127.0.0.1');
}
