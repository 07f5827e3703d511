/**
 * Interop: the REAL client CLIs must read back the entries mcpwire writes.
 *
 * The "write" step is a `Writer` (one write function per client); the suite runs with
 * `mcpwireCliWriter`, which drives the real `bin/mcpwire.js mcp add`.
 *
 * Clients are installed by `.ci/install-clients.sh` into `.ci/clients/node_modules`; see
 * ./clients.ts for how they are located and run offline (scratch HOME, dead proxy, no telemetry).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  claudeMissingEnvVars,
  describeRun,
  makeScratch,
  parseClaudeGet,
  parseClaudeList,
  parseJson,
  requireClients,
  runClaude,
  runCodex,
  type CodexServerJson,
  type RunResult,
  type Scratch,
} from './clients.js';

// ---------------------------------------------------------------------------------------------
// What is being written

/** One remote server as the user asked for it (mirrors `mcpwire mcp add` flags). */
interface EntrySpec {
  name: string;
  url: string;
  /** literal headers (`--header "K: V"`) */
  headers?: Record<string, string>;
  /** `Authorization: Bearer $VAR` from an env var */
  bearerEnv?: string;
  /** header name -> env var name (`--header-env "K=VAR"`) */
  envHeaders?: Record<string, string>;
}

type ClaudeScope = 'user' | 'local' | 'project';
type CodexScope = 'user' | 'project';

interface WriteContext {
  scratch: Scratch;
  /** extra env for the writer and the client (e.g. CLAUDE_CONFIG_DIR) */
  env?: Record<string, string>;
}

interface Writer {
  writeClaudeEntry(ctx: WriteContext, scope: ClaudeScope, spec: EntrySpec): Promise<void>;
  writeCodexEntry(ctx: WriteContext, scope: CodexScope, spec: EntrySpec): Promise<void>;
}

/** What Claude Code must report for a spec: `${VAR}` references, never values. */
function expectedClaudeHeaders(spec: EntrySpec): Record<string, string> {
  const h: Record<string, string> = { ...(spec.headers ?? {}) };
  if (spec.bearerEnv) h.Authorization = `Bearer \${${spec.bearerEnv}}`;
  for (const [k, v] of Object.entries(spec.envHeaders ?? {})) h[k] = `\${${v}}`;
  return h;
}

function envVarsOf(spec: EntrySpec): string[] {
  return [...(spec.bearerEnv ? [spec.bearerEnv] : []), ...Object.values(spec.envHeaders ?? {})];
}

// ---------------------------------------------------------------------------------------------
// Hand-written writer: exactly the shapes mcpwire writes

function claudeJsonPath(ctx: WriteContext): string {
  const dir = ctx.env?.CLAUDE_CONFIG_DIR ?? ctx.scratch.home;
  return path.join(dir, '.claude.json');
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

/** TOML basic strings accept JSON's escapes. */
const tomlStr = (s: string): string => JSON.stringify(s);

function appendToml(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sep = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  writeFileSync(file, before + sep + text, { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------
// Fixtures around the write: what the user already had, and the user's own trust decisions

const EXISTING_URL = 'https://existing.mcp.invalid/mcp';

/** A user who already has config: mcpwire must keep it, the client must still see it. */
function seedUserConfigs(ctx: WriteContext): void {
  writeJson(claudeJsonPath(ctx), {
    numStartups: 3,
    mcpServers: { existing: { type: 'http', url: EXISTING_URL } },
  });
  appendToml(
    path.join(ctx.env?.CODEX_HOME ?? ctx.scratch.codexHome, 'config.toml'),
    `model = "gpt-5"\n\n[mcp_servers.existing]\nurl = ${tomlStr(EXISTING_URL)}\n`,
  );
}

/** Codex loads `<project>/.codex/config.toml` only for a trusted project (keyed by its root). */
function trustCodexProject(ctx: WriteContext): void {
  appendToml(path.join(ctx.env?.CODEX_HOME ?? ctx.scratch.codexHome, 'config.toml'), `[projects.${tomlStr(ctx.scratch.project)}]\ntrust_level = "trusted"\n`);
}

const scratchDirs: string[] = [];
function newContext(env?: (s: Scratch) => Record<string, string>): WriteContext {
  const scratch = makeScratch();
  scratchDirs.push(path.dirname(scratch.home));
  return { scratch, env: env?.(scratch) };
}

function ok(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} failed\n${describeRun(r)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// The matrix

const CLAUDE_CASES: Record<string, Omit<EntrySpec, 'name' | 'url'>> = {
  'no headers': {},
  'a literal header': { headers: { 'X-Org': 'acme' } },
  'env-var headers': { bearerEnv: 'PELCRO_TOKEN', envHeaders: { 'X-Api-Key': 'API_KEY' } },
  'literal and env-var headers': { headers: { 'X-Org': 'acme' }, bearerEnv: 'PELCRO_TOKEN' },
};

const CODEX_CASES: Record<string, Omit<EntrySpec, 'name' | 'url'>> = {
  'no headers': {},
  bearer_token_env_var: { bearerEnv: 'PELCRO_TOKEN' },
  http_headers: { headers: { 'X-Org': 'acme', 'X-Region': 'eu' } },
  env_http_headers: { envHeaders: { 'X-Api-Key': 'API_KEY' } },
  'all three': { bearerEnv: 'PELCRO_TOKEN', headers: { 'X-Org': 'acme' }, envHeaders: { 'X-Api-Key': 'API_KEY' } },
};

const SCOPE_LABEL: Record<ClaudeScope, RegExp> = {
  user: /^User config/,
  local: /^Local config/,
  project: /^Project config/,
};

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const TEST_TIMEOUT = 45_000;

function defineInteropSuite(label: string, writer: Writer, opts: { skip?: boolean } = {}): void {
  const d = opts.skip ? describe.skip : describe.concurrent;

  d(`${label}: Claude Code reads back`, () => {
    for (const scope of ['user', 'local', 'project'] as const) {
      for (const [caseName, extra] of Object.entries(CLAUDE_CASES)) {
        it(`${scope} scope, ${caseName}`, { timeout: TEST_TIMEOUT }, async () => {
          const ctx = newContext();
          seedUserConfigs(ctx);
          const spec: EntrySpec = {
            name: 'pelcro',
            url: `https://mcp.pelcro.invalid/claude/${scope}/${slug(caseName)}`,
            ...extra,
          };
          await writer.writeClaudeEntry(ctx, scope, spec);
          const run = { home: ctx.scratch.home, cwd: ctx.scratch.project, env: ctx.env };

          const get = ok(await runClaude(['mcp', 'get', spec.name], run), 'claude mcp get');
          const info = parseClaudeGet(get.stdout);
          expect(info.name, get.stdout).toBe(spec.name);
          expect(info.scope, get.stdout).toMatch(SCOPE_LABEL[scope]);
          expect(info.type, get.stdout).toBe('http');
          expect(info.url, get.stdout).toBe(spec.url);
          expect(info.headers, get.stdout).toEqual(expectedClaudeHeaders(spec));
          if (scope === 'project') expect(info.status).toMatch(/Pending approval/);
          else expect(info.status).toMatch(/Failed to connect/); // health-checked, offline

          const list = ok(await runClaude(['mcp', 'list'], run), 'claude mcp list');
          const entries = parseClaudeList(list.stdout);
          expect(entries, list.stdout).toContainEqual(expect.objectContaining({ name: spec.name, url: spec.url, transport: 'HTTP' }));
          // the user's existing server survived the write
          expect(entries, list.stdout).toContainEqual(expect.objectContaining({ name: 'existing', url: EXISTING_URL, transport: 'HTTP' }));
          // Claude recognises `${VAR}` references (unset here) and names them
          expect(claudeMissingEnvVars(list.stdout, spec.name).sort(), list.stdout).toEqual(envVarsOf(spec).sort());
          expect(list.stdout).not.toMatch(new RegExp(`\\[${spec.name}\\][^\\n]*Skipped`));
        });
      }
    }

    it('user scope under CLAUDE_CONFIG_DIR', { timeout: TEST_TIMEOUT }, async () => {
      const ctx = newContext((s) => ({ CLAUDE_CONFIG_DIR: path.join(s.home, 'claude-config') }));
      const spec: EntrySpec = {
        name: 'pelcro',
        url: 'https://mcp.pelcro.invalid/claude/config-dir',
        headers: { 'X-Org': 'acme' },
        bearerEnv: 'PELCRO_TOKEN',
      };
      await writer.writeClaudeEntry(ctx, 'user', spec);
      expect(existsSync(path.join(ctx.scratch.home, '.claude.json'))).toBe(false);
      const get = ok(await runClaude(['mcp', 'get', spec.name], { home: ctx.scratch.home, cwd: ctx.scratch.project, env: ctx.env }), 'claude mcp get');
      const d = parseClaudeGet(get.stdout);
      expect(d.scope).toMatch(/^User config/);
      expect(d.url).toBe(spec.url);
      expect(d.headers).toEqual(expectedClaudeHeaders(spec));
    });
  });

  d(`${label}: Codex reads back`, () => {
    for (const scope of ['user', 'project'] as const) {
      for (const [caseName, extra] of Object.entries(CODEX_CASES)) {
        it(`${scope} scope${scope === 'project' ? ' (trusted)' : ''}, ${caseName}`, { timeout: TEST_TIMEOUT }, async () => {
          const ctx = newContext();
          seedUserConfigs(ctx);
          if (scope === 'project') trustCodexProject(ctx);
          const spec: EntrySpec = {
            name: 'pelcro',
            url: `https://mcp.pelcro.invalid/codex/${scope}/${slug(caseName)}`,
            ...extra,
          };
          await writer.writeCodexEntry(ctx, scope, spec);
          const run = { home: ctx.scratch.home, cwd: ctx.scratch.project, env: ctx.env };

          const expectedTransport = {
            type: 'streamable_http',
            url: spec.url,
            bearer_token_env_var: spec.bearerEnv ?? null,
            http_headers: spec.headers ?? null,
            env_http_headers: spec.envHeaders ?? null,
          };

          const [get, list] = await Promise.all([runCodex(['mcp', 'get', spec.name, '--json'], run), runCodex(['mcp', 'list', '--json'], run)]);
          const g = parseJson<CodexServerJson>(ok(get, 'codex mcp get'), 'codex mcp get');
          expect(g.name).toBe(spec.name);
          expect(g.enabled).toBe(true);
          expect(g.transport).toMatchObject(expectedTransport);

          const all = parseJson<CodexServerJson[]>(ok(list, 'codex mcp list'), 'codex mcp list');
          const mine = all.find((s) => s.name === spec.name);
          expect(mine, list.stdout).toBeDefined();
          expect(mine!.transport).toMatchObject(expectedTransport);
          expect(mine!.auth_status).toBe(spec.bearerEnv ? 'bearer_token' : 'unknown');
          expect(all.find((s) => s.name === 'existing')?.transport.url).toBe(EXISTING_URL);
        });
      }
    }

    it('project scope is ignored while the project is not trusted', { timeout: TEST_TIMEOUT }, async () => {
      const ctx = newContext();
      seedUserConfigs(ctx);
      const spec: EntrySpec = { name: 'pelcro', url: 'https://mcp.pelcro.invalid/codex/untrusted' };
      await writer.writeCodexEntry(ctx, 'project', spec);
      const run = { home: ctx.scratch.home, cwd: ctx.scratch.project };
      const list = parseJson<CodexServerJson[]>(ok(await runCodex(['mcp', 'list', '--json'], run), 'codex mcp list'), 'list');
      expect(list.map((s) => s.name)).toEqual(['existing']);
      const get = await runCodex(['mcp', 'get', spec.name, '--json'], run);
      expect(get.code).not.toBe(0);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Guards: shapes a writer must never produce, checked against the real clients so that the
// assertions above cannot pass vacuously and clients.md stays true.

function defineGuards(): void {
  describe.concurrent('guards: what the real clients reject', () => {
    it('Claude Code skips an entry without "type"', { timeout: TEST_TIMEOUT }, async () => {
      const ctx = newContext();
      writeJson(claudeJsonPath(ctx), { mcpServers: { pelcro: { url: 'https://mcp.pelcro.invalid/no-type' } } });
      const run = { home: ctx.scratch.home, cwd: ctx.scratch.project };
      const get = await runClaude(['mcp', 'get', 'pelcro'], run);
      expect(get.code, describeRun(get)).toBe(1);
      const list = ok(await runClaude(['mcp', 'list'], run), 'claude mcp list');
      expect(parseClaudeList(list.stdout)).toEqual([]);
      expect(list.stdout).toMatch(/\[pelcro\][^\n]*Skipped/);
    });

    it('Codex refuses to start at all with bearer_token under a url server', { timeout: TEST_TIMEOUT }, async () => {
      const ctx = newContext();
      seedUserConfigs(ctx);
      appendToml(path.join(ctx.scratch.codexHome, 'config.toml'), '[mcp_servers.pelcro]\nurl = "https://mcp.pelcro.invalid/"\nbearer_token = "sk-literal"\n');
      const r = await runCodex(['mcp', 'list', '--json'], { home: ctx.scratch.home, cwd: ctx.scratch.project });
      expect(r.code, describeRun(r)).not.toBe(0);
      expect(r.stderr).toMatch(/bearer_token is not supported/);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The matrix is driven by the mcpwire CLI itself. Flag mapping: bearerEnv -> `--header-env "Authorization=VAR"`,
// which mcpwire writes as `"Authorization": "Bearer ${VAR}"` for Claude Code and as
// `bearer_token_env_var = "VAR"` for Codex; envHeaders -> `--header-env "K=VAR"`.

const MCPWIRE = path.join(REPO_ROOT, 'bin', 'mcpwire.js');

function runMcpwire(ctx: WriteContext, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MCPWIRE, ...args],
      {
        cwd: ctx.scratch.project,
        env: {
          PATH: process.env.PATH,
          HOME: ctx.scratch.home,
          CODEX_HOME: ctx.scratch.codexHome,
          XDG_CONFIG_HOME: path.join(ctx.scratch.home, '.config'),
          ...ctx.env,
        },
        timeout: 20_000,
      },
      (err, stdout, stderr) => (err ? reject(new Error(`mcpwire ${args.join(' ')}\n${stdout}\n${stderr}`)) : resolve()),
    );
  });
}

function mcpwireArgs(target: string, scope: string, spec: EntrySpec): string[] {
  const args = ['mcp', 'add', '--target', target, '--scope', scope, '--name', spec.name, '--url', spec.url];
  for (const [k, v] of Object.entries(spec.headers ?? {})) args.push('--header', `${k}: ${v}`);
  if (spec.bearerEnv) args.push('--header-env', `Authorization=${spec.bearerEnv}`);
  for (const [k, v] of Object.entries(spec.envHeaders ?? {})) args.push('--header-env', `${k}=${v}`);
  return [...args, '--yes', '--json'];
}

const mcpwireCliWriter: Writer = {
  writeClaudeEntry: (ctx, scope, spec) => runMcpwire(ctx, mcpwireArgs('claude-code', scope, spec)),
  writeCodexEntry: (ctx, scope, spec) => runMcpwire(ctx, mcpwireArgs('codex', scope, spec)),
};

// ---------------------------------------------------------------------------------------------

const available = requireClients();

describe.runIf(available)('interop with the real clients', () => {
  defineInteropSuite('mcpwire CLI', mcpwireCliWriter);
  defineGuards();
});

afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});
