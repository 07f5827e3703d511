/**
 * `mcpwire setup` as a user runs it (issue 10): the built CLI in a scratch HOME, a real OAuth server with
 * an MCP endpoint that names the caller (./oauth-server.ts, signed in through a "browser" that follows
 * the redirect), a real MCP peer behind an API key (./proxy-peer.ts), and the bridge entries setup
 * writes started as the clients start them (the SDK's stdio client).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BIN, ROOT, USER_FILES, parseJsonc, scratch, type Scratch } from './cli-harness.js';
import { startOAuthServer, type OAuthServer } from './oauth-server.js';
import { startPeer, whoamiServer, type Peer } from './proxy-peer.js';

const FOLLOW = path.join(ROOT, 'test', 'integration', 'conformance', 'follow-redirects.cjs');
const KEY = 'pk-live-7c1d2e3f4a5b6c7d';

let srv: OAuthServer;
let s: Scratch;
const open: Client[] = [];

const env = (extra: Record<string, string> = {}) => ({ ...s.env, MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: `${process.execPath} ${FOLLOW}`, ...extra });

/** The CLI without a terminal (stdin a pipe, ended with `input`), as CI runs it. */
function cli(args: string[], input = '', extra: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: s.cwd, env: env(extra) });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d));
    c.stderr.on('data', (d: Buffer) => (stderr += d));
    c.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
    c.stdin.end(input);
  });
}
const grants = () => srv.requests.filter((r) => r.path === '/token').map((r) => r.body.grant_type);
const text = (r: unknown) => (r as { content: { type: string; text: string }[] }).content[0]?.text ?? '';
const desktop = () =>
  JSON.parse(s.read(USER_FILES['claude-desktop'])).mcpServers as Record<string, { command: string; args: string[]; env?: Record<string, string> }>;

/** Start a bridge entry as a client does: its command, args and env, PATH=/usr/bin:/bin, cwd /. */
async function startEntry(entry: { command: string; args: string[]; env?: Record<string, string> }) {
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    env: { ...entry.env, PATH: '/usr/bin:/bin', HOME: s.home, MCPWIRE_CREDENTIAL_STORE: 'file' },
    cwd: '/',
    stderr: 'pipe',
  });
  const client = new Client({ name: 'setup-test', version: '1.0.0' });
  open.push(client);
  await client.connect(transport);
  return client;
}

beforeEach(async () => {
  srv = await startOAuthServer(undefined, { mcp: whoamiServer().handle });
  s = scratch();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => {});
  await srv.close();
});

describe('setup without a terminal', () => {
  test('every client wired in one run: native entries, the bridge for Claude Desktop, one login, the server recorded, undo reverts it all', async () => {
    const r = await cli(['setup', srv.url, '--name', 'demo', '--target', 'all', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.changes.map((c: { target: string; action: string; mode: string }) => [c.target, c.action, c.mode])).toEqual([
      ['claude-code', 'added', 'native'],
      ['codex', 'added', 'native'],
      ['cursor', 'added', 'native'],
      ['claude-desktop', 'added', 'bridge'],
      ['vscode', 'added', 'native'],
      ['windsurf', 'added', 'native'],
    ]);
    expect(out.changes.every((c: { file: string }) => path.isAbsolute(c.file))).toBe(true);
    // doctor ran on what was just written, against the real server and login: all green.
    expect(out.doctor.ok, JSON.stringify(out.doctor.checks.filter((c: { status: string }) => c.status === 'fail'))).toBe(true);
    expect(out.login).toEqual({ kind: 'oauth', result: 'logged-in', store: 'file' });
    expect(grants()).toEqual(['authorization_code']);

    expect(JSON.parse(s.read('.claude.json')).mcpServers.demo).toEqual({ type: 'http', url: srv.url });
    expect(s.read('.codex/config.toml')).toBe(`[mcp_servers.demo]\nurl = "${srv.url}"\n`);
    expect(JSON.parse(s.read('.codeium/windsurf/mcp_config.json')).mcpServers.demo).toEqual({ serverUrl: srv.url });
    const bridge = desktop().demo;
    expect(bridge.args.slice(-4)).toEqual(['proxy', 'demo', '--url', srv.url]);
    // The bridge entry, started as Claude Desktop starts it, reaches the server as the logged-in user.
    const client = await startEntry(bridge);
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');

    const state = JSON.parse(s.read('.config/mcpwire/state.json'));
    expect(state.servers.demo).toMatchObject({ name: 'demo', url: srv.url, auth: 'oauth' });
    expect(state.servers.demo.clients['claude-desktop/user']).toEqual({ mode: 'bridge', scope: 'user', file: s.file(USER_FILES['claude-desktop']) });
    expect(state.servers.demo.clients['cursor/user'].mode).toBe('native');
    // No token in any client file nor in the state.
    const token = JSON.parse(s.read('.config/mcpwire/credentials.json')).credentials.demo.tokens[srv.issuer].access_token as string;
    for (const f of [...Object.values(USER_FILES), '.config/mcpwire/state.json']) expect(s.read(f)).not.toContain(token);

    // `mcp add` later needs no URL: the recorded server is used.
    fs.rmSync(s.file('.cursor'), { recursive: true });
    const add = await cli(['mcp', 'add', 'demo', '--target', 'cursor']);
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(s.read('.cursor/mcp.json')).mcpServers.demo).toEqual({ url: srv.url });

    const undoAdd = await cli(['undo']);
    expect(undoAdd.code, undoAdd.stderr).toBe(0);
    const undo = await cli(['undo']);
    expect(undo.code, undo.stderr).toBe(0);
    for (const f of Object.values(USER_FILES)) expect(fs.existsSync(s.file(f)), f).toBe(false);
    // mcpwire's record of the server goes too: doctor and `mcp add` no longer take it as set up.
    expect(JSON.parse(s.read('.config/mcpwire/state.json')).servers.demo).toBeUndefined();
  });

  test('a re-run reports unchanged, signs in again never, and rewrites nothing', async () => {
    const first = await cli(['setup', srv.url, '--name', 'demo', '--target', 'all']);
    expect(first.code, first.stderr).toBe(0);
    const bytes = Object.values(USER_FILES).map((f) => s.read(f));
    const seen = srv.requests.length;
    const stateFile = s.file('.config/mcpwire/state.json');
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(stateFile, past, past);
    // --no-doctor: setup's own requests only (doctor's checks talk to the server on purpose).
    const again = await cli(['setup', srv.url, '--name', 'demo', '--target', 'all', '--json', '--no-doctor']);
    expect(fs.statSync(stateFile).mtimeMs).toBe(past.getTime()); // the record already says all this: not rewritten
    expect(again.code, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout);
    expect(out.changes.map((c: { action: string }) => c.action)).toEqual(Array(6).fill('unchanged'));
    expect(out.login).toEqual({ kind: 'oauth', result: 'existing', store: 'file' });
    expect(grants()).toEqual(['authorization_code']); // the valid login was used, no second sign-in
    expect(srv.requests.length).toBe(seen); // not even a request: a valid login is not probed again
    expect(Object.values(USER_FILES).map((f) => s.read(f))).toEqual(bytes);
    const text = await cli(['setup', srv.url, '--name', 'demo', '--target', 'all']);
    expect(text.stdout).toMatch(/= claude-code\s+user\s+~\/\.claude\.json\s+unchanged/);
    expect(text.stdout).toMatch(/Login: already logged in/);
  });

  test('a login about to expire is refreshed on a re-run, without a sign-in', async () => {
    srv.setLifetime(30); // within the refresh margin (60 s): expiring
    expect((await cli(['setup', srv.url, '--name', 'demo', '--target', 'claude-desktop'])).code).toBe(0);
    const again = await cli(['setup', srv.url, '--name', 'demo', '--target', 'claude-desktop', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).login).toEqual({ kind: 'oauth', result: 'existing', store: 'file' });
    expect(grants()).toEqual(['authorization_code', 'refresh_token']);
  });

  test('a re-run with --via bridge updates its own entries in place (an entry mcpwire wrote needs no --force)', async () => {
    expect((await cli(['setup', srv.url, '--name', 'demo', '--target', 'cursor,codex'])).code).toBe(0);
    s.write('.cursor/mcp.json', s.read('.cursor/mcp.json').replace(`"url": "${srv.url}"`, `"url": "${srv.url}",\n      "timeout": 30`));
    const r = await cli(['setup', srv.url, '--name', 'demo', '--target', 'cursor,codex', '--via', 'bridge', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).changes.map((c: { action: string; mode: string }) => [c.action, c.mode])).toEqual([
      ['updated', 'bridge'],
      ['updated', 'bridge'],
    ]);
    const cursor = parseJsonc(s.read('.cursor/mcp.json')) as { mcpServers: { demo: Record<string, unknown> } };
    expect(cursor.mcpServers.demo.url).toBeUndefined();
    expect(cursor.mcpServers.demo.args).toEqual(expect.arrayContaining(['proxy', 'demo', '--url', srv.url]));
    expect(cursor.mcpServers.demo.timeout).toBe(30); // the user's own key is kept
    // Run again without --via: the clients stay on the bridge they were given (unchanged).
    const kept = await cli(['setup', srv.url, '--name', 'demo', '--target', 'cursor,codex', '--json']);
    expect(JSON.parse(kept.stdout).changes.map((c: { action: string; mode: string }) => [c.action, c.mode])).toEqual([
      ['unchanged', 'bridge'],
      ['unchanged', 'bridge'],
    ]);
    expect(s.read('.codex/config.toml')).not.toMatch(/^url =/m); // no url next to command: fatal for Codex
    // An entry of that name that mcpwire did not write is not replaced without --force.
    s.write('.codeium/windsurf/mcp_config.json', JSON.stringify({ mcpServers: { demo: { serverUrl: 'https://elsewhere.example/mcp' } } }));
    const other = await cli(['setup', srv.url, '--name', 'demo', '--target', 'windsurf']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/already exists and points elsewhere/);
  });

  test('two accounts: two named entries in every client, each bridge carrying its own login, never crossed', async () => {
    for (const account of ['acme', 'other']) {
      const r = await cli(['setup', srv.url, '--name', 'pelcro', '--account', account, '--target', 'claude-desktop,cursor']);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(grants()).toEqual(['authorization_code', 'authorization_code']); // one sign-in per account
    expect(Object.keys(desktop())).toEqual(['pelcro-acme', 'pelcro-other']);
    expect(Object.keys((parseJsonc(s.read('.cursor/mcp.json')) as { mcpServers: object }).mcpServers)).toEqual(['pelcro-acme', 'pelcro-other']);
    const acme = await startEntry(desktop()['pelcro-acme']);
    const other = await startEntry(desktop()['pelcro-other']);
    expect(text(await acme.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
    expect(text(await other.callTool({ name: 'whoami', arguments: {} }))).toBe('user-2');
    expect(text(await acme.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
    const state = JSON.parse(s.read('.config/mcpwire/state.json'));
    expect(state.servers['pelcro-acme']).toMatchObject({ account: 'acme', url: srv.url });
    expect(state.servers['pelcro-other']).toMatchObject({ account: 'other', url: srv.url });
    // `mcp remove` knows where setup wrote one account, and leaves the other alone.
    const removed = await cli(['mcp', 'remove', 'pelcro', '--account', 'acme', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(
      JSON.parse(removed.stdout)
        .changes.map((c: { target: string; action: string }) => [c.target, c.action])
        .sort(),
    ).toEqual([
      ['claude-desktop', 'removed'],
      ['cursor', 'removed'],
    ]);
    expect(Object.keys(desktop())).toEqual(['pelcro-other']);
  });

  test("a second account in Claude Code's project .mcp.json (one entry per URL there) goes through the bridge", async () => {
    const a = await cli(['setup', srv.url, '--name', 'pelcro', '--account', 'a', '--target', 'claude-code', '--scope', 'project', '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).changes[0].mode).toBe('native');
    expect(grants()).toEqual([]); // native only: Claude Code logs in by itself, no sign-in here
    const b = await cli(['setup', srv.url, '--name', 'pelcro', '--account', 'b', '--target', 'claude-code', '--scope', 'project', '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).changes[0]).toMatchObject({ mode: 'bridge', why: expect.stringMatching(/pelcro-a is there already/) });
    const entries = JSON.parse(fs.readFileSync(path.join(s.cwd, '.mcp.json'), 'utf8')).mcpServers;
    expect(entries['pelcro-a']).toEqual({ type: 'http', url: srv.url });
    expect(entries['pelcro-b']).toMatchObject({ type: 'stdio', args: expect.arrayContaining(['proxy', 'pelcro-b']) });
    const client = await startEntry(entries['pelcro-b']);
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('user-1');
  });

  test('one malformed client file: that client is refused with path:line:column and left byte for byte, the others are wired, exit 1', async () => {
    const broken = '{\n  "mcpServers": {\n    "x": { "url": "https://a.example/" },,\n  }\n}\n';
    s.write('.cursor/mcp.json', broken);
    const r = await cli(['setup', srv.url, '--name', 'demo', '--target', 'claude-code,cursor,codex', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.changes.map((c: { target: string; action: string }) => [c.target, c.action])).toEqual([
      ['claude-code', 'added'],
      ['cursor', 'refused'],
      ['codex', 'added'],
    ]);
    expect(out.changes[1].error).toContain(`${s.file('.cursor/mcp.json')}:3:`);
    expect(r.stderr).toMatch(/mcp\.json:3:\d+:/);
    expect(s.read('.cursor/mcp.json')).toBe(broken);
    expect(JSON.parse(s.read('.claude.json')).mcpServers.demo.url).toBe(srv.url);
  });

  test('--dry-run shows the plan and the diffs and changes nothing, no login either', async () => {
    const r = await cli(['setup', srv.url, '--name', 'demo', '--target', 'cursor,claude-desktop', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.dryRun).toBe(true);
    expect(out.changes.map((c: { action: string; mode: string }) => [c.action, c.mode])).toEqual([
      ['added', 'native'],
      ['added', 'bridge'],
    ]);
    expect(out.changes[1].diff).toContain('"proxy"');
    expect(grants()).toEqual([]);
    expect(srv.requests).toEqual([]);
    expect(fs.existsSync(s.file('.cursor'))).toBe(false);
    expect(fs.existsSync(s.file('.config/mcpwire/state.json'))).toBe(false);
    const human = await cli(['setup', srv.url, '--name', 'demo', '--target', 'cursor,claude-desktop', '--dry-run']);
    expect(human.stderr).toMatch(/Plan:\n\s+cursor\s+native .*\n\s+claude-desktop\s+bridge/);
    expect(human.stdout).toMatch(/would be added/);
  });

  test('--no-login: the bridge entry is written, no sign-in, and the summary says what is left', async () => {
    const r = await cli(['setup', srv.url, '--name', 'demo', '--target', 'claude-desktop,codex', '--no-login']);
    expect(r.code, r.stderr).toBe(0);
    // no sign-in (doctor's checks at the end talk to the server; none of them signs in)
    expect(srv.requests.filter((x) => ['/authorize', '/token', '/register'].includes(x.path))).toEqual([]);
    // doctor says the bridge waits for the login: a warning (the step left), not a failure
    expect(r.stdout).toMatch(/! .*auth login demo.*\(expected after --no-login\)/);
    expect(desktop().demo.args).toContain('proxy');
    expect(r.stdout).toMatch(/Login: skipped \(--no-login\)/);
    expect(r.stdout).toMatch(/codex\s+Run `codex mcp login demo`/);
    expect(r.stdout).toMatch(/claude-desktop\s+Quit and reopen Claude Desktop/);
    expect(r.stdout).toMatch(/ChatGPT: .*paste http:\/\/127\.0\.0\.1/);
    expect(r.stdout).toMatch(/Undo all of this: mcpwire undo/);
  });

  test('a missing answer is exit 2 naming the flag; nothing is asked and nothing written', async () => {
    const noTarget = await cli(['setup', srv.url, '--json']);
    expect(noTarget.code).toBe(2);
    expect(JSON.parse(noTarget.stdout).error).toMatchObject({
      message: expect.stringMatching(/Which clients\?/),
      fix: expect.stringMatching(/--target/),
      exitCode: 2,
    });
    const noServer = await cli(['setup', '--target', 'cursor']);
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toMatch(/Which server\?.*\nfix: Pass a preset or an MCP URL/);
    const badVia = await cli(['setup', srv.url, '--target', 'cursor', '--via', 'sideways']);
    expect(badVia.code).toBe(2);
    const secret = await cli(['setup', `${srv.url}?token=s3cr3t-value`, '--target', 'cursor']);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toMatch(/"token" parameter is a credential; setup never writes one into a client file/);
    expect(secret.stderr).not.toContain('s3cr3t-value');
    const noScope = await cli(['setup', srv.url, '--target', 'claude-desktop', '--scope', 'project']);
    expect(noScope.code).toBe(2);
    expect(noScope.stderr).toMatch(/Claude Desktop has no project scope/);
    expect(fs.existsSync(s.file('.config/mcpwire'))).toBe(false);
    expect(srv.requests).toEqual([]);
  });
});

describe('setup --api-key', () => {
  let peer: Peer;
  beforeEach(async () => {
    peer = await startPeer({ mode: 'json', apiKey: KEY });
  });
  afterEach(() => peer.close());

  test('the key goes to the keychain, every client gets the bridge, no file holds the key, and the server gets it', async () => {
    const r = await cli(
      ['setup', peer.url, '--name', 'keyed', '--target', 'cursor,claude-desktop,vscode', '--api-key', '--api-key-header', 'X-API-Key', '--json'],
      `${KEY}\n`,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    // doctor: an API-key server has no OAuth to discover; each bridge started with the key and answered
    expect(out.doctor.ok).toBe(true);
    expect(out.doctor.checks.filter((c: { id: string; status: string }) => c.id === 'client.bridge-start' && c.status === 'ok')).toHaveLength(3);
    expect(out.changes.map((c: { mode: string }) => c.mode)).toEqual(['bridge', 'bridge', 'bridge']);
    expect(out.login).toEqual({ kind: 'api-key', result: 'stored', header: 'X-API-Key', store: 'file' });
    for (const f of [USER_FILES.cursor, USER_FILES['claude-desktop'], USER_FILES.vscode, '.config/mcpwire/state.json']) expect(s.read(f)).not.toContain(KEY);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    const vscode = parseJsonc(s.read(USER_FILES.vscode)) as { servers: { keyed: { type: string; command: string; args: string[] } } };
    expect(vscode.servers.keyed.type).toBe('stdio');
    const client = await startEntry(vscode.servers.keyed);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'keyed' } }))).toBe('keyed');
    expect(peer.records.length).toBeGreaterThan(0);
    expect(peer.records.every((x) => x.keyOk)).toBe(true);
    expect(JSON.parse(s.read('.config/mcpwire/state.json')).servers.keyed.auth).toBe('api-key');

    // Again, with nothing piped in: the stored key is used, the files are unchanged.
    const again = await cli([
      'setup',
      peer.url,
      '--name',
      'keyed',
      '--target',
      'cursor,claude-desktop,vscode',
      '--api-key',
      '--api-key-header',
      'X-API-Key',
      '--json',
      '--no-doctor',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).login).toEqual({ kind: 'api-key', result: 'existing', header: 'X-API-Key', store: 'file' });
    expect(JSON.parse(again.stdout).changes.map((c: { action: string }) => c.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  test('--api-key with --via native and no --header-env is refused: the key would land in the files', async () => {
    const r = await cli(['setup', peer.url, '--name', 'keyed', '--target', 'cursor', '--api-key', '--via', 'native'], KEY);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--via native with --api-key would put the key into every client file/);
    expect(fs.existsSync(s.file('.cursor'))).toBe(false);
  });

  test('--header-env: native entries that read the key from the client environment', async () => {
    const r = await cli(['setup', peer.url, '--name', 'keyed', '--target', 'cursor,codex', '--header-env', 'X-API-Key=PEEL_KEY', '--no-login', '--json']);
    expect(r.code, r.stderr).toBe(0);
    // doctor: the server shows no sign of OAuth, which is no failure for entries that send a key
    expect(JSON.parse(r.stdout).doctor.checks.filter((c: { status: string }) => c.status === 'fail')).toEqual([]);
    expect(JSON.parse(r.stdout).changes.map((c: { mode: string }) => c.mode)).toEqual(['native', 'native']);
    expect((parseJsonc(s.read('.cursor/mcp.json')) as { mcpServers: { keyed: object } }).mcpServers.keyed).toEqual({
      url: peer.url,
      headers: { 'X-API-Key': '${env:PEEL_KEY}' },
    });
    expect(s.read('.codex/config.toml')).toMatch(/^env_http_headers = \{ "?X-API-Key"? = "PEEL_KEY" \}$/m);
  });
});
