/**
 * The file layer through the real CLI, in scratch HOMEs: the journal is secured before any client file
 * is renamed; paths that are not regular files are refused without being opened; dry-run diffs never
 * show a secret; what mcpwire creates is private whatever the umask, and undo removes it again;
 * backups are named after their client; `undo --force`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { BIN, scratch, USER_FILES, walk, type Scratch } from './cli-harness.js';

const URL = 'https://mcp.pelcro.com/';

/** Every file under HOME with its bytes (to prove nothing was written). */
function snapshot(s: Scratch): Map<string, string> {
  return new Map(walk(s.home).map((f) => [f, fs.readFileSync(f).toString('base64')]));
}

function runWith(s: Scratch, args: string[], opts: { preload?: string; env?: Record<string, string>; umask?: string; timeout?: number } = {}) {
  const node = [...(opts.preload ? ['--import', 'data:text/javascript,' + encodeURIComponent(opts.preload)] : []), BIN, ...args];
  const t0 = performance.now();
  const r = opts.umask
    ? spawnSync('sh', ['-c', `umask ${opts.umask}; exec "$0" "$@"`, process.execPath, ...node], {
        cwd: s.cwd,
        env: { ...s.env, ...opts.env },
        encoding: 'utf8',
        timeout: opts.timeout ?? 30_000,
      })
    : spawnSync(process.execPath, node, { cwd: s.cwd, env: { ...s.env, ...opts.env }, encoding: 'utf8', timeout: opts.timeout ?? 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0, signal: r.signal };
}

function seedAll(s: Scratch): void {
  s.write(
    USER_FILES['claude-code'],
    JSON.stringify({ numStartups: 3, mcpServers: { github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/' } } }, null, 2),
  );
  s.write(USER_FILES.codex, '# mine\nmodel = "gpt-5"\n\n[mcp_servers.docs]\ncommand = "npx"\n');
  s.write(USER_FILES.cursor, '// mine\n{ "mcpServers": {} }\n');
  s.write(USER_FILES['claude-desktop'], '{ "mcpServers": {} }\n');
  s.write(USER_FILES.vscode, '{ "servers": {} }\n');
  s.write(USER_FILES.windsurf, '{ "mcpServers": {} }\n');
}

const stateJson = (s: Scratch) => s.file('.config/mcpwire/state.json');

describe('no write the journal misses', () => {
  test('a state folder that refuses new files stops the command before any client file changes', () => {
    const s = scratch();
    seedAll(s);
    const before = snapshot(s);
    // mcpwire's state folder takes no new file (full, read-only, another owner): found out before any rename.
    const preload = `
      import fs from 'node:fs';
      import { syncBuiltinESMExports } from 'node:module';
      const open = fs.openSync;
      fs.openSync = function (p, ...r) {
        if (String(p).includes('state.json.mcpwire-')) throw Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' });
        return open.call(this, p, ...r);
      };
      syncBuiltinESMExports();
    `;
    const r = runWith(s, ['mcp', 'add', '--target', 'all', '--url', URL, '--json'], { preload });
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.changes.map((c: { action: string }) => c.action)).toEqual(Array(6).fill('failed'));
    expect(out.changes[0].error).toMatch(/could not record this change in its journal .*nothing was changed/);
    expect(out.changes[0].fix).toMatch(/writable/);
    // Every client file byte for byte as it was; no backup, temp file or lock left behind.
    const after = snapshot(s);
    for (const [f, bytes] of before) expect(after.get(f), f).toBe(bytes);
    expect([...after.keys()].filter((f) => !before.has(f) && !f.endsWith('.owner'))).toEqual([]);
    expect(walk(s.home).filter((f) => /\.tmp$|\.lock$/.test(f))).toEqual([]);
  });

  test('a state.json that is a folder: refused, nothing written', () => {
    const s = scratch();
    seedAll(s);
    fs.mkdirSync(stateJson(s), { recursive: true });
    const before = snapshot(s);
    const r = s.run(['mcp', 'add', '--target', 'all', '--url', URL]);
    expect(r.code).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/state\.json is a folder/);
    expect(r.stderr).toMatch(/fix: /);
    expect(snapshot(s)).toEqual(before);
  });

  test('when the journal cannot be completed after a failed rename, every changed file is listed with its backup and undo restores them', () => {
    const s = scratch();
    seedAll(s);
    const before = snapshot(s);
    // The rename of Codex's file fails (after the journal was recorded); so does every later write of state.json.
    const preload = `
      import fs from 'node:fs';
      import { syncBuiltinESMExports } from 'node:module';
      const rename = fs.renameSync, open = fs.openSync;
      let broken = false;
      fs.renameSync = function (a, b, ...r) {
        if (String(b).endsWith('config.toml')) { broken = true; throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }); }
        return rename.call(this, a, b, ...r);
      };
      fs.openSync = function (p, ...r) {
        if (broken && String(p).includes('state.json.mcpwire-')) throw Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' });
        return open.call(this, p, ...r);
      };
      syncBuiltinESMExports();
    `;
    const r = runWith(s, ['mcp', 'add', '--target', 'all', '--url', URL], { preload });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/journal could not be completed/);
    for (const id of ['claude-code', 'cursor', 'claude-desktop', 'vscode', 'windsurf']) {
      expect(r.stderr).toContain('~/' + USER_FILES[id]);
      expect(fs.readFileSync(s.file(USER_FILES[id]), 'utf8')).toContain('pelcro');
    }
    expect(r.stderr).toMatch(new RegExp(`previous version kept in .*backups/.*claude-code-user-\\.claude\\.json`));
    expect(fs.readFileSync(s.file(USER_FILES.codex), 'utf8')).not.toContain('pelcro');
    // undo puts back the five files that changed and leaves the one that did not.
    const u = s.run(['undo', '--json']);
    expect(u.code, u.stderr).toBe(0);
    const files = JSON.parse(u.stdout).files as Array<{ file: string; action: string }>;
    expect(files.find((f) => f.file.endsWith('config.toml'))?.action).toBe('not-applied');
    expect(files.filter((f) => f.action === 'restored')).toHaveLength(5);
    for (const [f, bytes] of before) expect(fs.readFileSync(f).toString('base64'), f).toBe(bytes);
  });
});

describe('paths that are not regular files', () => {
  test('a FIFO is refused without being opened (no hang), nothing written', () => {
    const s = scratch();
    fs.mkdirSync(s.file('.cursor'));
    const fifo = s.file('.cursor/mcp.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = runWith(s, ['mcp', 'add', '--target', 'cursor', '--url', URL], { timeout: 15_000 });
    expect(r.signal, 'mcpwire hung on the FIFO').toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/named pipe \(FIFO\)/);
    expect(r.stderr).toMatch(/fix: Move .*mcp\.json aside/);
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    expect(fs.readdirSync(s.file('.cursor'))).toEqual(['mcp.json']);
    // Listing reads files too: it reports the FIFO instead of hanging.
    const l = runWith(s, ['mcp', 'list', '--target', 'cursor'], { timeout: 15_000 });
    expect(l.signal).toBeNull();
    expect(l.stderr).toMatch(/FIFO/);
  });

  test('a link to a character device (/dev/zero) is refused', () => {
    const s = scratch();
    fs.mkdirSync(s.file('.cursor'));
    fs.symlinkSync('/dev/zero', s.file('.cursor/mcp.json'));
    const r = runWith(s, ['mcp', 'add', '--target', 'cursor', '--url', URL], { timeout: 15_000 });
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/character device/);
  });

  test('a dangling symlink is refused, and no folder is made for its target', () => {
    const s = scratch();
    fs.mkdirSync(s.file('.cursor'));
    fs.symlinkSync(s.file('dotfiles/cursor/mcp.json'), s.file('.cursor/mcp.json'));
    const r = s.run(['mcp', 'add', '--target', 'cursor,windsurf', '--url', URL, '--json']);
    expect(r.code, r.stderr).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.changes[0]).toMatchObject({ target: 'cursor', action: 'refused' });
    expect(out.changes[0].error).toMatch(/symbolic link to .*dotfiles\/cursor\/mcp\.json, which does not exist/);
    expect(out.changes[0].fix).toMatch(/remove the link/);
    expect(out.changes[1]).toMatchObject({ target: 'windsurf', action: 'added' }); // the others go on
    expect(fs.existsSync(s.file('dotfiles'))).toBe(false);
    expect(fs.lstatSync(s.file('.cursor/mcp.json')).isSymbolicLink()).toBe(true);
  });
});

describe('--dry-run diffs', () => {
  const CURSOR = `{
  "mcpServers": {
    "github": {
      "url": "https://api.githubcopilot.com/mcp/",
      "headers": { "Authorization": "Bearer ghp_LITERALSECRET1" }
    },
    "local": { "command": "node", "args": ["s.js"], "env": { "API_TOKEN": "envsecret2" } }
  }
}
`;
  const CODEX = `[mcp_servers.github]
url = "https://api.githubcopilot.com/mcp/"
http_headers = { "Authorization" = "Bearer tomlsecret3" }

[mcp_servers.other.env_http_headers]
X-Key = "tablesecret4"
`;

  test('never show a secret: header values, env values, other entries in context lines; no Index/==== lines', () => {
    const s = scratch();
    s.write('.cursor/mcp.json', CURSOR);
    s.write('.codex/config.toml', CODEX);
    const r = s.run([
      'mcp',
      'add',
      '--target',
      'cursor,codex',
      '--url',
      'https://mcp.x.example/?api_key=querysecret5',
      '--name',
      'x',
      '--header',
      'X-Api-Key: newsecret6',
      '--dry-run',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const all = r.stdout + r.stderr;
    for (const secret of ['ghp_LITERALSECRET1', 'envsecret2', 'tomlsecret3', 'tablesecret4', 'querysecret5', 'newsecret6']) expect(all).not.toContain(secret);
    // The context really holds the other entries (so the masking was needed), and names stay readable.
    expect(r.stdout).toMatch(/^ {7}"headers": \{ "Authorization": "Bearer \*\*\*\*" \}$/m);
    expect(r.stdout).toMatch(/^\+ {8}"X-Api-Key": "\*\*\*\*"$/m);
    expect(r.stdout).toMatch(/^\+http_headers = \{ X-Api-Key = "\*\*\*\*" \}$/m);
    expect(r.stdout).not.toMatch(/^(Index:|====)/m);
    expect(r.stdout).not.toMatch(/\u001b\[/); // NO_COLOR
    // --json carries the same masked diff.
    const j = s.run([
      'mcp',
      'add',
      '--target',
      'cursor',
      '--url',
      'https://mcp.x.example/',
      '--name',
      'x',
      '--header',
      'X-Api-Key: newsecret6',
      '--dry-run',
      '--json',
    ]);
    expect(j.stdout).not.toContain('newsecret6');
    expect(j.stdout).not.toContain('ghp_LITERALSECRET1');
  });

  test('coloured on a terminal (FORCE_COLOR), references stay readable', () => {
    const s = scratch();
    s.write('.cursor/mcp.json', CURSOR);
    const r = s.run(['mcp', 'add', '--target', 'cursor', '--url', URL, '--header-env', 'Authorization=PELCRO_TOKEN', '--dry-run'], {
      env: { FORCE_COLOR: '1', NO_COLOR: '' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\u001b\[32m\+ {8}"Authorization": "Bearer \$\{env:PELCRO_TOKEN\}"\u001b\[39m/);
    expect(r.stdout).toMatch(/\u001b\[36m@@ -\d+,\d+ \+\d+,\d+ @@\u001b\[39m/);
  });
});

describe('private by default', () => {
  const mode = (f: string) => fs.statSync(f).mode & 0o777;

  test('with umask 000: created folders are 0700, ~/.claude.json and Codex config 0600, nothing group- or world-writable; undo removes what it created', () => {
    const s = scratch();
    const before = new Set(walk(s.home));
    const r = runWith(s, ['mcp', 'add', '--target', 'all', '--url', URL], { umask: '000' });
    expect(r.code, r.stderr).toBe(0);
    expect(mode(s.file(USER_FILES['claude-code']))).toBe(0o600);
    expect(mode(s.file(USER_FILES.codex))).toBe(0o600);
    for (const id of ['cursor', 'claude-desktop', 'vscode', 'windsurf']) expect(mode(s.file(USER_FILES[id])) & 0o022, id).toBe(0);
    for (const d of [
      '.codex',
      '.cursor',
      '.config/Claude',
      '.config/Code',
      '.config/Code/User',
      '.codeium',
      '.codeium/windsurf',
      '.config/mcpwire',
      '.config/mcpwire/backups',
    ].filter((d) => fs.existsSync(s.file(d)))) {
      expect(mode(s.file(d)), d).toBe(0o700);
    }
    for (const f of walk(s.home)) expect(mode(f) & 0o022, f).toBe(0);
    const u = runWith(s, ['undo'], { umask: '000' });
    expect(u.code, u.stderr).toBe(0);
    for (const d of ['.codex', '.cursor', '.config/Claude', '.config/Code', '.codeium']) expect(fs.existsSync(s.file(d)), d).toBe(false);
    expect(fs.existsSync(s.file('.claude.json'))).toBe(false);
    // What is left is what was there, plus mcpwire's own state.
    expect(walk(s.home).filter((f) => !before.has(f) && !f.startsWith(s.file('.config/mcpwire')))).toEqual([]);
  });

  test('an existing file keeps its mode', () => {
    const s = scratch();
    s.write(USER_FILES.cursor, '{ "mcpServers": {} }\n');
    fs.chmodSync(s.file(USER_FILES.cursor), 0o640);
    const r = runWith(s, ['mcp', 'add', '--target', 'cursor', '--url', URL], { umask: '000' });
    expect(r.code, r.stderr).toBe(0);
    expect(mode(s.file(USER_FILES.cursor))).toBe(0o640);
  });
});

describe('backups and undo --force', () => {
  test('backups are named after their client', () => {
    const s = scratch();
    seedAll(s);
    expect(s.run(['mcp', 'add', '--target', 'all', '--url', URL]).code).toBe(0);
    const names = walk(s.file('.config/mcpwire/backups'))
      .map((f) => path.basename(f))
      .sort();
    expect(names).toEqual([
      'claude-code-user-.claude.json',
      'claude-desktop-user-claude_desktop_config.json',
      'codex-user-config.toml',
      'cursor-user-mcp.json',
      // The command's journal entry in full (state.json keeps a short record of it).
      'journal.json',
      'vscode-user-mcp.json',
      'windsurf-user-mcp_config.json',
    ]);
    for (const f of walk(s.file('.config/mcpwire/backups'))) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  });

  test('a state file written with the earlier ledger keys (JSON arrays) still works, and is rewritten without escaped keys', () => {
    const s = scratch();
    seedAll(s);
    expect(s.run(['mcp', 'add', '--name', 'old', '--target', 'cursor,codex', '--url', URL]).code).toBe(0);
    const file = '.config/mcpwire/state.json';
    const st = JSON.parse(s.read(file));
    // As mcpwire wrote it before: each key a JSON array, every quote in it escaped.
    const toArrays = (o: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [JSON.stringify(k.split(' ').map(decodeURIComponent)), v]));
    st.ledger = toArrays(st.ledger);
    // And each journal entry whole in state.json, as it was kept then (not in its backup folder).
    st.journal = (st.journal as { id: string; detail?: string }[]).map((j) =>
      j.detail ? JSON.parse(s.read(`.config/mcpwire/backups/${j.id}/${j.detail}`)) : j,
    );
    for (const j of st.journal) j.ledgerBefore = toArrays(j.ledgerBefore);
    s.write(file, JSON.stringify(st, null, 2));
    expect(s.read(file)).toMatch(/"\[\\"/);

    // `mcp remove NAME` finds the entries through the ledger, in both files.
    const removed = s.run(['mcp', 'remove', 'old', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect((JSON.parse(removed.stdout).changes as { action: string }[]).map((r) => r.action)).toEqual(['removed', 'removed']);
    expect(s.read(USER_FILES.cursor)).not.toContain('"old"');
    const escapedKeys = (text: string) => [...text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].filter((m) => m[1].includes('\\'));
    expect(escapedKeys(s.read(file))).toEqual([]);
    // Undo of the remove puts the entries and their ledger records back.
    expect(s.run(['undo']).code).toBe(0);
    expect(s.read(USER_FILES.cursor)).toContain('"old"');
    expect(Object.values(JSON.parse(s.read(file)).ledger as Record<string, { name: string }>).filter((r) => r.name === 'old').length).toBe(2);
    expect(escapedKeys(s.read(file))).toEqual([]);
    // The add, kept whole in state.json the earlier way, is undone as well.
    const again = s.run(['undo', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).undone).toBe('mcp add old');
    expect(s.read(USER_FILES.cursor)).not.toContain('"old"');
    expect(s.read(USER_FILES.codex)).not.toContain('old');
  });

  test('a journal entry whose details are gone is refused by undo with the file named, and nothing is changed', () => {
    const s = scratch();
    seedAll(s);
    expect(s.run(['mcp', 'add', '--name', 'gone', '--target', 'cursor', '--url', URL]).code).toBe(0);
    const { journal } = JSON.parse(s.read('.config/mcpwire/state.json')) as { journal: { id: string; detail: string; command: string }[] };
    expect(journal).toHaveLength(1);
    // Only a short record in state.json; the files it changed are in the details.
    expect(Object.keys(journal[0]).sort()).toEqual(['at', 'bytes', 'command', 'detail', 'id']);
    const detail = `.config/mcpwire/backups/${journal[0].id}/${journal[0].detail}`;
    fs.rmSync(s.file(detail));
    const cursor = s.read(USER_FILES.cursor);
    const r = s.run(['undo']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(s.file(detail));
    expect(r.stderr).toMatch(/missing/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(s.read(USER_FILES.cursor)).toBe(cursor);
    // A detail name that would leave the backup folder is not followed.
    const st = JSON.parse(s.read('.config/mcpwire/state.json'));
    st.journal[0].detail = '../../state.json';
    s.write('.config/mcpwire/state.json', JSON.stringify(st));
    const bad = s.run(['undo']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/damaged/);
    expect(s.read(USER_FILES.cursor)).toBe(cursor);
  });

  test("undo puts mcpwire's record of the server back as it was, unless it changed since", () => {
    const s = scratch();
    const state = () => JSON.parse(s.read('.config/mcpwire/state.json')) as { servers: Record<string, { url: string }> };
    expect(s.run(['mcp', 'add', '--name', 'first', '--target', 'cursor', '--url', URL]).code).toBe(0);
    expect(s.run(['mcp', 'add', '--name', 'pelcro', '--target', 'cursor', '--url', URL]).code).toBe(0);
    expect(Object.keys(state().servers).sort()).toEqual(['first', 'pelcro']);
    expect(s.run(['undo']).code).toBe(0);
    expect(Object.keys(state().servers)).toEqual(['first']);
    // A record another command (or a hand) changed after the add is left as it is.
    const st = state();
    st.servers.first.url = 'https://elsewhere.example/mcp';
    s.write('.config/mcpwire/state.json', JSON.stringify(st, null, 2));
    expect(s.run(['undo']).code).toBe(0);
    expect(state().servers.first.url).toBe('https://elsewhere.example/mcp');
  });

  test('undo refuses when a file changed since; --force restores the others and lists it (its backup kept)', () => {
    const s = scratch();
    seedAll(s);
    const before = snapshot(s);
    expect(s.run(['mcp', 'add', '--target', 'all', '--url', URL]).code).toBe(0);
    const edited = s.read(USER_FILES.cursor).replace('"pelcro"', '"pelcro-mine"');
    s.write(USER_FILES.cursor, edited);
    const refused = s.run(['undo']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/mcp\.json changed since/);
    expect(refused.stderr).toMatch(/undo --force/);
    expect(s.read(USER_FILES.codex)).toContain('pelcro'); // nothing restored

    const forced = s.run(['undo', '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    const files = JSON.parse(forced.stdout).files as Array<{ file: string; action: string; backup?: string }>;
    const cursor = files.find((f) => f.file === s.file(USER_FILES.cursor))!;
    expect(cursor.action).toBe('changed-since');
    expect(fs.readFileSync(cursor.backup!).toString('base64')).toBe(before.get(s.file(USER_FILES.cursor)));
    expect(s.read(USER_FILES.cursor)).toBe(edited);
    for (const id of ['claude-code', 'codex', 'claude-desktop', 'vscode', 'windsurf'])
      expect(fs.readFileSync(s.file(USER_FILES[id])).toString('base64')).toBe(before.get(s.file(USER_FILES[id])));
    // The next undo steps further back (here: nothing left); the backup of the file left alone stays.
    expect(s.run(['undo']).stderr).toMatch(/Nothing to undo/);
    expect(fs.existsSync(cursor.backup!)).toBe(true);
    expect(s.run(['mcp', 'undo', '--force']).code).toBe(1);
  });
});
