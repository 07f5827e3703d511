/**
 * A realistic HOME for `npm run bench` (and for profiling: `node scripts/bench-home.mjs DIR` builds one
 * in DIR): every client file already holds other entries, comments and settings, as on a machine in use.
 *
 *   ~/.claude.json        ~250 KB strict JSON shaped like Claude Code's own: numStartups, tipsHistory,
 *                         ~19 projects each with allowedTools, history, mcpServers…; user mcpServers
 *   ~/.codex/config.toml  commented TOML: model settings, profiles, servers, project trust tables
 *   VS Code mcp.json      JSONC with comments, `inputs` and servers
 *   Cursor, Windsurf, Claude Desktop: JSON with other servers and settings
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export function prng(seed) {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'fix',
  'the',
  'failing',
  'test',
  'in',
  'src/parser.ts',
  'why does',
  'refactor',
  'über',
  '日本語',
  'emoji 🚀',
  'lock',
  '"quoted"',
  'path\\to',
  'line\nbreak',
  'deploy',
  'migration',
  'explain',
  'add a flag',
  'tab\there',
];

/** `~/.claude.json` as Claude Code keeps it, of about `bytes` bytes (strict JSON, 2-space indent). */
export function claudeJson(bytes, seed = 42) {
  const rnd = prng(seed);
  const sentence = (n) => Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
  const doc = {
    numStartups: 1312,
    installMethod: 'native',
    autoUpdates: true,
    theme: 'dark',
    verbose: false,
    tipsHistory: Object.fromEntries(
      [
        'new-user-warmup',
        'memory-command',
        'theme-command',
        'prompt-queue',
        'shift-enter',
        'todo-list',
        'permissions',
        'ide-hotkey',
        'git-worktrees',
        'custom-commands',
        'drag-and-drop-images',
        'double-esc',
      ].map((k, i) => [k, 3 + i * 37]),
    ),
    promptQueueUseCount: 18,
    userID: createHash('sha256').update('bench').digest('hex'),
    firstStartTime: '2025-03-14T09:26:53.589Z',
    fallbackAvailableWarningThreshold: 0.5,
    projects: {},
    oauthAccount: {
      accountUuid: '5f0c2d9e-8d1a-4c55-9a7e-2b8e1f3c4d5e',
      emailAddress: 'dev@example.com',
      organizationUuid: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
      organizationRole: 'admin',
      workspaceRole: null,
      organizationName: 'Example',
    },
    mcpServers: {
      github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${GITHUB_PAT}' } },
      sentry: { type: 'http', url: 'https://mcp.sentry.dev/mcp' },
      filesystem: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/dev'], env: {} },
    },
    hasCompletedOnboarding: true,
    lastOnboardingVersion: '2.1.30',
    subscriptionNoticeCount: 0,
    hasAvailableSubscription: false,
    cachedChangelog: '# Changelog\n\n## 2.1.30\n- Faster startup\n- "Quoted" things \\ and unicode ✓\n'.repeat(8),
    changelogLastFetched: 1760000000000,
    isQualifiedForDataSharing: false,
    lastReleaseNotesSeen: '2.1.30',
  };
  const project = (i) => ({
    allowedTools: rnd() < 0.4 ? ['Bash(npm test:*)', 'Bash(git diff:*)', 'Edit', 'WebFetch(domain:docs.example.com)'] : [],
    history: Array.from({ length: 30 + Math.floor(rnd() * 40) }, () => ({
      display: sentence(4 + Math.floor(rnd() * 20)),
      pastedContents: rnd() < 0.06 ? { 1: { id: 1, type: 'text', content: sentence(50) } } : {},
    })),
    mcpContextUris: [],
    mcpServers: rnd() < 0.2 ? { local: { type: 'stdio', command: 'node', args: ['server.js'], env: { LOG_LEVEL: 'debug' } } } : {},
    enabledMcpjsonServers: [],
    disabledMcpjsonServers: [],
    hasTrustDialogAccepted: rnd() < 0.8,
    ignorePatterns: [],
    projectOnboardingSeenCount: Math.floor(rnd() * 5),
    hasClaudeMdExternalIncludesApproved: false,
    hasClaudeMdExternalIncludesWarningShown: false,
    exampleFiles: ['src/index.ts', 'src/cli.ts', 'README.md', 'package.json'],
    exampleFilesGeneratedAt: 1759000000000 + i,
    lastCost: Math.round(rnd() * 1e6) / 1e4,
    lastAPIDuration: Math.floor(rnd() * 1e6),
    lastDuration: Math.floor(rnd() * 1e7),
    lastLinesAdded: Math.floor(rnd() * 500),
    lastLinesRemoved: Math.floor(rnd() * 300),
    lastTotalInputTokens: Math.floor(rnd() * 1e6),
    lastTotalOutputTokens: Math.floor(rnd() * 1e5),
    lastTotalCacheCreationInputTokens: Math.floor(rnd() * 1e5),
    lastTotalCacheReadInputTokens: Math.floor(rnd() * 1e6),
    lastSessionId: `${i.toString(16).padStart(8, '0')}-1b2c-4d3e-8f90-${Math.floor(rnd() * 1e12)
      .toString(16)
      .padStart(12, '0')}`,
  });
  const key = (i) => `/home/dev/src/${['api', 'web', 'infra', 'tools', 'ml'][i % 5]}/project-${i}`;
  // Grow by an estimate (each project's own size, two levels deeper in the document), then measure once.
  let count = 0;
  let size = Buffer.byteLength(JSON.stringify(doc, null, 2));
  const grow = (goal) => {
    while (size < goal) {
      const p = project(count);
      doc.projects[key(count)] = p;
      const own = JSON.stringify({ [key(count)]: p }, null, 2);
      size += Buffer.byteLength(own) + (own.match(/\n/g)?.length ?? 0) * 4;
      count++;
    }
  };
  grow(bytes);
  let text = JSON.stringify(doc, null, 2);
  // The estimate runs a little high: measure once and grow by what is missing.
  const actual = Buffer.byteLength(text);
  if (actual < bytes * 0.99) {
    grow(size + (bytes - actual));
    text = JSON.stringify(doc, null, 2);
  }
  return { text, projects: count };
}

const CODEX = `# Codex configuration — hand-written; the comments must survive
model = "gpt-5-codex"
model_reasoning_effort = "high"
approval_policy = "on-request"   # ask before running commands
sandbox_mode = "workspace-write"

[sandbox_workspace_write]
network_access = false
writable_roots = ["/home/dev/scratch"]

[profiles.fast]
model = "gpt-5-mini"
approval_policy = "never"

[profiles.deep]
model = "gpt-5-codex"
model_reasoning_effort = "high"

[tui]
notifications = true

# MCP servers ------------------------------------------------------------
[mcp_servers.docs]
command = "npx"
args = ["-y", "@acme/docs-mcp"]
env = { "LOG_LEVEL" = "info" }

[mcp_servers.remote]
url = "https://mcp.remote.example/mcp"
bearer_token_env_var = "REMOTE_TOKEN"   # from the environment

[mcp_servers.linear]
url = "https://mcp.linear.app/mcp"
startup_timeout_sec = 20

[projects."/home/dev/src/api/project-0"]
trust_level = "trusted"

[projects."/home/dev/src/web/project-1"]
trust_level = "trusted"
`;

const VSCODE = `// VS Code MCP servers (user profile)
{
  "inputs": [
    // asked once, kept in VS Code's secret storage
    { "type": "promptString", "id": "github-pat", "description": "GitHub token", "password": true },
  ],
  "servers": {
    /* GitHub's hosted server */
    "github": {
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": { "Authorization": "Bearer \${input:github-pat}" },
    },
    "playwright": { "command": "npx", "args": ["@playwright/mcp@latest"] }, // local
  },
}
`;

const CURSOR =
  JSON.stringify(
    {
      mcpServers: {
        github: { url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${env:GITHUB_PAT}' } },
        linear: { url: 'https://mcp.linear.app/sse' },
        'local-tools': { command: 'node', args: ['/opt/tools/server.js', '--verbose'], env: { LOG: 'debug' } },
      },
    },
    null,
    2,
  ) + '\n';

const WINDSURF = JSON.stringify(
  {
    mcpServers: {
      github: { serverUrl: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${env:GITHUB_PAT}' } },
      memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] },
    },
  },
  null,
  2,
);

const DESKTOP = JSON.stringify(
  {
    mcpServers: {
      filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/dev/Desktop'] },
      weather: { command: 'uv', args: ['--directory', '/home/dev/weather', 'run', 'weather.py'], env: { UNITS: 'metric' } },
    },
    globalShortcut: 'Ctrl+Space',
  },
  null,
  2,
);

/** The six user-scope files (Linux layout), relative to HOME. */
export const USER_FILES = {
  'claude-code': '.claude.json',
  codex: '.codex/config.toml',
  cursor: '.cursor/mcp.json',
  'claude-desktop': '.config/Claude/claude_desktop_config.json',
  vscode: '.config/Code/User/mcp.json',
  windsurf: '.codeium/windsurf/mcp_config.json',
};

/**
 * The yardstick of `mcp add --target all` (issue 7 point 1): a plain script doing the same data work
 * durably (read, JSON.parse, insert, JSON.stringify, re-parse, a backup copy, temp + fsync + rename of
 * the six files, a journal write). Run as `node plain.cjs HOME NAME URL`. `npm run bench` and
 * scripts/bench-ab.mjs (`--plain`) both run this text.
 */
export const PLAIN = `
const fs = require('node:fs'), path = require('node:path');
const [home, name, url] = process.argv.slice(2);
const durable = (f, text) => {
  const tmp = f + '.plain-tmp';
  const fd = fs.openSync(tmp, 'w', 0o644);
  fs.writeSync(fd, text);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, f);
};
const backups = path.join(home, '.plain-backups', String(Date.now()) + '-' + process.pid);
fs.mkdirSync(backups, { recursive: true });
const json = (rel, key, entry) => {
  const f = path.join(home, rel);
  const text = fs.readFileSync(f, 'utf8');
  const doc = JSON.parse(text);
  (doc[key] ??= {})[name] = entry;
  const out = JSON.stringify(doc, null, 2);
  JSON.parse(out);
  fs.copyFileSync(f, path.join(backups, path.basename(f)));
  durable(f, out);
};
const text = (rel, edit) => {
  const f = path.join(home, rel);
  const before = fs.readFileSync(f, 'utf8');
  fs.copyFileSync(f, path.join(backups, path.basename(f)));
  durable(f, edit(before));
};
json('.claude.json', 'mcpServers', { type: 'http', url });
text('.codex/config.toml', (t) => t + '\\n[mcp_servers.' + name + ']\\nurl = "' + url + '"\\n');
json('.cursor/mcp.json', 'mcpServers', { url });
json('.config/Claude/claude_desktop_config.json', 'mcpServers', { command: process.execPath, args: ['/x/mcpwire.js', 'proxy', name, '--url', url] });
text('.config/Code/User/mcp.json', (t) => t.replace('"servers": {', '"servers": {\\n    "' + name + '": { "type": "http", "url": "' + url + '" },'));
json('.codeium/windsurf/mcp_config.json', 'mcpServers', { serverUrl: url });
const journal = path.join(home, '.plain-state.json');
let state = { journal: [] };
try { state = JSON.parse(fs.readFileSync(journal, 'utf8')); } catch {}
state.journal.push({ name, at: new Date().toISOString(), backups });
durable(journal, JSON.stringify(state, null, 2));
`;

/** Write the realistic HOME into `home`; returns facts about it. */
export function buildRealisticHome(home, claudeBytes = 250 * 1024) {
  const claude = claudeJson(claudeBytes);
  const texts = { 'claude-code': claude.text, codex: CODEX, cursor: CURSOR, 'claude-desktop': DESKTOP, vscode: VSCODE, windsurf: WINDSURF };
  for (const [id, rel] of Object.entries(USER_FILES)) {
    const f = path.join(home, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, texts[id], { mode: id === 'claude-code' || id === 'codex' ? 0o600 : 0o644 });
  }
  fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
  return { claudeBytes: Buffer.byteLength(claude.text), projects: claude.projects };
}

/**
 * A valid login for each of `names` (what `auth login` stores for `url`, its tokens from `issuer`),
 * in mcpwire's 0600 credentials file in `home` (read with MCPWIRE_CREDENTIAL_STORE=file).
 */
export function storeLogins(home, names, url, issuer) {
  const stateDir = path.join(home, '.config', 'mcpwire');
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const record = (name) => ({
    version: 1,
    name,
    url,
    clients: {},
    issuer,
    tokens: { [issuer]: { access_token: `at-${name}`, token_type: 'Bearer', expires_in: 86_400, refresh_token: `rt-${name}`, obtainedAt: Date.now() } },
  });
  fs.writeFileSync(path.join(stateDir, 'credentials.json'), JSON.stringify({ version: 1, credentials: Object.fromEntries(names.map((n) => [n, record(n)])) }), {
    mode: 0o600,
  });
}

/**
 * CPU time (user + sys, ms) of this process's waited-for children so far (Linux: /proc/self/stat
 * cutime + cstime, in clock ticks of 10 ms; NaN elsewhere). On a loaded machine it says more than the
 * wall clock, which includes waiting for a core.
 */
export function childCpuMs() {
  try {
    const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return NaN;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = path.resolve(process.argv[2] ?? 'bench-home');
  const facts = buildRealisticHome(dir);
  process.stdout.write(`realistic HOME in ${dir}: ~/.claude.json ${facts.claudeBytes} bytes, ${facts.projects} projects\n`);
}
