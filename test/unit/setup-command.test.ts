/**
 * `mcpwire setup` in-process (gh's iostreams.Test() pattern): a scratch HOME through an injected
 * platform, a captured IO, the questions answered by a scripted Asker, and doctor injected as the
 * dependency it is (what setup does with doctor's answer is checked; the report itself is doctor's).
 * Every run uses --no-login or none is needed: no network here (see test/integration/setup.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { createContext } from '../../src/commands/context.js';
import { runCommand } from '../../src/commands/run.js';
import { mcpAdd, type AddOptions } from '../../src/commands/mcp.js';
import { setupCommand, type SetupDeps, type SetupOptions } from '../../src/commands/setup.js';
import type { DoctorOptions, DoctorReport } from '../../src/doctor/types.js';
import { UserError } from '../../src/errors.js';
import type { Asker, Choice } from '../../src/setup/prompt.js';
import { scratchHomePlatform } from '../fake-platform.js';
import { testIO } from '../test-io.js';

function scratchHome() {
  const scratch = scratchHomePlatform('mcpwire-setup-');
  const { platform } = scratch;
  return {
    ...scratch,
    async add(server: string | undefined, o: AddOptions) {
      const t = testIO({ interactive: false });
      const ctx = createContext({ platform, io: t.io });
      const code = await runCommand({ context: ctx, json: o.json }, (c) => mcpAdd(c, server, o));
      return { code, stdout: t.stdout, stderr: t.stderr, json: () => t.json() };
    },
    state: () => JSON.parse(scratch.read('.config/mcpwire/state.json')),
    async setup(server: string | undefined, o: SetupOptions, deps: SetupDeps = {}, interactive = false) {
      const t = testIO({ interactive });
      const ctx = createContext({ platform, io: t.io });
      const code = await runCommand({ context: ctx, json: o.json }, (c) => setupCommand(c, server, o, deps));
      return { code, stdout: t.stdout, stderr: t.stderr, json: () => t.json() };
    },
  };
}

/** Answers in order; every question (with its choices) is recorded. A function answer may throw (Ctrl-C). */
function scripted(answers: unknown[]) {
  const asked: Array<{ kind: string; question: string; choices?: Choice<unknown>[] }> = [];
  const next = (kind: string, question: string, choices?: Choice<unknown>[]) => {
    asked.push({ kind, question, choices });
    if (answers.length === 0) throw new Error(`unexpected question: ${question}`);
    const a = answers.shift();
    return typeof a === 'function' ? (a as () => unknown)() : a;
  };
  let closed = false;
  const asker: Asker = {
    text: async (q) => next('text', q) as string,
    secret: async (q) => next('secret', q) as string,
    select: async <T>(q: string, c: Choice<T>[]) => next('select', q, c as Choice<unknown>[]) as T,
    checkbox: async <T>(q: string, c: Choice<T>[]) => next('checkbox', q, c as Choice<unknown>[]) as T[],
    confirm: async (q) => next('confirm', q) as boolean,
    close: () => void (closed = true),
  };
  return { deps: { asker: async () => asker }, asked, closed: () => closed, left: answers };
}

describe('setup on a terminal (scripted answers)', () => {
  test('asks for the server, the preset environment, the account, the clients (detected ones pre-checked), the scope and a confirmation', async () => {
    const h = scratchHome();
    h.write('.cursor/argv.json', '{}'); // Cursor's own folder: detected
    const s = scripted(['pelcro', 'staging', 'acme', ['cursor', 'claude-desktop'], 'user', true]);
    const r = await h.setup(undefined, { login: false }, s.deps, true);
    expect(r.code, r.stderr).toBe(0);
    expect(s.asked.map((a) => a.kind)).toEqual(['select', 'select', 'text', 'checkbox', 'select', 'confirm']);
    expect(s.asked[0].choices!.map((c) => c.value)).toEqual(['pelcro', 'peel', '']);
    const clients = s.asked[3].choices!;
    expect(clients.find((c) => c.value === 'cursor')).toMatchObject({ checked: true, note: undefined });
    expect(clients.find((c) => c.value === 'codex')).toMatchObject({ checked: false, note: 'not found' });
    expect(s.closed()).toBe(true);
    expect(JSON.parse(h.read('.cursor/mcp.json')).mcpServers).toEqual({ 'pelcro-acme': { url: 'https://mcp-staging.pelcro.com/' } });
    const desktop = JSON.parse(h.read('.config/Claude/claude_desktop_config.json')).mcpServers['pelcro-acme'];
    expect(desktop.args).toEqual(['/opt/mcpwire/bin/mcpwire.js', 'proxy', 'pelcro-acme', '--url', 'https://mcp-staging.pelcro.com/']);
    expect(r.stderr).toMatch(/Plan:\n\s+cursor\s+native/);
    const state = JSON.parse(h.read('.config/mcpwire/state.json')).servers['pelcro-acme'];
    expect(state).toMatchObject({ env: 'staging', account: 'acme', url: 'https://mcp-staging.pelcro.com/' });
  });

  test('"another server" at the server question asks for its URL', async () => {
    const h = scratchHome();
    const s = scripted(['', 'https://mcp.example.com/mcp', ['cursor'], 'user', true]);
    const r = await h.setup(undefined, { login: false }, s.deps, true);
    expect(r.code, r.stderr).toBe(0);
    expect(s.asked.map((a) => a.kind)).toEqual(['select', 'text', 'checkbox', 'select', 'confirm']);
    expect(Object.values(JSON.parse(h.read('.cursor/mcp.json')).mcpServers)).toEqual([{ url: 'https://mcp.example.com/mcp' }]);
  });

  test('an API key on a terminal is asked through the masked question and stored; no client file holds it', async () => {
    const h = scratchHome();
    h.platform.env.MCPWIRE_CREDENTIAL_STORE = 'file';
    const KEY = 'sk-masked-8a7b6c5d';
    const s = scripted(['user', true, `  ${KEY}  `]);
    const r = await h.setup('https://api.example.com/mcp', { name: 'keyed', target: 'cursor', apiKey: true, apiKeyHeader: 'X-API-Key' }, s.deps, true);
    expect(r.code, r.stderr).toBe(0);
    expect(s.asked.map((a) => a.kind)).toEqual(['select', 'confirm', 'secret']);
    expect(s.asked[2].question).toBe('API key for keyed (sent as X-API-Key; not shown)');
    expect(JSON.parse(h.read('.config/mcpwire/credentials.json')).credentials.keyed.apiKey).toEqual({ header: 'X-API-Key', value: KEY });
    expect(h.read('.cursor/mcp.json')).not.toContain(KEY);
    expect(r.stdout + r.stderr).not.toContain(KEY);

    // A key with a line break in it is refused before anything is stored or written.
    const bad = scratchHome();
    bad.platform.env.MCPWIRE_CREDENTIAL_STORE = 'file';
    const b = await bad.setup('https://api.example.com/mcp', { name: 'keyed', target: 'cursor', apiKey: true }, scripted(['user', true, 'a\nb']).deps, true);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/line break or a control character/);
    expect(bad.exists('.cursor')).toBe(false);
  });

  test('answering no at the confirmation changes nothing (exit 130)', async () => {
    const h = scratchHome();
    const s = scripted([['cursor'], 'user', false]);
    const r = await h.setup('https://mcp.example.com/mcp', { login: false }, s.deps, true);
    expect(r.code).toBe(130);
    expect(h.exists('.cursor')).toBe(false);
    expect(h.exists('.config/mcpwire')).toBe(false);
  });

  test('Ctrl-C at a question leaves nothing half-done (exit 130)', async () => {
    const h = scratchHome();
    const cancel = () => {
      throw new UserError('Cancelled; nothing was changed.', { exitCode: 130 });
    };
    const s = scripted([['cursor', 'codex'], cancel]);
    const r = await h.setup('https://mcp.example.com/mcp', { login: false }, s.deps, true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Cancelled; nothing was changed/);
    expect(h.exists('.cursor')).toBe(false);
    expect(h.exists('.codex')).toBe(false);
  });

  test('flags answer their questions: only what is missing is asked', async () => {
    const h = scratchHome();
    const s = scripted([true]);
    const r = await h.setup('https://mcp.example.com/mcp', { target: 'windsurf', scope: 'user', login: false }, s.deps, true);
    expect(r.code, r.stderr).toBe(0);
    expect(s.asked.map((a) => a.kind)).toEqual(['confirm']);
  });

  test('not interactive (no terminal, or --yes): nothing is asked even with an asker at hand', async () => {
    const h = scratchHome();
    const s = scripted([]);
    const r = await h.setup('https://mcp.example.com/mcp', { login: false }, s.deps, false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Which clients\?.*\nfix: Pass --target/);
    const yes = await h.setup('https://mcp.example.com/mcp', { login: false, yes: true }, s.deps, true);
    expect(yes.code).toBe(2);
    expect(s.asked).toEqual([]);
  });
});

describe('setup without a credential step', () => {
  test('--api-key --no-login: bridge entries, no key read (stdin untouched) and none stored; the summary says how to store it', async () => {
    const h = scratchHome();
    const r = await h.setup('https://api.example.com/mcp', { name: 'keyed', target: 'cursor', apiKey: true, login: false });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(h.read('.cursor/mcp.json')).mcpServers.keyed.args).toContain('proxy');
    expect(r.stdout).toMatch(/Login: skipped \(--no-login; store the key later: mcpwire auth login keyed --api-key\)/);
    expect(h.exists('.config/mcpwire/credentials.json')).toBe(false);
  });
});

describe('setup runs doctor on what it wrote', () => {
  const report = (ok: boolean): DoctorReport => ({
    ok,
    checks: [
      { id: 'server.reachable', subject: 'demo', status: ok ? 'ok' : 'fail', message: ok ? 'reachable' : 'refused', fix: ok ? undefined : 'check the URL' },
    ],
  });

  test('doctor gets the entry name and the clients written; its report is in --json, a failed check makes the exit 1', async () => {
    const h = scratchHome();
    const calls: DoctorOptions[] = [];
    const doctor = async (_ctx: unknown, o: DoctorOptions) => (calls.push(o), report(false));
    const r = await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor,codex', login: false, json: true }, { doctor });
    expect(r.code).toBe(1);
    expect(calls).toEqual([{ names: ['demo'], targets: ['cursor', 'codex'] }]);
    expect(r.json().doctor).toEqual(report(false));
    expect(r.json().changes.map((c: { action: string }) => c.action)).toEqual(['added', 'added']);

    const rendered: DoctorReport[] = [];
    const ok = await h.setup(
      'https://mcp.example.com/mcp',
      { name: 'demo', target: 'cursor,codex', login: false },
      { doctor: async () => report(true), renderDoctor: (d) => rendered.push(d) },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(rendered).toEqual([report(true)]);
  });

  test('no doctor in --dry-run, with --no-doctor, nor on clients that were refused', async () => {
    const h = scratchHome();
    const calls: DoctorOptions[] = [];
    const doctor = async (_ctx: unknown, o: DoctorOptions) => (calls.push(o), report(true));
    await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor', login: false, dryRun: true }, { doctor });
    expect(calls).toEqual([]);
    const skipped = await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor', login: false, doctor: false }, { doctor });
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(calls).toEqual([]);
    expect(skipped.stdout).toMatch(/Doctor: skipped \(--no-doctor\); check later: mcpwire doctor demo/);
    h.write('.cursor/mcp.json', '{ broken');
    const r = await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor,windsurf', login: false }, { doctor });
    expect(r.code).toBe(1);
    expect(calls).toEqual([{ names: ['demo'], targets: ['windsurf'] }]);
  });
});

describe('setup and plain http', () => {
  test('a server at a plain http address on another machine is warned about (what the clients send crosses the network unencrypted); a loopback one is not', async () => {
    const h = scratchHome();
    const doctor = async (): Promise<DoctorReport> => ({ ok: true, checks: [] });
    const remote = await h.setup('http://mcp.example.com/mcp', { name: 'remote', target: 'cursor', login: false }, { doctor });
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stderr).toMatch(/warning: http:\/\/mcp\.example\.com\/mcp is plain http: .*unencrypted/);
    const local = await h.setup('http://127.0.0.1:3000/mcp', { name: 'local', target: 'cursor', login: false }, { doctor });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).not.toMatch(/plain http/);
  });
});

describe('what setup recorded, used later', () => {
  const isBridge = (entry: { args?: string[] } | undefined) => Boolean(entry?.args?.includes('proxy'));

  test('`mcp add --target X` for an API-key server writes the bridge there: no secret, no dead native entry; the record keeps its login kind', async () => {
    const h = scratchHome();
    const r = await h.setup('https://api.example.com/mcp', { name: 'keyed', target: 'cursor', apiKey: true, login: false });
    expect(r.code, r.stderr).toBe(0);
    expect(h.state().servers.keyed.auth).toBe('api-key');
    const add = await h.add(undefined, { name: 'keyed', target: 'windsurf,vscode', json: true });
    expect(add.code, add.stderr).toBe(0);
    const windsurf = JSON.parse(h.read('.codeium/windsurf/mcp_config.json')).mcpServers.keyed;
    expect(isBridge(windsurf)).toBe(true);
    expect(windsurf.serverUrl).toBeUndefined();
    const vscode = JSON.parse(h.read('.config/Code/User/mcp.json')).servers.keyed;
    expect(vscode).toMatchObject({ type: 'stdio' });
    expect(isBridge(vscode)).toBe(true);
    const rec = h.state().servers.keyed;
    expect(rec).toMatchObject({ auth: 'api-key', url: 'https://api.example.com/mcp' });
    expect(rec.clients).toMatchObject({
      'cursor/user': { mode: 'bridge' },
      'windsurf/user': { mode: 'bridge' },
      'vscode/user': { mode: 'bridge' },
    });
  });

  test('`mcp add --target X` keeps the bridge setup chose for X (unchanged), and a client setup did not wire gets a native entry', async () => {
    const h = scratchHome();
    const r = await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor', via: 'bridge', login: false });
    expect(r.code, r.stderr).toBe(0);
    const again = await h.add(undefined, { name: 'demo', target: 'cursor,windsurf', json: true });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json().changes.map((c: { target: string; action: string }) => [c.target, c.action])).toEqual([
      ['cursor', 'unchanged'],
      ['windsurf', 'added'],
    ]);
    expect(isBridge(JSON.parse(h.read('.cursor/mcp.json')).mcpServers.demo)).toBe(true);
    expect(JSON.parse(h.read('.codeium/windsurf/mcp_config.json')).mcpServers.demo).toEqual({ serverUrl: 'https://mcp.example.com/mcp' });
    expect(h.state().servers.demo.clients).toMatchObject({ 'cursor/user': { mode: 'bridge' }, 'windsurf/user': { mode: 'native' } });
  });

  test('a user-scope and a project-scope setup of the same name each keep their record: a re-run keeps each mode', async () => {
    const h = scratchHome();
    expect((await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor', scope: 'user', via: 'bridge', login: false })).code).toBe(0);
    expect((await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor', scope: 'project', via: 'native', login: false })).code).toBe(0);
    const clients = h.state().servers.demo.clients;
    expect(clients['cursor/user']).toMatchObject({ mode: 'bridge', scope: 'user', file: h.file('.cursor/mcp.json') });
    expect(clients['cursor/project']).toMatchObject({ mode: 'native', scope: 'project', file: h.file('project/.cursor/mcp.json') });
    // Re-run in the user scope without --via: the bridge recorded for that scope is kept.
    const rerun = await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor', scope: 'user', login: false, json: true });
    expect(rerun.json().changes).toMatchObject([{ target: 'cursor', scope: 'user', action: 'unchanged', mode: 'bridge' }]);
    // mcp add in each scope follows that scope's record.
    const user = await h.add(undefined, { name: 'demo', target: 'cursor', scope: 'user', json: true });
    const project = await h.add(undefined, { name: 'demo', target: 'cursor', scope: 'project', json: true });
    expect([user.json().changes[0].action, project.json().changes[0].action]).toEqual(['unchanged', 'unchanged']);
  });

  test('a record an older mcpwire keyed by target alone still counts for its scope, and is replaced by the new key', async () => {
    const h = scratchHome();
    expect((await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor', via: 'bridge', login: false })).code).toBe(0);
    const st = h.state();
    st.servers.demo.clients = { cursor: st.servers.demo.clients['cursor/user'] };
    h.write('.config/mcpwire/state.json', JSON.stringify(st));
    const rerun = await h.setup('https://mcp.example.com/mcp', { name: 'demo', target: 'cursor', login: false, json: true });
    expect(rerun.json().changes).toMatchObject([{ action: 'unchanged', mode: 'bridge' }]);
    expect(Object.keys(h.state().servers.demo.clients)).toEqual(['cursor/user']);
  });
});
