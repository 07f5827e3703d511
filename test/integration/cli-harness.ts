/** Runs the real CLI (bin/mcpwire.js) in a scratch HOME: real files, real processes. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

export const BUNDLES = ['cli', 'mcp', 'targets', 'undo'];

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
