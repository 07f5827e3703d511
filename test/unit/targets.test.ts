import { describe, expect, test } from 'vitest';
import { Volume, createFsFromVolume } from 'memfs';
import type { Fs, OS } from '../../src/platform.js';
import { fakePlatform } from '../fake-platform.js';
import { TARGET_IDS, TARGETS, targetById } from '../../src/targets/index.js';
import type { ServerSpec, Target, TargetContext } from '../../src/targets/types.js';
import { addToText, removeFromText } from '../../src/entries.js';
import { parseToml } from '../../src/edit/toml.js';

function ctx(os: OS, files: Record<string, string> = {}, env: Record<string, string> = {}, home?: string): TargetContext {
  const h = home ?? (os === 'win32' ? 'C:\\Users\\ada' : os === 'darwin' ? '/Users/ada' : '/home/ada');
  const vol = Volume.fromJSON(files);
  const platform = fakePlatform({ os, home: h, fs: createFsFromVolume(vol) as unknown as Fs, env, cwd: os === 'win32' ? 'C:\\src\\app' : '/src/app' });
  return { platform, projectRoot: platform.cwd };
}

const t = (id: string): Target => targetById(id)!;

const spec = (o: Partial<ServerSpec> = {}): ServerSpec => ({ name: 'pelcro', url: 'https://mcp.pelcro.com/', headers: [], headerEnvs: [], ...o });

describe('files per OS and scope', () => {
  const table: Array<[string, OS, string, string, Record<string, string>?]> = [
    ['claude-code', 'linux', 'user', '/home/ada/.claude.json'],
    ['claude-code', 'linux', 'project', '/src/app/.mcp.json'],
    ['claude-code', 'darwin', 'user', '/Users/ada/.claude.json'],
    ['claude-code', 'win32', 'user', 'C:\\Users\\ada\\.claude.json'],
    ['claude-code', 'linux', 'user', '/cfg/claude/.claude.json', { CLAUDE_CONFIG_DIR: '/cfg/claude' }],
    ['codex', 'linux', 'user', '/home/ada/.codex/config.toml'],
    ['codex', 'linux', 'user', '/opt/codex/config.toml', { CODEX_HOME: '/opt/codex' }],
    ['codex', 'win32', 'user', 'C:\\Users\\ada\\.codex\\config.toml'],
    ['codex', 'linux', 'project', '/src/app/.codex/config.toml'],
    ['cursor', 'linux', 'user', '/home/ada/.cursor/mcp.json'],
    ['cursor', 'win32', 'user', 'C:\\Users\\ada\\.cursor\\mcp.json'],
    ['cursor', 'darwin', 'project', '/src/app/.cursor/mcp.json'],
    ['claude-desktop', 'darwin', 'user', '/Users/ada/Library/Application Support/Claude/claude_desktop_config.json'],
    ['claude-desktop', 'linux', 'user', '/home/ada/.config/Claude/claude_desktop_config.json'],
    ['claude-desktop', 'linux', 'user', '/xdg/Claude/claude_desktop_config.json', { XDG_CONFIG_HOME: '/xdg' }],
    [
      'claude-desktop',
      'win32',
      'user',
      'C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
      { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' },
    ],
    ['vscode', 'darwin', 'user', '/Users/ada/Library/Application Support/Code/User/mcp.json'],
    ['vscode', 'linux', 'user', '/home/ada/.config/Code/User/mcp.json'],
    ['vscode', 'linux', 'user', '/xdg/Code/User/mcp.json', { XDG_CONFIG_HOME: '/xdg' }],
    ['vscode', 'win32', 'user', 'D:\\roam\\Code\\User\\mcp.json', { APPDATA: 'D:\\roam' }],
    ['vscode', 'win32', 'project', 'C:\\src\\app\\.vscode\\mcp.json'],
    ['windsurf', 'linux', 'user', '/home/ada/.codeium/windsurf/mcp_config.json'],
    ['windsurf', 'win32', 'user', 'C:\\Users\\ada\\.codeium\\windsurf\\mcp_config.json'],
    ['windsurf', 'darwin', 'user', '/Users/ada/.codeium/windsurf/mcp_config.json'],
  ];
  test.each(table)('%s on %s, %s scope → %s', (id, os, scope, expected, env) => {
    expect(t(id).file(scope as 'user', ctx(os, {}, env))).toBe(expected);
  });

  test('Claude Desktop from the Microsoft Store (MSIX) on Windows writes the virtualised copy', () => {
    const c = ctx('win32', { 'C:\\Users\\ada\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc': null } as never, {
      LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local',
      APPDATA: 'C:\\Users\\ada\\AppData\\Roaming',
    });
    expect(t('claude-desktop').file('user', c)).toBe(
      'C:\\Users\\ada\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json',
    );
    expect(t('claude-desktop').detect(c)).toBe(true);
  });

  test('claude-code local scope lives in ~/.claude.json under projects[root]', () => {
    const c = ctx('linux');
    expect(t('claude-code').file('local', c)).toBe('/home/ada/.claude.json');
    expect(t('claude-code').container('local', c)).toEqual(['projects', '/src/app', 'mcpServers']);
  });

  test('scopes', () => {
    expect(Object.fromEntries(TARGETS.map((x) => [x.id, x.scopes]))).toEqual({
      'claude-code': ['user', 'project', 'local'],
      codex: ['user', 'project'],
      cursor: ['user', 'project'],
      'claude-desktop': ['user'],
      vscode: ['user', 'project'],
      windsurf: ['user'],
    });
  });
});

describe('detection', () => {
  test('nothing installed → nothing detected', () => {
    for (const x of TARGETS) expect(x.detect(ctx('linux')), x.id).toBe(false);
  });
  test('config folders or binaries on PATH', () => {
    const c = ctx('linux', {
      '/home/ada/.claude/x': '',
      '/home/ada/.codex/x': '',
      '/home/ada/.cursor/x': '',
      '/home/ada/.config/Claude/x': '',
      '/home/ada/.config/Code/User/x': '',
      '/home/ada/.codeium/windsurf/x': '',
    });
    for (const x of TARGETS) expect(x.detect(c), x.id).toBe(true);
    const bins = ctx('linux', { '/usr/bin/claude': '', '/usr/bin/codex': '', '/usr/bin/code': '' }, { PATH: '/usr/bin' });
    expect(TARGETS.filter((x) => x.detect(bins)).map((x) => x.id)).toEqual(['claude-code', 'codex', 'vscode']);
  });
});

describe('detection: a folder that holds only the file mcpwire writes is no sign of the client', () => {
  const only: Record<string, Record<string, string>> = {
    'claude-code': { '/cfg/claude/.claude.json': '{}' },
    codex: { '/home/ada/.codex/config.toml': '', '/home/ada/.codex/.config.toml.mcpwire-1-ab.tmp': '' },
    cursor: { '/home/ada/.cursor/mcp.json': '{}' },
    'claude-desktop': { '/home/ada/.config/Claude/claude_desktop_config.json': '{}' },
    vscode: { '/home/ada/.config/Code/User/mcp.json': '{}' },
    windsurf: { '/home/ada/.codeium/windsurf/mcp_config.json': '{}' },
  };
  const env = { CLAUDE_CONFIG_DIR: '/cfg/claude' };
  test.each(Object.keys(only))("%s: only mcpwire's file → not detected", (id) => {
    expect(t(id).detect(ctx('linux', only[id], env))).toBe(false);
  });
  const signs: Array<[string, OS, Record<string, string>]> = [
    ['claude-code', 'linux', { '/cfg/claude/.claude.json': '{}', '/cfg/claude/settings.json': '{}' }],
    ['claude-code', 'linux', { '/home/ada/.local/bin/claude': '' }],
    ['codex', 'linux', { '/home/ada/.codex/config.toml': '', '/home/ada/.codex/auth.json': '{}' }],
    ['cursor', 'linux', { '/home/ada/.cursor/mcp.json': '{}', '/home/ada/.cursor/argv.json': '{}' }],
    ['cursor', 'linux', { '/home/ada/.config/Cursor/Preferences': '' }],
    ['cursor', 'darwin', { '/Users/ada/Library/Application Support/Cursor/x': '' }],
    ['cursor', 'win32', { 'C:\\Users\\ada\\AppData\\Local\\Programs\\cursor': null } as never], // memfs keeps a Windows path as one name
    ['claude-desktop', 'linux', { '/home/ada/.config/Claude/claude_desktop_config.json': '{}', '/home/ada/.config/Claude/logs/main.log': '' }],
    ['claude-desktop', 'darwin', { '/Applications/Claude.app/Contents/Info.plist': '' }],
    ['claude-desktop', 'win32', { 'C:\\Users\\ada\\AppData\\Local\\AnthropicClaude': null } as never],
    ['vscode', 'linux', { '/home/ada/.config/Code/User/mcp.json': '{}', '/home/ada/.config/Code/User/settings.json': '{}' }],
    ['vscode', 'linux', { '/home/ada/.config/Code/User/mcp.json': '{}', '/home/ada/.config/Code/logs/x.log': '' }],
    ['windsurf', 'linux', { '/home/ada/.codeium/windsurf/mcp_config.json': '{}', '/home/ada/.codeium/windsurf/memories/x': '' }],
    ['windsurf', 'darwin', { '/Users/ada/Library/Application Support/Windsurf/x': '' }],
  ];
  test.each(signs)('%s on %s: a real sign of the client → detected', (id, os, files) => {
    expect(t(id).detect(ctx(os, files, id === 'claude-code' && '/cfg/claude/.claude.json' in files ? env : {}))).toBe(true);
  });
});

describe('the target list', () => {
  test('TARGETS follow TARGET_IDS (help and completion read the ids without loading the adapters)', () => {
    expect(TARGETS.map((x) => x.id)).toEqual([...TARGET_IDS]);
  });
});

describe('entry shapes (clients.md)', () => {
  const headers = spec({
    headers: [{ name: 'X-Org', value: 'acme' }],
    headerEnvs: [
      { name: 'Authorization', variable: 'PELCRO_TOKEN' },
      { name: 'X-Api-Key', variable: 'API_KEY' },
    ],
  });
  const c = ctx('linux');
  test('claude-code always writes type http, ${VAR} references', () => {
    expect(t('claude-code').render(spec(), c).value).toEqual({ type: 'http', url: 'https://mcp.pelcro.com/' });
    const r = t('claude-code').render(headers, c);
    expect(r.value).toEqual({
      type: 'http',
      url: 'https://mcp.pelcro.com/',
      headers: { 'X-Org': 'acme', Authorization: 'Bearer ${PELCRO_TOKEN}', 'X-Api-Key': '${API_KEY}' },
    });
    expect(r.literalSecret).toBe(true);
  });
  test('codex: never a type; bearer_token_env_var, env_http_headers, http_headers', () => {
    expect(t('codex').render(spec(), c).value).toEqual({ url: 'https://mcp.pelcro.com/' });
    const r = t('codex').render(headers, c).value;
    expect(r).toEqual({
      url: 'https://mcp.pelcro.com/',
      bearer_token_env_var: 'PELCRO_TOKEN',
      http_headers: { 'X-Org': 'acme' },
      env_http_headers: { 'X-Api-Key': 'API_KEY' },
    });
    expect(r).not.toHaveProperty('type');
    expect(r).not.toHaveProperty('bearer_token');
  });
  test('cursor: url, ${env:VAR}', () => {
    expect(t('cursor').render(headers, c).value).toEqual({
      url: 'https://mcp.pelcro.com/',
      headers: { 'X-Org': 'acme', Authorization: 'Bearer ${env:PELCRO_TOKEN}', 'X-Api-Key': '${env:API_KEY}' },
    });
  });
  test('windsurf: serverUrl, ${env:VAR}', () => {
    expect(t('windsurf').render(spec({ headerEnvs: [{ name: 'Authorization', variable: 'T' }] }), c).value).toEqual({
      serverUrl: 'https://mcp.pelcro.com/',
      headers: { Authorization: 'Bearer ${env:T}' },
    });
  });
  test('vscode: servers + password inputs referenced as ${input:ID}', () => {
    const r = t('vscode').render(headers, c);
    expect(t('vscode').container('user', c)).toEqual(['servers']);
    expect(r.value).toEqual({
      type: 'http',
      url: 'https://mcp.pelcro.com/',
      headers: { 'X-Org': 'acme', Authorization: 'Bearer ${input:pelcro-authorization}', 'X-Api-Key': '${input:pelcro-x-api-key}' },
    });
    expect(r.inputs).toEqual([
      { type: 'promptString', id: 'pelcro-authorization', description: expect.stringContaining('PELCRO_TOKEN'), password: true },
      { type: 'promptString', id: 'pelcro-x-api-key', description: expect.stringContaining('API_KEY'), password: true },
    ]);
  });
  test('claude-desktop: a stdio bridge with absolute paths', () => {
    const r = t('claude-desktop').render(spec(), c);
    expect(r.value).toEqual({
      command: '/usr/local/bin/node',
      args: ['/usr/local/lib/node_modules/mcpwire/bin/mcpwire.js', 'proxy', 'pelcro', '--url', 'https://mcp.pelcro.com/'],
    });
    expect(r.value).not.toHaveProperty('url');
  });
  test('claude-desktop on Windows: node.exe directly, or cmd /c for a .cmd shim', () => {
    const w = ctx('win32');
    const direct = t('claude-desktop').render(spec(), w).value as { command: string; args: string[] };
    expect(direct.command).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(direct.args[0]).toMatch(/^C:\\.*mcpwire\.js$/);
    w.platform.launcher = 'C:\\Users\\ada\\AppData\\Roaming\\npm\\mcpwire.cmd';
    const shim = t('claude-desktop').render(spec(), w).value as { command: string; args: string[] };
    expect(shim).toEqual({
      command: 'cmd',
      args: ['/c', 'C:\\Users\\ada\\AppData\\Roaming\\npm\\mcpwire.cmd', 'proxy', 'pelcro', '--url', 'https://mcp.pelcro.com/'],
    });
  });
  test('claude-desktop: no secret in args: literal headers and a credential URL go to env', () => {
    const r = t('claude-desktop').render(
      spec({
        url: 'https://mcp.pelcro.com/?token=T0K',
        secretInUrl: 'token',
        headers: [
          { name: 'X-Api-Key', value: 'k1' },
          { name: 'X-Org', value: 'acme' },
        ],
        headerEnvs: [{ name: 'Authorization', variable: 'PELCRO_TOKEN' }],
      }),
      c,
    );
    expect(r.value).toEqual({
      command: '/usr/local/bin/node',
      args: ['/usr/local/lib/node_modules/mcpwire/bin/mcpwire.js', 'proxy', 'pelcro', '--header-env', 'Authorization=PELCRO_TOKEN'],
      env: { MCPWIRE_URL: 'https://mcp.pelcro.com/?token=T0K', MCPWIRE_HEADER_1: 'X-Api-Key: k1', MCPWIRE_HEADER_2: 'X-Org: acme' },
    });
    expect(r.literalSecret).toBe(true);
    expect(t('claude-desktop').read('pelcro', r.value)).toMatchObject({ kind: 'bridge', url: 'https://mcp.pelcro.com/?token=T0K' });
  });
  test('every client: a credential in the URL is a literal secret', () => {
    for (const x of TARGETS) expect(x.render(spec({ url: 'https://a.example/?key=1', secretInUrl: 'key' }), c).literalSecret, x.id).toBe(true);
    for (const x of TARGETS) expect(x.render(spec(), c).literalSecret, x.id).toBe(false);
  });
  test('claude-desktop warns when running from the npx cache', () => {
    const n = ctx('linux');
    n.platform.launcher = '/home/ada/.npm/_npx/1a2b/node_modules/mcpwire/bin/mcpwire.js';
    expect(t('claude-desktop').render(spec(), n).warnings.join(' ')).toMatch(/npx cache.*npm i -g mcpwire/);
  });
  describe('claude-desktop from the npx cache: `npx -y mcpwire@<this version>`, never the cache, never @latest', () => {
    // The version of the package the launcher belongs to: the one that is running.
    const pinned = 'mcpwire@9.8.7-rc.1';
    const bridge = ['proxy', 'pelcro', '--url', 'https://mcp.pelcro.com/'];
    const render = (c: TargetContext, launcher: string, pkg: string | null = JSON.stringify({ name: 'mcpwire', version: '9.8.7-rc.1' })) => {
      c.platform.launcher = launcher;
      const dir = c.platform.path.dirname(c.platform.path.dirname(launcher));
      if (pkg !== null) {
        c.platform.fs.mkdirSync(dir, { recursive: true });
        c.platform.fs.writeFileSync(c.platform.path.join(dir, 'package.json'), pkg);
      }
      const r = t('claude-desktop').render(spec(), c);
      const v = r.value as { command: string; args: string[] };
      expect([v.command, ...v.args].join(' ')).not.toMatch(/_npx|@latest/);
      return { ...v, warnings: r.warnings.join(' ') };
    };
    test("macOS: node by absolute path running npm's npx-cli.js (found through the npx link)", () => {
      const cli = '/opt/homebrew/Cellar/node/22.1.0/lib/node_modules/npm/bin/npx-cli.js';
      const c = ctx('darwin', { [cli]: '', '/opt/homebrew/bin/.keep': '' });
      (c.platform.fs as unknown as { symlinkSync(t: string, p: string): void }).symlinkSync(cli, '/opt/homebrew/bin/npx');
      c.platform.env = { PATH: '/usr/bin:/opt/homebrew/bin' };
      const r = render(c, '/Users/ada/.npm/_npx/9f8e/node_modules/mcpwire/bin/mcpwire.js');
      expect(r).toMatchObject({ command: '/usr/local/bin/node', args: [cli, '-y', pinned, ...bridge] });
      expect(r.warnings).toContain(`npx -y ${pinned}`);
    });
    test('Linux (nvm): npx-cli.js next to node, without PATH', () => {
      const c = ctx('linux', { '/home/ada/.nvm/versions/node/v22.1.0/lib/node_modules/npm/bin/npx-cli.js': '' });
      c.platform.execPath = '/home/ada/.nvm/versions/node/v22.1.0/bin/node';
      const r = render(c, '/home/ada/.npm/_npx/1a2b/node_modules/mcpwire/bin/mcpwire.js');
      expect(r).toMatchObject({
        command: c.platform.execPath,
        args: ['/home/ada/.nvm/versions/node/v22.1.0/lib/node_modules/npm/bin/npx-cli.js', '-y', pinned, ...bridge],
      });
    });
    test('Linux: only an npx script on PATH: that npx by absolute path', () => {
      const c = ctx('linux', { '/opt/tools/npx': '#!/bin/sh' });
      c.platform.env = { PATH: 'relative/bin:/opt/tools' };
      expect(render(c, '/home/ada/.npm/_npx/1a2b/node_modules/mcpwire/bin/mcpwire.js')).toMatchObject({
        command: '/opt/tools/npx',
        args: ['-y', pinned, ...bridge],
      });
    });
    test("Windows: node.exe with npm's npx-cli.js, or cmd /c for the npx.cmd shim", () => {
      const c = ctx('win32', { 'C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npx-cli.js': '' });
      const launcher = 'C:\\Users\\ada\\AppData\\Local\\npm-cache\\_npx\\4c3d\\node_modules\\mcpwire\\bin\\mcpwire.js';
      expect(render(c, launcher)).toMatchObject({
        command: 'C:\\Program Files\\nodejs\\node.exe',
        args: ['C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npx-cli.js', '-y', pinned, ...bridge],
      });
      const shim = ctx('win32', { 'C:\\tools\\npx.cmd': '' });
      shim.platform.env = { Path: 'C:\\tools;C:\\Windows' };
      expect(render(shim, launcher)).toMatchObject({ command: 'cmd', args: ['/c', 'C:\\tools\\npx.cmd', '-y', pinned, ...bridge] });
    });
    test('no npx anywhere: plain npx, and the warning says to install mcpwire', () => {
      const r = render(ctx('linux'), '/home/ada/.npm/_npx/1a2b/node_modules/mcpwire/bin/mcpwire.js');
      expect(r).toMatchObject({ command: 'npx', args: ['-y', pinned, ...bridge] });
      expect(r.warnings).toMatch(/npx was found neither.*install mcpwire/);
    });
    test('the running version cannot be read (no package.json, another package): the launcher as is, and the advice to install', () => {
      for (const pkg of [null, JSON.stringify({ name: 'other', version: '1.0.0' }), JSON.stringify({ name: 'mcpwire', version: 'latest' })]) {
        const launcher = '/home/ada/.npm/_npx/1a2b/node_modules/mcpwire/bin/mcpwire.js';
        const c = ctx('linux');
        c.platform.launcher = launcher;
        const dir = '/home/ada/.npm/_npx/1a2b/node_modules/mcpwire';
        if (pkg !== null) {
          c.platform.fs.mkdirSync(dir, { recursive: true });
          c.platform.fs.writeFileSync(dir + '/package.json', pkg);
        }
        const r = t('claude-desktop').render(spec(), c);
        expect(r.value).toEqual({ command: '/usr/local/bin/node', args: [launcher, ...bridge] });
        expect(r.warnings.join(' ')).toMatch(/version could not be read.*npm i -g mcpwire/);
      }
    });
    test('an installed mcpwire is used as is: node and the launcher by absolute path, no npx', () => {
      const c = ctx('linux', { '/usr/local/lib/node_modules/npm/bin/npx-cli.js': '' });
      expect(render(c, '/usr/local/lib/node_modules/mcpwire/bin/mcpwire.js')).toMatchObject({
        command: '/usr/local/bin/node',
        args: ['/usr/local/lib/node_modules/mcpwire/bin/mcpwire.js', ...bridge],
        warnings: '',
      });
    });
  });
});

describe('read back and problems', () => {
  test('codex: fatal keys under a url server', () => {
    const e = t('codex').read('x', { url: 'https://a/', type: 'http', bearer_token: 's' });
    expect(e.kind).toBe('remote');
    expect(e.problems.join('\n')).toMatch(/"type"/);
    expect(e.problems.join('\n')).toMatch(/bearer_token_env_var/);
    expect(t('codex').read('x', { url: 'https://a/', bearer_token_env_var: 'T', env_http_headers: { K: 'V' } }).headers).toEqual({
      Authorization: 'Bearer $T',
      K: '$V',
    });
  });
  test('claude-code: a url entry without type is skipped by Claude Code', () => {
    expect(t('claude-code').read('x', { url: 'https://a/' }).problems[0]).toMatch(/type/);
    expect(t('claude-code').read('x', { type: 'http', url: 'https://a/' }).problems).toEqual([]);
  });
  test('claude-desktop: url entries are ignored; bridges are recognised', () => {
    expect(t('claude-desktop').read('x', { url: 'https://a/' }).problems[0]).toMatch(/stdio only/);
    expect(t('claude-desktop').read('x', { command: 'npx', args: ['-y', 'mcp-remote', 'https://b/mcp'] })).toMatchObject({
      kind: 'bridge',
      url: 'https://b/mcp',
    });
    expect(t('claude-desktop').read('x', { command: '/usr/bin/node', args: ['/x/mcpwire/bin/mcpwire.js', 'proxy', 'x', '--url', 'https://c/'] })).toMatchObject(
      { kind: 'bridge', url: 'https://c/' },
    );
    expect(t('claude-desktop').read('x', { command: 'uvx', args: ['some-server'] }).kind).toBe('stdio');
  });
  test('windsurf: url instead of serverUrl is flagged', () => {
    expect(t('windsurf').read('x', { url: 'https://a/' }).problems[0]).toMatch(/serverUrl/);
    expect(t('windsurf').read('x', { serverUrl: 'https://a/' })).toMatchObject({ kind: 'remote', url: 'https://a/', problems: [] });
  });
});

describe('add and remove per target (text level)', () => {
  const c = ctx('linux');
  for (const target of TARGETS) {
    test(`${target.id}: add into a missing file, add again is unchanged, remove gives back nothing`, () => {
      const s = spec({ headerEnvs: [{ name: 'Authorization', variable: 'PELCRO_TOKEN' }] });
      const rendered = target.render(s, c);
      const container = target.container('user', c);
      const a = addToText(target, null, 'f', container, 'pelcro', rendered, false);
      expect(a.action).toBe('added');
      const parsed = target.format === 'toml' ? parseToml(a.text, 'f') : JSON.parse(a.text);
      expect(target.read('pelcro', (container.reduce((o: any, k) => o[k], parsed) as any).pelcro)).toMatchObject({
        url: 'https://mcp.pelcro.com/',
        problems: [],
      });
      const again = addToText(target, a.text, 'f', container, 'pelcro', rendered, false);
      expect(again).toMatchObject({ action: 'unchanged', text: a.text });
      const r = removeFromText(target, a.text, 'f', container, 'pelcro', { hint: a.hint, inputsHint: a.inputsHint, createdFile: true });
      expect(r).toEqual({ text: null, action: 'removed' });
    });
  }
  test('a user key on an entry does not make it different; --force keeps it', () => {
    const target = t('cursor');
    const doc = '{\n  "mcpServers": {\n    "pelcro": { "url": "https://mcp.pelcro.com/", "disabled": false }\n  }\n}\n';
    expect(addToText(target, doc, 'f', ['mcpServers'], 'pelcro', target.render(spec(), c), false).action).toBe('unchanged');
    expect(() => addToText(target, doc, 'f', ['mcpServers'], 'pelcro', target.render(spec({ url: 'https://other/' }), c), false)).toThrow(/already exists/);
    const forced = addToText(target, doc, 'f', ['mcpServers'], 'pelcro', target.render(spec({ url: 'https://other/' }), c), true);
    expect(forced.action).toBe('updated');
    expect(JSON.parse(forced.text).mcpServers.pelcro).toEqual({ url: 'https://other/', disabled: false });
  });
  test('vscode: replacing the headers drops the inputs nobody uses any more', () => {
    const target = t('vscode');
    const a = addToText(target, '{}', 'f', ['servers'], 'pelcro', target.render(spec({ headerEnvs: [{ name: 'X-Key', variable: 'K' }] }), c), false);
    const b = addToText(target, a.text, 'f', ['servers'], 'pelcro', target.render(spec({ headerEnvs: [{ name: 'Authorization', variable: 'T' }] }), c), true);
    expect(JSON.parse(b.text).inputs.map((i: { id: string }) => i.id)).toEqual(['pelcro-authorization']);
  });
  test('vscode: add into an existing file and remove gives back the exact bytes (inputs too)', () => {
    const target = t('vscode');
    const doc = '// my servers\n{\n\t"servers": {\n\t\t"local": { "command": "x" }, // keep\n\t},\n}\n';
    const a = addToText(target, doc, 'f', ['servers'], 'pelcro', target.render(spec({ headerEnvs: [{ name: 'Authorization', variable: 'T' }] }), c), false);
    expect(a.text).toContain('\t\t"pelcro": {\n\t\t\t"type": "http"');
    const r = removeFromText(target, a.text, 'f', ['servers'], 'pelcro', { hint: a.hint, inputsHint: a.inputsHint });
    expect(r.text).toBe(doc);
  });
});
