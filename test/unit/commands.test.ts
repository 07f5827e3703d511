/**
 * Commands in-process (gh's iostreams.Test() pattern): the real program (src/cli.ts main) on a scratch
 * HOME through an injected platform and a captured IO. Real files; no subprocess.
 */
import nodeFs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { main, type LoadBundle } from '../../src/cli.js';
import { createContext } from '../../src/commands/context.js';
import * as mcp from '../../src/commands/mcp.js';
import { runCommand } from '../../src/commands/run.js';
import * as targets from '../../src/commands/targets.js';
import * as undo from '../../src/commands/undo.js';
import { UserError } from '../../src/errors.js';
import { BUNDLES } from '../../src/bundles.js';
import { TARGETS } from '../../src/targets/index.js';
import { scratchHomePlatform } from '../fake-platform.js';
import { testIO } from '../test-io.js';

const URL = 'https://mcp.pelcro.com/';
// The auth bundle (MCP SDK, OAuth) is not needed here; a test that reaches it fails loudly.
const load = ((name: string) => {
  const m = { mcp, targets, undo }[name as 'mcp'];
  if (!m) throw new Error(`bundle ${name} is not loaded in-process`);
  return m;
}) as LoadBundle;

function scratchHome(env: Record<string, string> = {}) {
  const scratch = scratchHomePlatform('mcpwire-inproc-', env);
  const { platform } = scratch;
  return {
    ...scratch,
    /** One command, as a fresh process would run it: a new context, output captured. */
    async run(...args: string[]) {
      const t = testIO();
      const code = await main(['node', 'mcpwire', ...args], { load, context: createContext({ platform, io: t.io }) });
      return { code, stdout: t.stdout, stderr: t.stderr, json: () => t.json() };
    },
  };
}

describe('mcp add, list, remove in-process', () => {
  test('add to clients that are not installed says so; list shows the entries; remove NAME removes them from every file mcpwire wrote', async () => {
    const h = scratchHome();
    h.write('.codex/auth.json', '{}'); // Codex ran here; Cursor did not
    const add = await h.run('mcp', 'add', 'pelcro', '--target', 'codex,cursor');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/codex .* added\n/);
    expect(add.stdout).toMatch(/cursor .* added \(not installed here\)\n/);

    const list = await h.run('mcp', 'list', '--json');
    expect(list.json().entries.map((e: { target: string; name: string }) => [e.target, e.name])).toEqual([
      ['codex', 'pelcro'],
      ['cursor', 'pelcro'],
    ]);

    const rm = await h.run('mcp', 'remove', 'pelcro', '--json');
    expect(rm.code).toBe(0);
    expect(
      rm
        .json()
        .changes.map((c: { target: string; action: string }) => [c.target, c.action])
        .sort(),
    ).toEqual([
      ['codex', 'removed'],
      ['cursor', 'removed'],
    ]);
    expect(h.exists('.cursor/mcp.json')).toBe(false); // mcpwire created it for the entry
    expect((await h.run('mcp', 'list', '--json')).json().entries).toEqual([]);
  });

  test('the journal records the one server record a command replaced (by reference, not by comparing every record), and undo puts it back', async () => {
    const h = scratchHome();
    h.write('.codex/auth.json', '{}');
    expect((await h.run('mcp', 'add', 'pelcro', '--target', 'codex')).code).toBe(0);
    expect((await h.run('mcp', 'add', '--name', 'other', '--url', 'https://other.example/mcp', '--target', 'codex')).code).toBe(0);
    const state = () => JSON.parse(h.read('.config/mcpwire/state.json'));
    const before = state().servers;
    expect((await h.run('mcp', 'add', 'pelcro', '--url', 'https://mcp-staging.pelcro.com/', '--target', 'codex', '--force')).code).toBe(0);
    expect(state().servers.pelcro.url).toBe('https://mcp-staging.pelcro.com/');
    // The newest entry's details, in its backup folder.
    const last = state().journal.at(-1);
    const entry = JSON.parse(h.read(`.config/mcpwire/backups/${last.id}/${last.detail}`));
    expect(Object.keys(entry.serversBefore)).toEqual(['pelcro']);
    expect(entry.serversBefore.pelcro).toEqual(before.pelcro);
    expect(entry.serversAfter.pelcro.url).toBe('https://mcp-staging.pelcro.com/');
    // The same command again changes nothing, so it records no server.
    expect((await h.run('mcp', 'add', 'pelcro', '--url', 'https://mcp-staging.pelcro.com/', '--target', 'codex', '--force')).code).toBe(0);
    expect(state().journal.at(-1).id).toBe(last.id);
    expect((await h.run('undo')).code).toBe(0);
    expect(state().servers).toEqual(before);
  });

  test('remove of a name found nowhere: one line, exit 0; JSON keeps its changes array', async () => {
    const h = scratchHome();
    const r = await h.run('mcp', 'remove', 'ghost');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['No entry named "ghost" in any supported client\'s file; nothing changed.']);
    expect((await h.run('mcp', 'remove', 'ghost', '--json')).json()).toEqual({ changes: [] });
    // With --target all: still one line, not six `absent` rows.
    const all = await h.run('mcp', 'remove', 'ghost', '--target', 'all');
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(1);
    expect(all.stdout).toMatch(/No entry named "ghost" in the 6 files checked/);
    expect((await h.run('mcp', 'remove', 'ghost', '--target', 'all', '--json')).json().changes).toHaveLength(6);
  });

  test('remove NAME of an entry mcpwire did not write names the --target that removes it, and changes nothing', async () => {
    const h = scratchHome();
    const mine = '{ "mcpServers": { "hand": { "url": "https://hand.example/mcp" } } }';
    h.write('.cursor/mcp.json', mine);
    const r = await h.run('mcp', 'remove', 'hand');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did not write "hand" anywhere; it is in ~\/\.cursor\/mcp\.json \(cursor, user\)/);
    expect(r.stderr).toMatch(/fix: .*mcp remove hand --target cursor/);
    expect(h.read('.cursor/mcp.json')).toBe(mine);
    expect((await h.run('mcp', 'remove', 'hand', '--target', 'cursor')).code).toBe(0);
  });

  test('remove without --target only touches the files the ledger names (not another client that has the same name)', async () => {
    const h = scratchHome();
    const other = '{ "mcpServers": { "pelcro": { "serverUrl": "https://mine.example/" } } }';
    h.write('.codeium/windsurf/mcp_config.json', other);
    expect((await h.run('mcp', 'add', 'pelcro', '--target', 'cursor')).code).toBe(0);
    const r = await h.run('mcp', 'remove', 'pelcro', '--json');
    expect(r.json().changes.map((c: { target: string }) => c.target)).toEqual(['cursor']);
    expect(h.read('.codeium/windsurf/mcp_config.json')).toBe(other);
  });

  test("targets and --target detected: a folder holding only mcpwire's file is no sign of the client", async () => {
    const h = scratchHome();
    expect((await h.run('mcp', 'add', 'pelcro', '--target', 'cursor,vscode,windsurf,claude-desktop,codex,claude-code')).code).toBe(0);
    const detected = (await h.run('targets', '--json')).json().targets.filter((t: { detected: boolean }) => t.detected);
    expect(detected).toEqual([]);
    const none = await h.run('mcp', 'add', 'peel', '--target', 'detected');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No supported client is installed here/);

    h.write('.cursor/argv.json', '{}'); // what Cursor itself leaves
    h.write('.config/Code/User/settings.json', '{}');
    const some = await h.run('mcp', 'add', 'peel', '--target', 'detected', '--json');
    expect(some.code).toBe(0);
    expect(some.json().changes.map((c: { target: string; installed?: boolean }) => [c.target, c.installed])).toEqual([
      ['cursor', undefined],
      ['vscode', undefined],
    ]);
    // `all` stays every supported client.
    expect((await h.run('mcp', 'add', 'peel', '--target', 'all', '--json')).json().changes).toHaveLength(6);
  });

  test("the presets know Pelcro's staging URL", async () => {
    const h = scratchHome();
    expect((await h.run('mcp', 'add', 'pelcro', '--env', 'staging', '--target', 'cursor')).code).toBe(0);
    expect(JSON.parse(h.read('.cursor/mcp.json')).mcpServers.pelcro.url).toBe('https://mcp-staging.pelcro.com/');
    const peel = await h.run('mcp', 'add', 'peel', '--env', 'staging', '--target', 'cursor');
    expect(peel.code).toBe(2);
    expect(peel.stderr).toMatch(/Peel has no known staging URL.*--env production/s);
  });
});

describe('hostile input is refused: exit 2, the fix, nothing written', () => {
  const SECRET = 'sk-live-DO-NOT-PRINT';
  test.each([
    ['a line break in the URL', ['--url', 'https://mcp.pelcro.com/\nevil = 1'], /control character \(\\x0a\)/],
    ['a tab in the URL', ['--url', 'https://mcp.pel\tcro.com/'], /control character \(\\x09\)/],
    ['an escape in the URL', ['--url', 'https://mcp.pelcro.com/\u001b[2J'], /control character \(\\x1b\)/],
    ['a NUL in the URL', ['--url', 'https://mcp.pelcro.com/\u0000'], /control character \(\\x00\)/],
    ['a space before the URL', ['--url', ' https://mcp.pelcro.com/'], /starts or ends with whitespace/],
    ['a space after the URL', ['--url', 'https://mcp.pelcro.com/ '], /starts or ends with whitespace/],
    ['a non-breaking space after the URL', ['--url', 'https://mcp.pelcro.com/\u00a0'], /starts or ends with whitespace/],
    ['a URL given as SERVER with a line break', ['https://mcp.pelcro.com/\r\n'], /control character/],
    ['a header name with a space', ['--url', URL, '--header', `X Org: ${SECRET}`], /"X Org" is not a header name/],
    ['a header name with a line break', ['--url', URL, '--header', `X-Org\r\nEvil: ${SECRET}`], /is not a header name/],
    ['a header value with CR LF', ['--url', URL, '--header', `X-Org: ${SECRET}\r\nX-Evil: 1`], /value of --header "X-Org" holds a control character/],
    [
      'a header value with NUL',
      ['--url', URL, '--header', `Authorization: Bearer ${SECRET}\u0000`],
      /value of --header "Authorization" holds a control character/,
    ],
    ['a header value with an escape', ['--url', URL, '--header', `X-Org: ${SECRET}\u001b[31m`], /control character/],
    ['a header without a name', ['--url', URL, '--header', `Bearer ${SECRET}`], /--header #1 is not "Name: value"/],
    ['a header-env with a line break', ['--url', URL, '--header-env', 'Authorization=TOKEN\n'], /is not "Header=VARIABLE"/],
    ['an entry name with an escape', ['--url', URL, '--name', 'x\u001b]0;pwned\u0007'], /"x\\x1b\]0;pwned\\x07" is not a usable server name/],
    ['an account with a slash', ['--url', URL, '--account', '../etc'], /not a usable server name/],
  ])('%s', async (_what, args, message) => {
    const h = scratchHome();
    const before = '{\n  "mcpServers": {}\n}\n';
    h.write('.cursor/mcp.json', before);
    const r = await h.run('mcp', 'add', '--target', 'cursor,codex', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/\nfix: /);
    expect(r.stderr + r.stdout).not.toContain(SECRET); // a header is echoed by its name only
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/); // nothing that drives the terminal
    expect(h.read('.cursor/mcp.json')).toBe(before);
    expect(h.exists('.codex')).toBe(false);
    expect(h.exists('.config/mcpwire')).toBe(false);
  });

  test("a URL whose query carries a credential is a literal secret: 0600, a warning, never on the bridge's command line", async () => {
    const h = scratchHome();
    const url = 'https://mcp.example.com/mcp?tenant=acme&api_key=abc123SECRET';
    const r = await h.run('mcp', 'add', '--url', url, '--target', 'cursor,claude-desktop');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/~\/\.cursor\/mcp\.json now holds the URL's "api_key" parameter, a credential \(file mode set to 0600\)/);
    expect(nodeFs.statSync(h.file('.cursor/mcp.json')).mode & 0o777).toBe(0o600);
    const desktop = JSON.parse(h.read('.config/Claude/claude_desktop_config.json')).mcpServers.example;
    expect(nodeFs.statSync(h.file('.config/Claude/claude_desktop_config.json')).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(desktop.args)).not.toContain('abc123SECRET');
    expect(desktop.env).toEqual({ MCPWIRE_URL: url });
    // mcp list shows the entry with the credential masked.
    const list = await h.run('mcp', 'list');
    expect(list.stdout).toContain('api_key=***');
    expect(list.stdout).not.toContain('abc123SECRET');
    // A plain query is no secret.
    const plain = await h.run('mcp', 'add', '--url', 'https://plain.example/mcp?tenant=acme', '--target', 'windsurf');
    expect(plain.stderr).not.toMatch(/credential/);
    expect(nodeFs.statSync(h.file('.codeium/windsurf/mcp_config.json')).mode & 0o077).not.toBe(0);
  });

  test("Claude Desktop: a literal --header goes to the entry's env, never into args; --header-env stays a reference", async () => {
    const h = scratchHome({ PELCRO_TOKEN: 'set' });
    const r = await h.run(
      'mcp',
      'add',
      'pelcro',
      '--target',
      'claude-desktop',
      '--header',
      'X-Api-Key: k-SECRET',
      '--header-env',
      'Authorization=PELCRO_TOKEN',
    );
    expect(r.code).toBe(0);
    const entry = JSON.parse(h.read('.config/Claude/claude_desktop_config.json')).mcpServers.pelcro;
    expect(entry.args).toEqual(['/opt/mcpwire/bin/mcpwire.js', 'proxy', 'pelcro', '--url', URL, '--header-env', 'Authorization=PELCRO_TOKEN']);
    expect(entry.env).toEqual({ MCPWIRE_HEADER_1: 'X-Api-Key: k-SECRET' });
  });
});

describe('terminal output', () => {
  test('names, URLs and problems from a file reach the terminal with control characters escaped', async () => {
    const h = scratchHome();
    h.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { 'evil\u001b[2J': { url: 'https://x.example/\u001b]0;title\u0007' } } }));
    const r = await h.run('mcp', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('evil\\x1b[2J');
    expect(r.stdout).toContain('https://x.example/\\x1b]0;title\\x07');
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  test('targets shows paths from the environment escaped', async () => {
    const h = scratchHome({ XDG_CONFIG_HOME: '/tmp/x\u001b[31m' });
    const r = await h.run('targets');
    expect(r.stdout).toContain('/tmp/x\\x1b[31m/Code/User/mcp.json');
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  test('--header-env with a variable unset here warns that the client needs it in its own environment', async () => {
    const unset = await scratchHome().run('mcp', 'add', 'pelcro', '--target', 'cursor', '--header-env', 'Authorization=PELCRO_TOKEN');
    expect(unset.code).toBe(0);
    expect(unset.stderr).toMatch(/\$PELCRO_TOKEN is not set in this shell.*its own environment.*dock/s);
    const set = await scratchHome({ PELCRO_TOKEN: 't' }).run('mcp', 'add', 'pelcro', '--target', 'cursor', '--header-env', 'Authorization=PELCRO_TOKEN');
    expect(set.stderr).not.toMatch(/not set in this shell/);
  });
});

describe('plain http to another machine', () => {
  test('mcp add writes it as asked and warns that what the clients send crosses the network unencrypted; a loopback host is not warned about', async () => {
    const h = scratchHome();
    const remote = await h.run('mcp', 'add', '--target', 'cursor', '--url', 'http://mcp.example.com/mcp', '--name', 'remote');
    expect(remote.code).toBe(0);
    expect(remote.stderr).toMatch(/warning: http:\/\/mcp\.example\.com\/mcp is plain http: .*unencrypted.*https:\/\//);
    expect(h.read('.cursor/mcp.json')).toContain('"url": "http://mcp.example.com/mcp"');
    // The credential in its query is masked in the warning, as everywhere.
    const keyed = await h.run('mcp', 'add', '--target', 'cursor', '--url', 'http://mcp.example.com/mcp?api_key=s3cret', '--name', 'keyed');
    expect(keyed.stderr).toContain('http://mcp.example.com/mcp?api_key=*** is plain http');
    expect(keyed.stderr).not.toContain('s3cret');
    for (const [i, url] of [
      'http://localhost:3000/mcp',
      'http://127.0.0.1:8080/mcp',
      'http://[::1]:9/mcp',
      'http://dev.localhost/mcp',
      'https://mcp.example.com/mcp',
    ].entries()) {
      const r = await h.run('mcp', 'add', '--target', 'cursor', '--url', url, '--name', `local${i}`);
      expect(r.code).toBe(0);
      expect(r.stderr, url).not.toMatch(/plain http/);
    }
  });
});

describe('errors with --json are JSON on stdout too (and text on stderr)', () => {
  test.each([
    [
      'an unknown target, with the near one',
      ['mcp', 'add', 'pelcro', '--target', 'claude', '--json'],
      /Unknown target "claude"\. Did you mean claude-code\?/,
      2,
    ],
    ['hostile input', ['mcp', 'add', '--url', 'https://a.example/\n', '--target', 'cursor', '--json'], /control character/, 2],
    ['mcp remove without a name', ['mcp', 'remove', '--json'], /--name is required/, 2],
    ['mcp list with a bad target', ['mcp', 'list', '--target', 'vscod', '--json'], /Did you mean vscode\?/, 2],
    ['undo with nothing to undo', ['undo', '--json'], /Nothing to undo/, 1],
    ['an unknown option (commander)', ['mcp', 'add', '--bogus', '--json'], /unknown option '--bogus'/, 2],
    ['a mistyped option (commander)', ['mcp', 'add', '--tagret', 'cursor', '--json'], /unknown option '--tagret'/, 2],
    ['a bad --env choice (commander)', ['mcp', 'add', 'pelcro', '--env', 'dev', '--json'], /argument 'dev' is invalid/, 2],
    ['an unknown command (commander)', ['mpc', '--json'], /unknown command 'mpc'/, 2],
  ])('%s', async (_what, args, message, exitCode) => {
    const r = await scratchHome().run(...args);
    expect(r.code).toBe(exitCode);
    const { error } = r.json();
    expect(error.message).toMatch(message);
    expect(error.exitCode).toBe(exitCode);
    expect(error).toHaveProperty('fix'); // a string, or null when there is no fix to give
    expect(r.stderr).toMatch(message);
  });

  test("commander's usage errors echo the argument with control characters escaped", async () => {
    const r = await scratchHome().run('mcp', 'add', '--\u001b]0;pwned\u0007');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--\\x1b]0;pwned\\x07'");
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  test("commander's suggestion for a mistyped command goes into the fix", async () => {
    const r = await scratchHome().run('mpc', '--json');
    expect(r.json().error.fix).toMatch(/Did you mean mcp\?/);
    expect((await scratchHome().run('mcp', 'ad')).stderr).toMatch(/Did you mean add\?/);
  });

  test('runCommand with an injected context reports an unexpected error as JSON with exit 1', async () => {
    const t = testIO();
    const ctx = createContext({ platform: scratchHome().platform, io: t.io });
    const code = await runCommand({ json: true, context: ctx }, () => {
      throw new Error('disk on fire');
    });
    expect(code).toBe(1);
    expect(t.json()).toEqual({ error: { message: 'disk on fire', fix: expect.any(String), exitCode: 1 } });
    const t2 = testIO();
    expect(
      await runCommand({ context: createContext({ platform: ctx.platform, io: t2.io }) }, () => Promise.reject(new UserError('x\u001b[31m', { fix: 'y' }))),
    ).toBe(2);
    expect(t2.stdout).toBe('');
    expect(t2.stderr).toBe('mcpwire: x\\x1b[31m\nfix: y\n');
  });
});

describe('one source for each list', () => {
  test("--version is package.json's", async () => {
    const pkg = JSON.parse(nodeFs.readFileSync(new globalThis.URL('../../package.json', import.meta.url), 'utf8'));
    const r = await scratchHome().run('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test('help lists every target id, the presets and --env', async () => {
    const r = await scratchHome().run('mcp', 'add', '--help');
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const t of TARGETS) expect(help).toContain(t.id);
    expect(help).toMatch(/--env <env> which of the preset's URLs/);
    expect(help).toContain('pelcro (production, staging)');
    expect(help).toContain('detected');
  });

  test('the bundle table names existing entry files, and only the network commands (auth, doctor, setup, proxy) exit explicitly', () => {
    for (const b of Object.values(BUNDLES)) expect(nodeFs.existsSync(new globalThis.URL(`../../${b.entry}`, import.meta.url))).toBe(true);
    expect(
      Object.entries(BUNDLES)
        .filter(([, b]) => b.exitWhenDone)
        .map(([n]) => n),
    ).toEqual(['auth', 'doctor', 'setup', 'proxy']);
  });
});
