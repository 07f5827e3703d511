import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { BIN, scratch, snapshotCli, USER_FILES } from './cli-harness.js';

const URL = 'https://mcp.pelcro.com/';
const past = new Date('2020-01-01T00:00:00Z');
/** The launcher's code caches' folder for this Node (commands run under --no-turbofan on Node 20). */
const CACHE_KEY = `${process.version}-${process.arch}${Number(process.versions.node.split('.')[0]) === 20 ? '-no-turbofan' : ''}`;

function parseFile(file: string): any {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  return file.endsWith('.toml') ? parseToml(text) : JSON.parse(text);
}

describe('mcp add --target all', () => {
  test("writes the six files in each client's shape; again is unchanged: same bytes, same mtime", () => {
    const s = scratch();
    const r = s.run(['mcp', 'add', '--target', 'all', '--url', URL, '--header-env', 'Authorization=PELCRO_TOKEN', '--json']);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // never a stack trace
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout); // stdout is the JSON and nothing else
    expect(out.changes).toHaveLength(6);
    for (const c of out.changes) {
      expect(c).toMatchObject({ scope: 'user', action: 'added', file: s.file(USER_FILES[c.target]) });
    }
    expect(parseFile(s.file(USER_FILES['claude-code'])).mcpServers.pelcro).toEqual({
      type: 'http',
      url: URL,
      headers: { Authorization: 'Bearer ${PELCRO_TOKEN}' },
    });
    expect(parseFile(s.file(USER_FILES.codex)).mcp_servers.pelcro).toEqual({ url: URL, bearer_token_env_var: 'PELCRO_TOKEN' });
    expect(parseFile(s.file(USER_FILES.cursor)).mcpServers.pelcro).toEqual({ url: URL, headers: { Authorization: 'Bearer ${env:PELCRO_TOKEN}' } });
    expect(parseFile(s.file(USER_FILES.windsurf)).mcpServers.pelcro).toEqual({ serverUrl: URL, headers: { Authorization: 'Bearer ${env:PELCRO_TOKEN}' } });
    const vs = parseFile(s.file(USER_FILES.vscode));
    expect(vs.servers.pelcro.headers.Authorization).toBe('Bearer ${input:pelcro-authorization}');
    expect(vs.inputs).toEqual([expect.objectContaining({ id: 'pelcro-authorization', password: true, type: 'promptString' })]);
    const desk = parseFile(s.file(USER_FILES['claude-desktop'])).mcpServers.pelcro;
    expect(path.isAbsolute(desk.command)).toBe(true);
    expect(path.isAbsolute(desk.args[0])).toBe(true);
    expect(desk.args.slice(1, 5)).toEqual(['proxy', 'pelcro', '--url', URL]);

    const before = Object.values(USER_FILES).map((f) => {
      fs.utimesSync(s.file(f), past, past);
      return [fs.readFileSync(s.file(f), 'utf8'), fs.statSync(s.file(f)).mtimeMs] as const;
    });
    const again = s.run(['mcp', 'add', '--target', 'all', '--url', URL, '--header-env', 'Authorization=PELCRO_TOKEN', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).changes.map((c: { action: string }) => c.action)).toEqual(Array(6).fill('unchanged'));
    Object.values(USER_FILES).forEach((f, i) => {
      expect(fs.readFileSync(s.file(f), 'utf8')).toBe(before[i][0]);
      expect(fs.statSync(s.file(f)).mtimeMs).toBe(before[i][1]);
    });
  });

  test('--dry-run prints a unified diff per file and writes nothing', () => {
    const s = scratch();
    s.write('.cursor/mcp.json', '{\n  "mcpServers": {}\n}\n');
    fs.utimesSync(s.file('.cursor/mcp.json'), past, past);
    const r = s.run(['mcp', 'add', '--target', 'cursor,codex', '--url', URL, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^--- ~\/\.cursor\/mcp\.json/m);
    expect(r.stdout).toMatch(/^\+\s+"pelcro": \{/m);
    expect(r.stdout).toMatch(/^\+\[mcp_servers\.pelcro\]/m);
    expect(r.stdout).toMatch(/would be added/);
    expect(fs.readFileSync(s.file('.cursor/mcp.json'), 'utf8')).toBe('{\n  "mcpServers": {}\n}\n');
    expect(fs.statSync(s.file('.cursor/mcp.json')).mtimeMs).toBe(past.getTime());
    expect(fs.existsSync(s.file('.codex/config.toml'))).toBe(false);
    expect(fs.existsSync(s.file('.config/mcpwire/state.json'))).toBe(false);
  });

  test('an empty or relative HOME never makes paths relative to the current folder: the user database decides', () => {
    const s = scratch();
    const home = os.userInfo().homedir;
    for (const HOME of ['', 'relative/home']) {
      // --dry-run: nothing is written, not even into the real home the fallback finds.
      const r = spawnSync(process.execPath, [BIN, 'mcp', 'add', '--target', 'cursor', '--url', URL, '--dry-run', '--json'], {
        cwd: s.cwd,
        env: { ...s.env, HOME, XDG_CONFIG_HOME: '', MCPWIRE_CONFIG_DIR: path.join(s.home, 'state') },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const file: string = JSON.parse(r.stdout).changes[0].file;
      expect(path.isAbsolute(file)).toBe(true);
      expect(file.startsWith(path.join(home, '.cursor') + path.sep)).toBe(true);
    }
    expect(fs.readdirSync(s.cwd)).not.toContain('.cursor');
  });

  test('--target all --scope project writes the clients that have a project file', () => {
    const s = scratch();
    const r = s.run(['mcp', 'add', '--target', 'all', '--scope', 'project', '--url', URL, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).changes.map((c: { target: string; file: string }) => [c.target, path.relative(s.cwd, c.file)])).toEqual([
      ['claude-code', '.mcp.json'],
      ['codex', '.codex/config.toml'],
      ['cursor', '.cursor/mcp.json'],
      ['vscode', '.vscode/mcp.json'],
    ]);
    expect(r.stderr).toMatch(/approve/); // what the client will ask
    const explicit = s.run(['mcp', 'add', '--target', 'windsurf', '--scope', 'project', '--url', URL]);
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toMatch(/Windsurf has no project scope/);
  });

  test('claude-code local scope goes under projects[<git root>] in ~/.claude.json and shadows user', () => {
    const s = scratch();
    s.write('.claude.json', JSON.stringify({ numStartups: 3, projects: { [s.cwd]: { allowedTools: [] } } }, null, 2));
    const sub = path.join(s.cwd, 'src');
    fs.mkdirSync(sub);
    expect(s.run(['mcp', 'add', '--target', 'claude-code', '--scope', 'local', '--url', URL], { cwd: sub }).code).toBe(0);
    expect(s.run(['mcp', 'add', '--target', 'claude-code', '--url', URL]).code).toBe(0);
    const doc = parseFile(s.file('.claude.json'));
    expect(doc.projects[s.cwd]).toEqual({ allowedTools: [], mcpServers: { pelcro: { type: 'http', url: URL } } });
    const list = JSON.parse(s.run(['mcp', 'list', '--json']).stdout);
    expect(list.entries).toEqual([
      expect.objectContaining({ target: 'claude-code', scope: 'user', name: 'pelcro', url: URL, shadowedBy: 'local' }),
      expect.objectContaining({ target: 'claude-code', scope: 'local', name: 'pelcro', url: URL }),
    ]);
  });
});

describe('files are kept safe', () => {
  test('a literal secret header makes the file 0600 and warns; an env reference does not', () => {
    const s = scratch();
    const lit = s.run(['mcp', 'add', '--target', 'cursor', '--url', URL, '--header', 'Authorization: Bearer sk-live-123']);
    expect(lit.code).toBe(0);
    expect(lit.stderr).toMatch(/literal secret/);
    expect(fs.statSync(s.file('.cursor/mcp.json')).mode & 0o777).toBe(0o600);
    const env = s.run(['mcp', 'add', '--target', 'windsurf', '--url', URL, '--header-env', 'Authorization=T']);
    expect(env.stderr).not.toMatch(/literal secret/);
    expect(fs.statSync(s.file('.codeium/windsurf/mcp_config.json')).mode & 0o077).not.toBe(0);
  });

  test('mode and owner are kept; a symlinked file is edited through the link', () => {
    const s = scratch();
    const real = s.write('dotfiles/cursor-mcp.json', '{\n\t"mcpServers": {}\n}\n');
    fs.chmodSync(real, 0o640);
    if (process.getuid?.() === 0) fs.chownSync(real, 1234, 2345);
    fs.mkdirSync(s.file('.cursor'));
    fs.symlinkSync('../dotfiles/cursor-mcp.json', s.file('.cursor/mcp.json'));
    expect(s.run(['mcp', 'add', '--target', 'cursor', '--url', URL]).code).toBe(0);
    expect(fs.lstatSync(s.file('.cursor/mcp.json')).isSymbolicLink()).toBe(true);
    const st = fs.statSync(real);
    expect(st.mode & 0o777).toBe(0o640);
    if (process.getuid?.() === 0) expect([st.uid, st.gid]).toEqual([1234, 2345]);
    expect(fs.readFileSync(real, 'utf8')).toBe('{\n\t"mcpServers": {\n\t\t"pelcro": {\n\t\t\t"url": "https://mcp.pelcro.com/"\n\t\t}\n\t}\n}\n');
    expect(fs.readdirSync(path.dirname(real))).toEqual(['cursor-mcp.json']); // no temp file left
  });

  test('missing parent folders are created', () => {
    const s = scratch();
    expect(s.run(['mcp', 'add', '--target', 'vscode', '--url', URL]).code).toBe(0);
    expect(fs.existsSync(s.file('.config/Code/User/mcp.json'))).toBe(true);
  });

  test('a malformed file is refused: exit 2, path:line:column, same bytes and mtime; the other targets go on', () => {
    const s = scratch();
    const broken = '{\n  // Claude Code does not accept comments\n  "mcpServers": {}\n}\n';
    s.write('.claude.json', broken);
    fs.utimesSync(s.file('.claude.json'), past, past);
    const r = s.run(['mcp', 'add', '--target', 'claude-code,cursor', '--url', URL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${s.file('.claude.json')}:2:3:`);
    expect(r.stderr).toMatch(/comments are not allowed/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(fs.readFileSync(s.file('.claude.json'), 'utf8')).toBe(broken);
    expect(fs.statSync(s.file('.claude.json')).mtimeMs).toBe(past.getTime());
    expect(parseFile(s.file('.cursor/mcp.json')).mcpServers.pelcro.url).toBe(URL);
  });

  test('a file that is not UTF-8 is refused untouched', () => {
    const s = scratch();
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    s.write('.cursor/mcp.json', bytes);
    const r = s.run(['mcp', 'add', '--target', 'cursor', '--url', URL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid UTF-8/);
    expect(fs.readFileSync(s.file('.cursor/mcp.json')).equals(bytes)).toBe(true);
  });

  test('add then remove gives back the original bytes (CRLF, BOM, tabs, comments, no final newline)', () => {
    const s = scratch();
    const cursor = '\uFEFF{\r\n\t// servers\r\n\t"mcpServers": {\r\n\t\t"local": {"command": "x"}, // keep me\r\n\t}\r\n}';
    const codex = '# my codex\r\nmodel = "o3"\r\n\r\n[mcp_servers.docs]\r\ncommand = "docs-mcp" # trailing\r\n\r\n[profiles.fast]\r\nmodel = "mini"';
    const claude = '{"numStartups":1,"mcpServers":{"x":{"type":"stdio","command":"y"}}}';
    s.write('.cursor/mcp.json', cursor);
    s.write('.codex/config.toml', codex);
    s.write('.claude.json', claude);
    expect(s.run(['mcp', 'add', '--target', 'cursor,codex,claude-code', '--url', URL, '--header', 'X-Org: acme']).code).toBe(0);
    expect(s.read('.codex/config.toml')).toContain('[mcp_servers.pelcro]\r\nurl = "https://mcp.pelcro.com/"\r\n');
    expect(s.run(['mcp', 'remove', '--target', 'cursor,codex,claude-code', '--name', 'pelcro']).code).toBe(0);
    expect(s.read('.cursor/mcp.json')).toBe(cursor);
    expect(s.read('.codex/config.toml')).toBe(codex);
    expect(s.read('.claude.json')).toBe(claude);
  });

  test('every change is backed up (0600) in the state dir', () => {
    const s = scratch();
    s.write('.cursor/mcp.json', '{"mcpServers": {}}');
    s.run(['mcp', 'add', '--target', 'cursor', '--url', URL]);
    const { journal } = JSON.parse(s.read('.config/mcpwire/state.json'));
    // The entry's details (its files and their backups) are kept beside those backups.
    const detail = JSON.parse(s.read(`.config/mcpwire/backups/${journal[0].id}/${journal[0].detail}`));
    const backup = detail.files[0].backup;
    expect(fs.statSync(s.file(`.config/mcpwire/backups/${journal[0].id}/${journal[0].detail}`)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(backup, 'utf8')).toBe('{"mcpServers": {}}');
    expect(fs.statSync(backup).mode & 0o777).toBe(0o600);
    expect(fs.statSync(s.file('.config/mcpwire')).mode & 0o777).toBe(0o700);
  });
});

describe('conflicts and bad input', () => {
  test('a different entry under the same name is refused unless --force', () => {
    const s = scratch();
    s.run(['mcp', 'add', '--target', 'cursor', '--url', URL]);
    const r = s.run(['mcp', 'add', '--target', 'cursor', '--url', 'https://other.example/mcp', '--name', 'pelcro']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists.*--force/s);
    const f = s.run(['mcp', 'add', '--target', 'cursor', '--url', 'https://other.example/mcp', '--name', 'pelcro', '--force', '--json']);
    expect(JSON.parse(f.stdout).changes[0].action).toBe('updated');
  });

  test.each([
    [['mcp', 'add', '--target', 'nope', '--url', URL], /Unknown target "nope".*claude-code, codex/s],
    [['mcp', 'add', '--url', URL], /--target is required/],
    [['mcp', 'add', '--target', 'cursor', '--url', 'ftp://x'], /not an http\(s\) URL/],
    [['mcp', 'add', '--target', 'cursor', '--url', 'https://u:p@x.example/'], /user name or password/],
    [['mcp', 'add', '--target', 'cursor', '--url', URL, '--header', 'nocolon'], /"Name: value"/],
    [['mcp', 'add', '--target', 'cursor', '--url', URL, '--header-env', 'Authorization=1BAD'], /Header=VARIABLE/],
    [['mcp', 'add', '--target', 'cursor', '--url', URL, '--name', 'bad name'], /not a usable server name/],
    [['mcp', 'add', '--target', 'cursor', '--url', URL, '--scope', 'global'], /Unknown scope/],
    [['mcp', 'add', '--bogus-flag'], /unknown option/],
    [['mcp', 'remove', '--target', 'cursor'], /--name is required/],
    [['mcp', 'add', 'pelcro', '--target', 'claude'], /Unknown target "claude"\. Did you mean claude-code\?/],
    [['mpc', 'list'], /unknown command 'mpc'\n\(Did you mean mcp\?\)/],
  ])('%j → exit 2 with the fix', (args, message) => {
    const r = scratch().run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  test('mcp add without --url uses the server mcpwire already knows', () => {
    const s = scratch();
    s.run(['mcp', 'add', 'peel', '--target', 'cursor']);
    const r = s.run(['mcp', 'add', '--target', 'codex', '--json']);
    expect(r.code).toBe(0);
    expect(parseFile(s.file('.codex/config.toml')).mcp_servers.peel.url).toBe('https://api.peel.sh/mcp');
    expect(s.run(['mcp', 'add', '--target', 'codex', '--account', 'acme']).code).toBe(0);
    expect(parseFile(s.file('.codex/config.toml')).mcp_servers['peel-acme'].url).toBe('https://api.peel.sh/mcp');
  });
});

describe('undo', () => {
  test('restores every file of the last command, and deletes the files it created', () => {
    const s = scratch();
    s.write('.cursor/mcp.json', '{ "mcpServers": { "a": { "url": "https://a/" } } }');
    s.run(['mcp', 'add', '--target', 'cursor,codex', '--url', URL]);
    const r = s.run(['undo', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual([
      { file: s.file('.cursor/mcp.json'), action: 'restored' },
      { file: s.file('.codex/config.toml'), action: 'deleted' },
    ]);
    expect(s.read('.cursor/mcp.json')).toBe('{ "mcpServers": { "a": { "url": "https://a/" } } }');
    expect(fs.existsSync(s.file('.codex/config.toml'))).toBe(false);
    expect(s.run(['undo']).code).toBe(1); // nothing left
  });

  test('refuses when a file was changed since by someone else', () => {
    const s = scratch();
    s.run(['mcp', 'add', '--target', 'cursor', '--url', URL]);
    const edited = s.read('.cursor/mcp.json').replace('}\n}', '},\n  "x": 1\n}');
    fs.writeFileSync(s.file('.cursor/mcp.json'), edited);
    const r = s.run(['mcp', 'undo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/changed since/);
    expect(s.read('.cursor/mcp.json')).toBe(edited);
  });
});

describe('output', () => {
  test('a reader that stops early (| head) is not an error', () => {
    const s = scratch();
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" mcp add pelcro --target all --dry-run | head -1`], {
      env: s.env,
      cwd: s.cwd,
      encoding: 'utf8',
    });
    expect(r.stdout.split('\n')[0]).toMatch(/claude-code/);
    expect(r.stderr).toBe('');
  });
});

describe('the launcher', () => {
  // bin/mcpwire.js runs a command (not the bridge) without V8's optimizing compiler on Node 20, and
  // keeps the code caches of each kind of command apart: V8 refuses a cache made under other flags.
  test('its engine tuning prints nothing, is in effect, and its caches do not thrash with the bridge', () => {
    const s = scratch();
    const bin = snapshotCli(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-launcher-')));
    const dist = path.join(path.dirname(bin), '..', 'dist');
    // A deprecation warning would print, or with --throw-deprecation end the command.
    const env = { ...s.env, NODE_OPTIONS: '--pending-deprecation --throw-deprecation' };
    const run = (args: string[], input?: string) => spawnSync(process.execPath, [bin, ...args], { cwd: s.cwd, env, input, encoding: 'utf8', timeout: 60_000 });
    const list = run(['mcp', 'list']);
    expect(list.stderr).toBe('');
    expect(list.status).toBe(0);
    // A write fingerprints what it wrote with zlib's crc32, reached through process.binding (deprecated: nothing printed).
    const add = run(['mcp', 'add', '--target', 'cursor', '--url', 'https://example.com/mcp', '--name', 'fp']);
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    const undo = run(['undo']);
    expect(undo.stderr).toBe('');
    expect(undo.status).toBe(0);
    // The bundles' require is still require (resolve too): the keychain probe resolves its module
    // through it (a bus that leads nowhere: the probe runs and fails on the bus, not on the module).
    const probe = spawnSync(process.execPath, [BIN, 'auth', 'status'], {
      cwd: s.cwd,
      env: { ...s.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(probe.stderr).toMatch(/no OS keychain \(/);
    expect(probe.stderr).not.toMatch(/the keychain module/); // "@napi-rs/keyring is not installed"
    const bridge = run(['proxy', 'x', '--url', 'http://127.0.0.1:9/mcp'], 'not json\n');
    expect(bridge.stdout).toMatch(/Parse error/);
    expect(bridge.stderr).not.toMatch(/Deprecation/);
    if (Number(process.versions.node.split('.')[0]) !== 20) {
      // Untouched flags (Node 22+): the launcher's caches under the plain key.
      const dirs = fs.existsSync(path.join(dist, '.v8-cache')) ? fs.readdirSync(path.join(dist, '.v8-cache')) : [];
      expect(dirs.filter((d) => d.endsWith('-no-turbofan'))).toEqual([]);
      return;
    }
    const base = path.join(dist, '.v8-cache', `${process.version}-${process.arch}`);
    // (`mcp list` takes the shortcut past the CLI bundle: its cache is the mcp bundle's.)
    const tunedCache = path.join(
      `${base}-no-turbofan`,
      fs.readdirSync(`${base}-no-turbofan`).find((f) => f.startsWith('mcp-'))!,
    );
    expect(fs.readdirSync(base).some((f) => f.startsWith('proxy-'))).toBe(true);
    // The command's cache was made under --no-turbofan: V8 takes it only under that flag.
    const check = `const vm = require('node:vm'), fs = require('node:fs');
      const source = fs.readFileSync(${JSON.stringify(path.join(dist, 'mcp.cjs'))}, 'utf8');
      const code = source.slice(0, -'.call(this, exports, require, module, __filename, __dirname);\\n'.length); // as the launcher compiles it
      const script = new vm.Script(code, {
        filename: ${JSON.stringify(path.join(dist, 'mcp.cjs'))}, cachedData: fs.readFileSync(${JSON.stringify(tunedCache)}) });
      process.stdout.write(String(script.cachedDataRejected));`;
    const rejected = (flags: string[]) => spawnSync(process.execPath, [...flags, '-e', check], { encoding: 'utf8' }).stdout;
    expect(rejected(['--no-turbofan'])).toBe('false');
    expect(rejected([])).toBe('true');
    // After the bridge ran, a command still takes its own cache: not refused, so not written again.
    const before = fs.statSync(tunedCache).mtimeMs;
    expect(run(['mcp', 'list']).status).toBe(0);
    expect(fs.statSync(tunedCache).mtimeMs).toBe(before);
  });

  // A cache holds the functions of the run that wrote it: an add running on a cache a list wrote would
  // compile the rest of its code on every run. The mcp and auth bundles keep a cache per subcommand.
  test("the mcp bundle keeps a code cache per subcommand; an earlier build's caches are removed", () => {
    const s = scratch();
    const bin = snapshotCli(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-variants-')));
    const dist = path.join(path.dirname(bin), '..', 'dist');
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: s.cwd, env: s.env, encoding: 'utf8', timeout: 60_000 });
    expect(run('mcp', 'list').status).toBe(0);
    const dir = path.join(dist, '.v8-cache', CACHE_KEY);
    const mcpCaches = () =>
      fs
        .readdirSync(dir)
        .filter((f) => f.startsWith('mcp-'))
        .sort();
    expect(mcpCaches()).toEqual([expect.stringMatching(/^mcp-\d+-\d+\.list\.cache$/)]);
    expect(run('mcp', 'add', '--target', 'cursor', '--url', URL).status).toBe(0);
    const [addCache, listCache] = mcpCaches();
    expect(addCache).toMatch(/\.add\.one\.cache$/); // an add for one client: ranked below one for several (the next test)
    expect(listCache).toMatch(/\.list\.cache$/);
    // The add's cache is taken by the next add (not refused, so not written again).
    const written = fs.statSync(path.join(dir, addCache)).mtimeMs;
    expect(run('mcp', 'add', '--target', 'codex', '--url', URL).status).toBe(0);
    expect(fs.statSync(path.join(dir, addCache)).mtimeMs).toBe(written);
    // A cache written now removes an earlier build's, of every subcommand, and keeps this build's.
    fs.writeFileSync(path.join(dir, 'mcp-1-2.add.cache'), 'old');
    fs.writeFileSync(path.join(dir, 'mcp-1-2.cache'), 'old');
    expect(run('mcp', 'remove', 'pelcro', '--target', 'codex').status).toBe(0);
    expect(mcpCaches()).toEqual([addCache, listCache, addCache.replace('.add.', '.remove.')]);
  });

  // A cache holds what ran before the command ended: one written by a failed run (a first add refused
  // for a mistyped URL) held the argument checks only, and every later add compiled the rest on every
  // run. A cache is ranked by the run that wrote it (failed < for one client < any other success), and a
  // run that covers more replaces it with its own, which holds both.
  test('a code cache is replaced by the first run that covers more than the run that wrote it', () => {
    const s = scratch();
    const bin = snapshotCli(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-partial-')));
    const dist = path.join(path.dirname(bin), '..', 'dist');
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: s.cwd, env: s.env, encoding: 'utf8', timeout: 60_000 });
    const refused = () => run('mcp', 'add', '--target', 'cursor', '--url', 'ftp://example.com/mcp', '--name', 'typo');
    const add = (target: string) => run('mcp', 'add', '--target', target, '--url', URL, '--name', 'ok');
    expect(refused().status).toBe(2);
    const dir = path.join(dist, '.v8-cache', CACHE_KEY);
    const addCaches = () =>
      fs
        .readdirSync(dir)
        .filter((f) => /^mcp-.*\.add\./.test(f))
        .sort();
    const only = (suffix: string) => {
      const files = addCaches();
      expect(files).toEqual([expect.stringMatching(new RegExp(`^mcp-\\d+-\\d+\\.add${suffix.replace(/\./g, '\\.')}$`))]);
      const st = fs.statSync(path.join(dir, files[0]));
      return { size: st.size, mtime: st.mtimeMs };
    };
    const failed = only('.partial.cache');
    // Another failure takes it and leaves it as it is.
    expect(refused().status).toBe(2);
    expect(only('.partial.cache')).toEqual(failed);
    // An add for one client covers more: its cache replaces the failed run's, and holds the add's code besides the checks.
    expect(add('cursor').status).toBe(0);
    const one = only('.one.cache');
    expect(one.size).toBeGreaterThan(failed.size * 1.5);
    // An add for another single client, or a failure, takes it as it is.
    expect(add('vscode').status).toBe(0);
    expect(refused().status).toBe(2);
    expect(only('.one.cache')).toEqual(one);
    // An add for several clients (three formats) replaces it; from then on every add takes that one, and nothing is written.
    expect(add('all').status).toBe(0);
    const full = only('.cache');
    expect(full.size).toBeGreaterThan(one.size);
    expect(add('codex').status).toBe(0);
    expect(refused().status).toBe(2);
    expect(run('mcp', 'add', '--target', 'cursor,codex', '--url', URL, '--name', 'ok').status).toBe(0);
    expect(only('.cache')).toEqual(full);
  });

  // Cached code decides what runs: it is kept where only the user can write, never in a shared
  // temporary folder (where Node's own compile cache would go by default).
  test("compiled code is kept beside the bundles in private folders, never in the temporary folder; else in the user's cache folder", () => {
    const s = scratch();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-compile-cache-'));
    const bin = snapshotCli(root);
    const dist = path.join(path.dirname(bin), '..', 'dist');
    const tmp = path.join(root, 'tmp');
    fs.mkdirSync(tmp);
    const env = { ...s.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
    const run = () => spawnSync(process.execPath, [bin, 'mcp', 'list'], { cwd: s.cwd, env, encoding: 'utf8', timeout: 60_000 });
    expect(run().status).toBe(0);
    expect(fs.readdirSync(tmp)).toEqual([]);
    const caches = path.join(dist, '.v8-cache');
    expect(fs.statSync(caches).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(caches)).toEqual([CACHE_KEY]);
    expect(fs.statSync(path.join(caches, CACHE_KEY)).mode & 0o777).toBe(0o700);
    const written = fs.readdirSync(path.join(caches, CACHE_KEY));
    expect(written).toEqual([expect.stringMatching(/^mcp-\d+-\d+\.list\.cache$/)]);
    expect(fs.statSync(path.join(caches, CACHE_KEY, written[0])).mode & 0o777).toBe(0o600);
    // Where no folder can be made beside the bundles: the user's cache folder.
    fs.rmSync(caches, { recursive: true });
    fs.writeFileSync(caches, 'not a folder');
    expect(run().status).toBe(0);
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(fs.readdirSync(path.join(s.home, '.cache', 'mcpwire', 'v8-cache', CACHE_KEY))).toEqual(written);
  });

  // A bridge may idle for hours without a collection: the bytes of a code cache, done with once V8
  // has read them, are freed at once (Node 22+; +0.4 MB of RSS on Node 24 otherwise).
  test("a code cache's bytes are freed once V8 has read them", () => {
    const s = scratch();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-cache-bytes-'));
    const bin = snapshotCli(root);
    const preload = path.join(root, 'caches.cjs');
    fs.writeFileSync(
      preload,
      `const fs = require('node:fs'), read = fs.readFileSync, seen = [];
      fs.readFileSync = function (file, ...rest) { const r = read.call(this, file, ...rest); if (String(file).endsWith('.cache')) seen.push(r); return r; };
      process.on('exit', () => process.stderr.write('caches read: ' + seen.map((b) => b.byteLength).join(',') + '\\n'));\n`,
    );
    const run = () => spawnSync(process.execPath, ['-r', preload, bin, 'mcp', 'list'], { cwd: s.cwd, env: s.env, encoding: 'utf8', timeout: 60_000 });
    expect(run().status).toBe(0); // writes the cache
    const second = run();
    expect(second.status).toBe(0);
    const sizes = second.stderr
      .match(/^caches read: (.*)$/m)![1]
      .split(',')
      .map(Number);
    expect(sizes).toHaveLength(1);
    // ArrayBuffer.prototype.transfer (V8 11.4+) is not in Node 20, whose commands are short-lived and whose bridge idles at ~52 MB.
    if (typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function') expect(sizes).toEqual([0]);
    else expect(sizes[0]).toBeGreaterThan(10_000);
  });

  // The launcher compiles a bundle's own text, less its last line (`.call(…)`): the function itself,
  // with no copy of the text made to wrap it (a copy is the bundle's size in fresh memory: ~0.45 ms
  // of V8's compile for the 127 KB mcp bundle, more for the larger ones). Each is a module too.
  test('a bundle is compiled from its own text, unwrapped and uncopied; required as a module it runs as one', () => {
    const s = scratch();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-bundle-text-'));
    const bin = snapshotCli(root);
    const dist = path.join(path.dirname(bin), '..', 'dist');
    const preload = path.join(root, 'compiled.cjs');
    fs.writeFileSync(
      preload,
      `const vm = require('node:vm'), fs = require('node:fs'), path = require('node:path'), Script = vm.Script, seen = [];
      vm.Script = class extends Script { constructor(code, o) { super(code, o); const text = fs.readFileSync(o.filename, 'utf8'); seen.push(path.basename(o.filename) + ':' + (text.startsWith(code) ? text.length - code.length : 'not its text')); } };
      process.on('exit', () => process.stderr.write('compiled: ' + seen.join(',') + '\\n'));\n`,
    );
    const call = '.call(this, exports, require, module, __filename, __dirname);\n'.length;
    for (const args of [['mcp', 'list'], ['targets']]) {
      const r = spawnSync(process.execPath, ['-r', preload, bin, ...args], { cwd: s.cwd, env: s.env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const compiled = r.stderr.match(/^compiled: (.*)$/m)![1].split(',');
      expect(compiled.length).toBeGreaterThan(0);
      for (const c of compiled) expect(c).toMatch(new RegExp(`^\\w+\\.cjs:${call}$`));
    }
    const mcp = createRequire(import.meta.url)(path.join(dist, 'mcp.cjs')) as Record<string, unknown>;
    expect(typeof mcp.fastMain).toBe('function');
  });

  // A system-wide install's bundles are not the user's to write: the caches go to the user's cache
  // folder, worked out from HOME (node:os costs ~0.5 ms to load, and this lookup runs on every command).
  test("where the bundles' folder cannot hold caches, they go to the user's cache folder, found without loading node:os", () => {
    const s = scratch();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-user-cache-'));
    const bin = snapshotCli(root);
    fs.writeFileSync(path.join(path.dirname(bin), '..', 'dist', '.v8-cache'), 'not a folder');
    const preload = path.join(root, 'builtins.cjs');
    fs.writeFileSync(preload, "process.on('exit', () => process.stderr.write('builtins: ' + process.moduleLoadList.join(',') + '\\n'));\n");
    const run = () => spawnSync(process.execPath, ['-r', preload, bin, 'mcp', 'list'], { cwd: s.cwd, env: s.env, encoding: 'utf8', timeout: 60_000 });
    const first = run();
    expect(first.status).toBe(0);
    const caches = path.join(s.home, '.cache', 'mcpwire', 'v8-cache');
    expect(fs.readdirSync(caches)).toEqual([CACHE_KEY]);
    expect(fs.statSync(caches).mode & 0o777).toBe(0o700);
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/^builtins: /m);
    expect(second.stderr).not.toMatch(/NativeModule os\b/);
  });

  // mcp add|remove|list read their arguments without the CLI bundle (commander); anything the shortcut
  // does not read exactly as commander would goes through commander (test/unit/fast-args.test.ts).
  test('mcp add, remove, list and setup take the shortcut past commander; help and usage errors still go through it', () => {
    const s = scratch();
    const recorder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-bundles-')), 'record.cjs');
    fs.writeFileSync(
      recorder,
      `const fs = require('node:fs'), path = require('node:path'); const read = fs.readFileSync, seen = [];
       fs.readFileSync = function (p, ...rest) { if (typeof p === 'string' && p.endsWith('.cjs')) seen.push(path.basename(p)); return read.call(this, p, ...rest); };
       process.on('exit', () => fs.writeSync(2, 'bundles: ' + seen.join(',') + '\\n'));`,
    );
    const run = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['-r', recorder, BIN, ...args], { cwd: s.cwd, env: s.env, encoding: 'utf8', timeout: 60_000 });
      return { ...r, bundles: /bundles: (.*)/.exec(r.stderr)?.[1] };
    };
    s.write('.cursor/mcp.json', '{ "mcpServers": {} }\n');
    const add = run('mcp', 'add', '--target', 'cursor,codex', '--url', URL, '--header-env', 'Authorization=PELCRO_TOKEN', '--json');
    expect(add.status).toBe(0);
    expect(add.bundles).toBe('mcp.cjs');
    expect(JSON.parse(add.stdout).changes.map((c: { action: string }) => c.action)).toEqual(['added', 'added']);
    expect(parseFile(s.file(USER_FILES.cursor)).mcpServers.pelcro).toEqual({ url: URL, headers: { Authorization: 'Bearer ${env:PELCRO_TOKEN}' } });
    const list = run('mcp', 'list', '--json');
    expect(list.bundles).toBe('mcp.cjs');
    expect(JSON.parse(list.stdout).entries.map((e: { target: string }) => e.target)).toEqual(['codex', 'cursor']);
    // A usage error inside the command (an unknown target) is the command's own: still the shortcut, exit 2, with the fix.
    const typo = run('mcp', 'add', '--target', 'claude', '--url', URL, '--json');
    expect(typo.bundles).toBe('mcp.cjs');
    expect(typo.status).toBe(2);
    expect(JSON.parse(typo.stdout).error.message).toMatch(/Did you mean claude-code\?/);
    // Commander's: an unknown option (with its suggestion), help, the version.
    const unknown = run('mcp', 'add', '--taget', 'cursor', '--json');
    expect(unknown.bundles).toBe('mcp.cjs,cli.cjs');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--taget'\n\(Did you mean --target\?\)/);
    expect(JSON.parse(unknown.stdout).error.exitCode).toBe(2);
    const help = run('mcp', 'remove', '--help');
    expect(help.bundles).toBe('mcp.cjs,cli.cjs');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: mcpwire mcp remove/);
    expect(run('mcp', 'list', '-V').stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const remove = run('mcp', 'remove', 'pelcro', '--json');
    expect(remove.bundles).toBe('mcp.cjs');
    expect(remove.status).toBe(0);
    expect(parseFile(s.file(USER_FILES.cursor)).mcpServers.pelcro).toBeUndefined();
    // setup too (no login, no doctor: nothing here talks to a server).
    const setup = run('setup', URL, '--target', 'cursor', '--yes', '--no-login', '--no-doctor', '--json');
    expect(setup.status).toBe(0);
    expect(setup.bundles).toBe('setup.cjs');
    expect(JSON.parse(setup.stdout).changes).toEqual([expect.objectContaining({ target: 'cursor', action: 'added' })]);
    expect(parseFile(s.file(USER_FILES.cursor)).mcpServers.pelcro).toEqual({ url: URL });
    const setupHelp = run('setup', '--help');
    expect(setupHelp.bundles).toBe('setup.cjs,cli.cjs');
    expect(setupHelp.stdout).toMatch(/^Usage: mcpwire setup/);
  });
});

describe('list and targets', () => {
  test('mcp list shows entries mcpwire did not write, flags problems, reports unreadable files', () => {
    const s = scratch();
    s.write('.codex/config.toml', '[mcp_servers.bad]\nurl = "https://bad/"\ntype = "http"\n\n[mcp_servers.local]\ncommand = "x"\n');
    s.write('.config/Claude/claude_desktop_config.json', '{"mcpServers":{"r":{"command":"npx","args":["-y","mcp-remote","https://remote.example/mcp"]}}}');
    s.write('.cursor/mcp.json', '{ "mcpServers": { ');
    const r = s.run(['mcp', 'list', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.entries).toEqual([
      expect.objectContaining({ target: 'codex', name: 'bad', url: 'https://bad/', problems: [expect.stringMatching(/"type"/)] }),
      expect.objectContaining({ target: 'claude-desktop', name: 'r', kind: 'bridge', url: 'https://remote.example/mcp' }),
    ]);
    expect(out.errors).toEqual([expect.objectContaining({ target: 'cursor', error: expect.stringMatching(/mcp\.json:1:\d+/) })]);
  });

  test('mcp list reports an unreadable file once, though two scopes live in it (Claude Code: user and local)', () => {
    const s = scratch();
    fs.symlinkSync(path.join(s.home, 'gone', 'claude.json'), s.file('.claude.json')); // a dangling link
    const r = s.run(['mcp', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('unreadable:'))).toHaveLength(1);
    expect(r.stderr).toMatch(/\.claude\.json is a symbolic link to .*gone.*which does not exist/);
    const out = JSON.parse(s.run(['mcp', 'list', '--json']).stdout);
    expect(out.errors).toEqual([expect.objectContaining({ target: 'claude-code', scope: 'user', file: s.file('.claude.json') })]);
  });

  test('mcp list flags a name defined twice in one file (the client silently uses the last one)', () => {
    const s = scratch();
    s.write('.cursor/mcp.json', '{ "mcpServers": {\n  "pelcro": { "url": "https://old.example/mcp" },\n  "pelcro": { "url": "https://mcp.pelcro.com/" }\n} }');
    const out = JSON.parse(s.run(['mcp', 'list', '--json']).stdout);
    expect(out.entries).toEqual([
      expect.objectContaining({ target: 'cursor', name: 'pelcro', url: 'https://mcp.pelcro.com/', problems: [expect.stringMatching(/more than once/)] }),
    ]);
  });

  test('targets --json', () => {
    const s = scratch();
    s.write('.cursor/argv.json', '{}'); // Cursor's own file: a folder holding only mcp.json is mcpwire's
    const out = JSON.parse(s.run(['targets', '--json']).stdout);
    expect(out.targets.map((t: { id: string }) => t.id)).toEqual(['claude-code', 'codex', 'cursor', 'claude-desktop', 'vscode', 'windsurf']);
    expect(out.targets.find((t: { id: string }) => t.id === 'cursor')).toMatchObject({
      name: 'Cursor',
      detected: true,
      files: { user: s.file('.cursor/mcp.json') },
    });
    expect(out.targets.find((t: { id: string }) => t.id === 'windsurf').detected).toBe(false);
  });
});

describe('issue 7: hostile input, secrets, detection, JSON errors (the built CLI)', () => {
  test('control characters in a URL or a header are refused: exit 2, the fix, the secret not echoed, bytes unchanged, nothing written', () => {
    const s = scratch();
    const before = '{\n  "mcpServers": {}\n}\n';
    s.write('.cursor/mcp.json', before);
    for (const args of [
      ['--url', 'https://mcp.pelcro.com/\n[mcp_servers.evil]\ncommand = "sh"'],
      ['--url', ' https://mcp.pelcro.com/'],
      ['--url', URL, '--header', 'Authorization: Bearer sk-live-SECRET\r\nX-Evil: 1'],
      ['--url', URL, '--header', 'Bad Name: sk-live-SECRET'],
    ]) {
      const r = s.run(['mcp', 'add', '--target', 'cursor,codex', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/\nfix: /);
      expect(r.stderr).not.toContain('sk-live-SECRET');
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(s.read('.cursor/mcp.json')).toBe(before);
      expect(fs.existsSync(s.file('.codex'))).toBe(false);
      expect(fs.existsSync(s.file('.config/mcpwire'))).toBe(false);
    }
  });

  test('with --json a usage error is JSON on stdout, the text on stderr, exit 2', () => {
    const s = scratch();
    const r = s.run(['mcp', 'add', '--tagret', 'cursor', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { message: "unknown option '--tagret'", fix: expect.stringMatching(/Did you mean --target\?/), exitCode: 2 },
    });
    expect(r.stderr).toMatch(/unknown option '--tagret'/);
    const bad = s.run(['mcp', 'add', '--url', 'https://x.example/\t', '--target', 'cursor', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ message: expect.stringMatching(/control character/), exitCode: 2 });
  });

  test('a client that is not installed: added (not installed here), and the folder mcpwire created does not make it detected', () => {
    const s = scratch();
    const r = s.run(['mcp', 'add', 'pelcro', '--target', 'cursor']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cursor .*added \(not installed here\)/);
    const cursor = () => JSON.parse(s.run(['targets', '--json']).stdout).targets.find((t: { id: string }) => t.id === 'cursor');
    expect(cursor().detected).toBe(false);
    expect(s.run(['mcp', 'add', 'peel', '--target', 'detected']).code).toBe(2);
    s.write('.cursor/argv.json', '{}');
    expect(cursor().detected).toBe(true);
    const again = s.run(['mcp', 'add', 'peel', '--target', 'detected']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/cursor .*added\n/);
  });

  test('mcp remove NAME without --target removes it wherever mcpwire wrote it', () => {
    const s = scratch();
    s.write('.cursor/mcp.json', '{ "mcpServers": { "a": { "url": "https://a/" } } }');
    expect(s.run(['mcp', 'add', 'pelcro', '--target', 'cursor,windsurf']).code).toBe(0);
    const r = s.run(['mcp', 'remove', 'pelcro']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cursor .*removed/);
    expect(r.stdout).toMatch(/windsurf .*removed/);
    expect(s.read('.cursor/mcp.json')).toBe('{ "mcpServers": { "a": { "url": "https://a/" } } }');
    const none = s.run(['mcp', 'remove', 'pelcro']);
    expect(none.code).toBe(0);
    expect(none.stdout.trim().split('\n')).toHaveLength(1);
  });

  test("--version is package.json's version", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(BIN, '..', '..', 'package.json'), 'utf8'));
    expect(scratch().run(['--version']).stdout.trim()).toBe(pkg.version);
  });
});
