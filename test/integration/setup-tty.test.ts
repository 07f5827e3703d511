/**
 * `mcpwire setup` on a real terminal (issue 10, point 9): the built CLI runs in a tmux pane, keys are
 * sent with send-keys and the screen is read with capture-pane, as a person would see it. A private
 * tmux server (-L) per test, killed after it: a server whose last session was just killed is still
 * exiting for a moment, and a new session asked of it then fails ("server exited unexpectedly", seen
 * on CI). Skipped where tmux is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, onTestFinished, test } from 'vitest';
import { BIN, ROOT, scratch, type Scratch } from './cli-harness.js';
import { startOAuthServer, type OAuthServer } from './oauth-server.js';
import { startPeer } from './proxy-peer.js';

const FOLLOW = path.join(ROOT, 'test', 'integration', 'conformance', 'follow-redirects.cjs');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
let tests = 0;
let socket = '';
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'setup');
const keys = (...k: string[]) => void tmux('send-keys', '-t', 'setup', ...k);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Wait until the screen shows `what` (the program asks, has drawn a key's effect, or exits), up to
 * 20 s: every key is sent only once the screen shows the program is ready for it, never after a
 * fixed sleep (CI runs these on loaded machines).
 */
async function waitFor(what: RegExp): Promise<string> {
  const until = Date.now() + 20_000;
  for (;;) {
    const s = screen();
    if (what.test(s)) return s;
    if (Date.now() > until) throw new Error(`the screen never showed ${what}:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let s: Scratch;
let srv: OAuthServer;

/** Start `mcpwire ARGS` in the pane, in the scratch HOME, with only the environment given here. */
function start(args: string[], extra: Record<string, string> = {}) {
  const env = { ...s.env, TERM: 'xterm', MCPWIRE_CREDENTIAL_STORE: 'file', BROWSER: `${process.execPath} ${FOLLOW}`, ...extra };
  const script = path.join(s.home, 'run.sh');
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(
    script,
    `trap : INT\ncd ${q(s.cwd)}\nenv -i ${Object.entries(env)
      .map(([k, v]) => `${k}=${q(v)}`)
      .join(' ')} ${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}\necho "EXIT=$?"\nsleep 60\n`,
  );
  tmux('new-session', '-d', '-s', 'setup', '-x', '200', '-y', '60', `sh ${q(script)}`);
}

describe.skipIf(!hasTmux)('setup in a terminal', () => {
  beforeEach(async () => {
    socket = `mcpwire-setup-${process.pid}-${++tests}`;
    s = scratch();
    srv = await startOAuthServer();
  });
  afterEach(async () => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    await srv.close();
  });

  test('the guided run: server, clients (detected pre-checked, others "not found"), scope, plan, confirm, sign-in, summary', async () => {
    s.write('.cursor/argv.json', '{}'); // Cursor's own folder: detected
    start(['setup', '--name', 'demo']);
    let shown = await waitFor(/Which MCP server\?[\s\S]*another server: type its URL/);
    expect(shown).toMatch(/❯ pelcro: Pelcro/); // the first preset is the default
    keys('Down');
    await waitFor(/❯ peel: Peel/);
    keys('Down');
    await waitFor(/❯ another server: type its URL/);
    keys('Enter');
    await waitFor(/MCP server URL \(https:\/\/…\)/);
    keys('-l', srv.url);
    await waitFor(new RegExp(`MCP server URL \\(https://…\\) ${escape(srv.url)}`));
    keys('Enter');
    shown = await waitFor(/Which clients should use it\?[\s\S]*Windsurf/);
    // Cursor (found) is pre-checked, Claude Desktop (not installed) is offered unchecked, marked "not found".
    expect(shown).toMatch(/◉ Cursor\n/);
    expect(shown).toMatch(/◯ Claude Desktop \(not found\)/);
    keys('Down', 'Down', 'Down');
    await waitFor(/❯\s*◯ Claude Desktop \(not found\)/);
    keys('Space');
    await waitFor(/❯\s*◉ Claude Desktop \(not found\)/);
    keys('Enter');
    shown = await waitFor(/Where should the entries go\?[\s\S]*project: this project only/);
    expect(shown).toMatch(/Which clients should use it\? Cursor, Claude Desktop/);
    keys('Enter');
    shown = await waitFor(/Write these entries\? \(Y\/n\)/);
    expect(shown).toMatch(/cursor\s+native\s+~\/\.cursor\/mcp\.json/);
    expect(shown).toMatch(/claude-desktop\s+bridge/);
    expect(fs.existsSync(s.file('.config/Claude'))).toBe(false); // nothing before the confirmation
    keys('y', 'Enter');
    shown = await waitFor(/EXIT=\d+/);
    expect(shown).toMatch(/EXIT=0/);
    expect(shown).toMatch(/Login: logged in/);
    expect(shown).toMatch(/Undo all of this: mcpwire undo/);
    expect(JSON.parse(s.read('.cursor/mcp.json')).mcpServers.demo.url).toBe(srv.url);
    expect(JSON.parse(s.read('.config/Claude/claude_desktop_config.json')).mcpServers.demo.args).toContain('proxy');
  }, 60_000);

  test('a preset chosen from the list; Ctrl-C at the confirmation: exit 130, nothing written', async () => {
    start(['setup', '--target', 'cursor,codex', '--account', 'acme']);
    await waitFor(/❯ pelcro: Pelcro/);
    keys('Enter');
    await waitFor(/Which environment\?[\s\S]*staging: https:\/\/mcp-staging\.pelcro\.com\//);
    keys('Down');
    await waitFor(/❯ staging/);
    keys('Enter');
    await waitFor(/Where should the entries go\?/);
    keys('Enter');
    const plan = await waitFor(/Write these entries\?/);
    expect(plan).toMatch(/pelcro-acme → https:\/\/mcp-staging\.pelcro\.com\//);
    keys('C-c');
    const shown = await waitFor(/EXIT=\d+/);
    expect(shown).toMatch(/EXIT=130/);
    expect(shown).toMatch(/Cancelled; nothing was changed/);
    for (const f of ['.cursor', '.codex', '.config/mcpwire']) expect(fs.existsSync(s.file(f)), f).toBe(false);
  }, 60_000);

  test('Ctrl-C in the clients checkbox: exit 130, nothing written, the terminal echoes again', async () => {
    start(['setup', srv.url, '--name', 'demo']);
    await waitFor(/Which clients should use it\?[\s\S]*Windsurf/);
    keys('Space');
    keys('C-c');
    const shown = await waitFor(/EXIT=\d+/);
    expect(shown).toMatch(/EXIT=130/);
    expect(shown).toMatch(/Cancelled; nothing was changed/);
    expect(fs.existsSync(s.file('.config/mcpwire'))).toBe(false);
    expect(srv.requests).toEqual([]);
    // The shell's terminal is back in cooked mode: what is typed now is echoed.
    keys('-l', 'echo-check');
    await waitFor(/echo-check/);
  }, 60_000);

  test('--api-key on a terminal: the key is typed at a masked question (never on the screen) and kept in the store', async () => {
    const KEY = 'sk-typed-1f2e3d4c5b6a';
    // A server that takes only this key: doctor, at the end, proves the stored key is the typed one.
    const peer = await startPeer({ mode: 'json', apiKey: KEY });
    onTestFinished(() => peer.close());
    start(['setup', peer.url, '--name', 'keyed', '--target', 'cursor', '--api-key', '--api-key-header', 'X-API-Key']);
    await waitFor(/Where should the entries go\?/);
    keys('Enter');
    await waitFor(/Write these entries\?/);
    keys('Enter');
    await waitFor(/API key for keyed \(sent as X-API-Key; not shown\)/);
    keys('-l', KEY);
    await waitFor(new RegExp(`not shown\\) \\*{${KEY.length}}`));
    keys('Enter');
    const shown = await waitFor(/EXIT=\d+/);
    // The stored key is the typed one: doctor's bridge check got through a server that takes only it.
    expect(shown).toMatch(/EXIT=0/);
    expect(shown).toMatch(/Login: API key stored/);
    expect(shown).toMatch(/✓ the bridge starts and answers initialize/);
    expect(shown).not.toContain(KEY);
    expect(s.read('.cursor/mcp.json')).not.toContain(KEY);
    expect(JSON.parse(s.read('.config/mcpwire/credentials.json')).credentials.keyed.apiKey).toEqual({ header: 'X-API-Key', value: KEY });
  }, 60_000);

  test('Ctrl-C while waiting for the sign-in: exit 130, no client file and no token written', async () => {
    // A browser that opens nothing: the sign-in never comes back.
    start(['setup', srv.url, '--name', 'demo', '--target', 'cursor,claude-desktop', '--scope', 'user'], { BROWSER: '/bin/true' });
    await waitFor(/Write these entries\?/);
    keys('Enter');
    await waitFor(/Waiting for the browser/);
    keys('C-c');
    const shown = await waitFor(/EXIT=\d+/);
    expect(shown).toMatch(/EXIT=130/);
    expect(shown).toMatch(/Cancelled; no token was stored/);
    for (const f of ['.cursor', '.config/Claude']) expect(fs.existsSync(s.file(f)), f).toBe(false);
    expect(fs.existsSync(s.file('.config/mcpwire/state.json'))).toBe(false);
  }, 60_000);
});
