/** Runs the real CLI (bin/mcpwire.js) in a scratch HOME: real files, real processes. */
import { spawnSync } from 'node:child_process';
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
