/** Runs the real CLI (bin/mcpwire.js) in a scratch HOME: real files, real processes. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { prng } from '../prng.js';
import { BUNDLES as BUNDLE_TABLE } from '../../src/bundles.js';
import fs from 'node:fs';
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

/** A realistic `~/.claude.json` of about `bytes` bytes: strict JSON, 2-space indent, no final newline. */
export function claudeJson(bytes: number, seed = 7): string {
  const rnd = prng(seed);
  const words = [
    'fix',
    'the',
    'flaky',
    'test',
    'in',
    'parser',
    'why does',
    'refactor',
    'über',
    'naïve',
    '日本語',
    'emoji 🚀',
    'lock',
    'schema',
    'migrate',
    'deploy',
    'README',
    '"quoted"',
    'back\\slash',
    'tab\there',
    'line\nbreak',
  ];
  const sentence = (n: number) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
  const doc: Record<string, unknown> = {
    numStartups: 812,
    installMethod: 'native',
    autoUpdates: true,
    theme: 'dark',
    tipsHistory: { 'new-user-warmup': 7, 'memory-command': 41, 'theme-command': 3, 'prompt-queue': 129 },
    userID: createHash('sha256').update('user').digest('hex'),
    firstStartTime: '2025-03-14T09:26:53.589Z',
    hasCompletedOnboarding: true,
    lastOnboardingVersion: '2.1.30',
    projects: {} as Record<string, unknown>,
    oauthAccount: { accountUuid: '5f0c2d9e-8d1a-4c55-9a7e-2b8e1f3c4d5e', emailAddress: 'dev@example.com', organizationRole: 'admin' },
    mcpServers: {
      github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${GITHUB_PAT}' } },
      filesystem: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/dev'], env: {} },
    },
    cachedChangelog: '# Changelog\n\n## 2.1.30\n- Faster startup\n- "Quoted" things \\ and unicode ✓\n',
  };
  const projects = doc.projects as Record<string, unknown>;
  let size = JSON.stringify(doc, null, 2).length;
  for (let i = 0; size < bytes; i++) {
    const history = Array.from({ length: 10 + Math.floor(rnd() * 30) }, () => ({
      display: sentence(4 + Math.floor(rnd() * 24)),
      pastedContents: rnd() < 0.1 ? { '1': { id: 1, type: 'text', content: sentence(40) } } : {},
    }));
    const p = {
      allowedTools: rnd() < 0.3 ? ['Bash(npm test:*)', 'Edit'] : [],
      history,
      mcpContextUris: [],
      mcpServers: rnd() < 0.05 ? { local: { type: 'stdio', command: 'node', args: ['server.js'], env: {} } } : {},
      enabledMcpjsonServers: [],
      disabledMcpjsonServers: [],
      hasTrustDialogAccepted: rnd() < 0.8,
      ignorePatterns: [],
      projectOnboardingSeenCount: Math.floor(rnd() * 5),
      hasClaudeMdExternalIncludesApproved: false,
      hasClaudeMdExternalIncludesWarningShown: false,
      lastCost: Math.round(rnd() * 1e6) / 1e4,
      lastAPIDuration: Math.floor(rnd() * 1e6),
      lastDuration: Math.floor(rnd() * 1e7),
      lastLinesAdded: Math.floor(rnd() * 500),
      lastLinesRemoved: Math.floor(rnd() * 300),
      lastTotalInputTokens: Math.floor(rnd() * 1e6),
      lastTotalOutputTokens: Math.floor(rnd() * 1e5),
      lastSessionId: `${i.toString(16).padStart(8, '0')}-1b2c-4d3e-8f90-${Math.floor(rnd() * 1e12)
        .toString(16)
        .padStart(12, '0')}`,
      exampleFiles: ['src/index.ts', 'src/cli.ts', 'README.md'],
    };
    const key = `/home/dev/src/${['api', 'web', 'infra', 'tools', 'ml'][i % 5]}/project-${i}`;
    projects[key] = p;
    size += JSON.stringify({ [key]: p }, null, 2).length + 4;
  }
  return JSON.stringify(doc, null, 2);
}
