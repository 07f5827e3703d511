/**
 * The credential store against a REAL keychain: gnome-keyring's Secret Service in a private D-Bus
 * session, started for this file and torn down after it, in a scratch HOME (a developer's own keyring
 * is never touched).
 *
 *   dbus-run-session -- sh -c 'printf %s "$PW" | gnome-keyring-daemon --unlock --components=secrets;
 *                              echo BUS=$DBUS_SESSION_BUS_ADDRESS; exec cat'
 *
 * `--unlock` creates the `login` keyring with that password (it is the default collection) and leaves
 * it unlocked, so nothing ever prompts. `cat` keeps the session alive until the test closes its
 * stdin; then dbus-run-session stops the bus and gnome-keyring-daemon exits with it.
 *
 * mcpwire's store runs in this process with DBUS_SESSION_BUS_ADDRESS pointing at that bus, so its
 * probe (a child process) and its in-process @napi-rs/keyring calls both reach the real daemon; what it
 * wrote is checked with `secret-tool` (libsecret), the way a person would. Items are found by the
 * attributes `service` = mcpwire and `username` = the entry name (keyring-rs' schema; keytar used
 * `account` instead of `username`).
 *
 * Also the fallbacks with real processes: no bus at all, a bus address that leads nowhere, a bus that
 * never answers (the probe is killed after 2 s), and a bus whose Secret Service has no unlocked
 * keyring.
 *
 * Needs the Debian packages in .ci/install-system.sh. Without them: fails when CI=true (naming the
 * packages), skips otherwise.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import nodeFs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from './cli-harness.js';
import { startOAuthServer, type OAuthServer } from './oauth-server.js';

import { openCredentialStore, type CredentialStore } from '../../src/auth/store/index.js';
import { UserError } from '../../src/errors.js';
import { currentPlatform, onPath, type Platform } from '../../src/platform.js';
import { fakePlatform } from '../fake-platform.js';

const TOOLS = ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool'];
const PACKAGES = ['gnome-keyring', 'libsecret-tools', 'dbus-daemon'];
const missing = TOOLS.filter((t) => !onPath(currentPlatform(), t));

const tmpRoot = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-keychain-'));
afterAll(() => nodeFs.rmSync(tmpRoot, { recursive: true, force: true }));
let seq = 0;

/** A platform for one "command": its own state dir, the given environment. */
function platform(env: Record<string, string | undefined>): Platform {
  const dir = path.join(tmpRoot, `cmd-${++seq}`);
  nodeFs.mkdirSync(dir, { recursive: true });
  const base: Record<string, string | undefined> = { ...process.env, MCPWIRE_CONFIG_DIR: path.join(dir, 'state') };
  delete base.MCPWIRE_CREDENTIAL_STORE;
  delete base.DBUS_SESSION_BUS_ADDRESS;
  base.XDG_RUNTIME_DIR = dir; // no `bus` socket in it
  return fakePlatform({ os: 'linux', home: dir, fs: nodeFs, env: { ...base, ...env }, execPath: process.execPath, pid: process.pid });
}

async function open(env: Record<string, string | undefined>) {
  const lines: string[] = [];
  const p = platform(env);
  const t0 = performance.now();
  const store = await openCredentialStore({ platform: p, announce: (l) => lines.push(l) });
  return { store, lines, ms: performance.now() - t0, p };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env, timeout: 10_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

interface Session {
  bus: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** A private D-Bus session; with `unlock`, gnome-keyring's Secret Service with an unlocked login keyring. */
async function startSession(name: string, unlock: boolean): Promise<Session> {
  const home = path.join(tmpRoot, name);
  const runtime = path.join(home, 'run');
  nodeFs.mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    KEYRING_PASSWORD: 'mcpwire-test-keyring',
    LANG: 'C.UTF-8',
  };
  const script = [
    'set -e',
    unlock ? 'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null' : ':',
    'echo "BUS=$DBUS_SESSION_BUS_ADDRESS"',
    'exec cat >/dev/null',
  ].join('\n');
  const child: ChildProcessWithoutNullStreams = spawn('dbus-run-session', ['--', 'sh', '-c', script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const bus = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the D-Bus session did not start within 10 s:\n${stderr}`)), 10_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^BUS=(.+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].trim());
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-run-session exited (${code}) before the session was ready:\n${stderr}`));
    });
  });
  expect(bus).toMatch(/^unix:/);
  return {
    bus,
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus },
    async stop() {
      child.stdin.end(); // `cat` ends, the shell ends, dbus-run-session stops the bus
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The header line of one item in `secret-tool search --all` output (`[/3]`). */
const ITEM = /^\[\/\d+\]$/gm;

const cred = (n: number) => ({
  accessToken: `eyJhbGciOiJSUzI1NiJ9.access-${n}.sig`,
  refreshToken: `refresh-${n}`,
  expiresAt: '2030-01-01T00:00:00.000Z',
  scopes: ['mcp:read', 'mcp:write'],
  issuer: 'https://auth.example.com/',
  client: { clientId: `client-${n}`, redirectUri: 'http://127.0.0.1:33418/callback', issuer: 'https://auth.example.com/' },
  note: 'über 日本語 "quoted" \\ back\nslash',
});

describe('fallback to the file store (real processes)', () => {
  test('no session bus at all: the file, announced, without starting a probe', async () => {
    const { store, lines, ms } = await open({});
    expect(store.kind).toBe('file');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^mcpwire: no OS keychain \(no D-Bus session bus\); tokens kept in \S*credentials\.json, mode 0600\. MCPWIRE_CREDENTIAL_STORE=file hides this note\.$/,
    );
    expect(ms).toBeLessThan(100);
    await store.set('pelcro', cred(1));
    expect(nodeFs.statSync(store.location).mode & 0o777).toBe(0o600);
    expect(await store.get('pelcro')).toEqual(cred(1));
  });

  test('a bus address that leads nowhere: the probe fails fast, the file is announced', async () => {
    const { store, lines, ms } = await open({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(tmpRoot, 'no-such-bus')}` });
    expect(store.kind).toBe('file');
    expect(store.fallbackReason).toBeTruthy();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('no OS keychain (');
    expect(ms).toBeLessThan(1900);
  });

  test('a bus that never answers: the probe is killed after 2 s and the file is used', async () => {
    const sock = path.join(tmpRoot, 'silent.sock');
    const held: net.Socket[] = [];
    const server = net.createServer((s) => void held.push(s)); // accepts, never says a word
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const { store, lines, ms } = await open({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${sock}` });
      expect(store.kind).toBe('file');
      expect(lines[0]).toContain('the keychain did not answer within 2 s');
      expect(ms).toBeGreaterThanOrEqual(1900);
      expect(ms).toBeLessThan(3500);

      const forced = await open({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${sock}`, MCPWIRE_CREDENTIAL_STORE: 'keychain' }).catch((e: unknown) => e);
      expect(forced).toBeInstanceOf(UserError);
      expect((forced as UserError).message).toContain(
        'MCPWIRE_CREDENTIAL_STORE=keychain, but no OS keychain is reachable: the keychain did not answer within 2 s',
      );
      expect((forced as UserError).fix).toContain('MCPWIRE_CREDENTIAL_STORE=file');
    } finally {
      for (const s of held) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  test('MCPWIRE_CREDENTIAL_STORE=keychain without a bus: an error that says how to fix it', async () => {
    const e = await open({ MCPWIRE_CREDENTIAL_STORE: 'keychain' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(1);
    expect((e as UserError).message).toContain('no D-Bus session bus');
    expect((e as UserError).fix).toContain('gnome-keyring-daemon --unlock --components=secrets');
  });
});

if (missing.length > 0 && process.env.CI === 'true') {
  test('the keychain tools are installed', () => {
    throw new Error(
      `Missing ${missing.join(', ')}: install the Debian packages ${PACKAGES.join(' ')} ` +
        `(bash .ci/install-system.sh, or apt-get install --no-install-recommends ${PACKAGES.join(' ')}).`,
    );
  });
}

describe.skipIf(missing.length > 0)('real keychain: gnome-keyring in a private D-Bus session', () => {
  let session: Session;
  const savedBus = process.env.DBUS_SESSION_BUS_ADDRESS;
  const lookup = (account: string, attr = 'username') => run('secret-tool', ['lookup', 'service', 'mcpwire', attr, account], session.env);
  const searchAll = () => run('secret-tool', ['search', '--all', '--unlock', 'service', 'mcpwire'], session.env);

  beforeAll(async () => {
    session = await startSession('gnome-keyring', true);
    // The in-process @napi-rs/keyring calls read the real environment (vitest runs this file in a
    // child process of its own, so this reaches the native side).
    process.env.DBUS_SESSION_BUS_ADDRESS = session.bus;
  });
  afterAll(async () => {
    if (savedBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedBus;
    await session?.stop();
  });

  let store: CredentialStore;

  test('the keychain is found by a real round trip, silently, and the probe leaves nothing behind', async () => {
    const opened = await open({ DBUS_SESSION_BUS_ADDRESS: session.bus });
    store = opened.store;
    expect(store.kind).toBe('keychain');
    expect(store.location).toBe('Secret Service (service "mcpwire")');
    expect(opened.lines).toEqual([]);
    expect(opened.ms).toBeLessThan(2000);
    const all = await searchAll();
    expect(all.stdout + all.stderr).not.toContain('.probe-');
    expect(nodeFs.existsSync(path.join(opened.p.env.MCPWIRE_CONFIG_DIR!, 'credentials.json'))).toBe(false);
  });

  test('set: one item, attributes service=mcpwire and username=NAME, the secret a JSON string', async () => {
    await store.set('pelcro', cred(1));
    const got = await lookup('pelcro');
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual(cred(1));

    const item = await run('secret-tool', ['search', '--all', 'service', 'mcpwire', 'username', 'pelcro'], session.env);
    const text = item.stdout + item.stderr;
    expect(text.split('\n').filter((l) => l.startsWith('attribute.'))).toEqual(['attribute.service = mcpwire', 'attribute.username = pelcro']);
    expect(text).toContain('label = keyring:pelcro@mcpwire');
    expect(text.match(ITEM)).toHaveLength(1);

    // keytar's attribute name is `account`: not what keyring-rs writes.
    expect((await lookup('pelcro', 'account')).code).not.toBe(0);
  });

  test('get gives back exactly what was stored; set again replaces it (still one item)', async () => {
    expect(await store.get('pelcro')).toEqual(cred(1));
    await store.set('pelcro', { ...cred(1), accessToken: 'rotated', refreshToken: 'rotated-refresh' });
    expect(await store.get('pelcro')).toEqual({ ...cred(1), accessToken: 'rotated', refreshToken: 'rotated-refresh' });
    expect(JSON.parse((await lookup('pelcro')).stdout).refreshToken).toBe('rotated-refresh');
    const item = await run('secret-tool', ['search', '--all', 'service', 'mcpwire', 'username', 'pelcro'], session.env);
    expect((item.stdout + item.stderr).match(ITEM)).toHaveLength(1);
    expect(await store.get('nobody')).toBeUndefined();
  });

  test('an item written by secret-tool (same attributes) is read by mcpwire', async () => {
    const r = await run(
      'secret-tool',
      ['store', '--label=mcpwire pelcro-acme', 'service', 'mcpwire', 'username', 'pelcro-acme'],
      session.env,
      JSON.stringify(cred(2)),
    );
    expect(r.code).toBe(0);
    expect(await store.get('pelcro-acme')).toEqual(cred(2));
  });

  test('list: the account names, sorted, nothing else', async () => {
    await store.set('peel', cred(3));
    expect(await store.list()).toEqual(['peel', 'pelcro', 'pelcro-acme']);
  });

  test('a second command (a new store, a new probe) sees the same items', async () => {
    const again = await open({ DBUS_SESSION_BUS_ADDRESS: session.bus, MCPWIRE_CREDENTIAL_STORE: 'keychain' });
    expect(again.store.kind).toBe('keychain');
    expect(await again.store.get('peel')).toEqual(cred(3));
  });

  test('delete: true, then false; the item is gone for secret-tool too', async () => {
    expect(await store.delete('pelcro')).toBe(true);
    expect(await store.delete('pelcro')).toBe(false);
    expect(await store.get('pelcro')).toBeUndefined();
    expect((await lookup('pelcro')).code).not.toBe(0);
    expect(await store.list()).toEqual(['peel', 'pelcro-acme']);
    expect(await store.delete('peel')).toBe(true);
    expect(await store.delete('pelcro-acme')).toBe(true);
    expect(await store.list()).toEqual([]);
    const all = await searchAll();
    expect((all.stdout + all.stderr).match(ITEM)).toBeNull();
  });

  test('a Secret Service without an unlocked keyring (only D-Bus activation): the file, announced', async () => {
    const bare = await startSession('bare', false);
    try {
      const { store: s, lines, ms } = await open({ DBUS_SESSION_BUS_ADDRESS: bare.bus });
      expect(s.kind).toBe('file');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('no OS keychain (');
      expect(ms).toBeLessThan(3500);
    } finally {
      await bare.stop();
    }
  });
});

describe.skipIf(missing.length > 0)('auth login with the real keychain (the CLI, gnome-keyring, secret-tool)', () => {
  let session: Session;
  let srv: OAuthServer;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    session = await startSession('auth-login', true);
    srv = await startOAuthServer();
    const home = nodeFs.mkdtempSync(path.join(tmpRoot, 'cli-'));
    const follow = path.join(ROOT, 'test', 'integration', 'conformance', 'follow-redirects.cjs');
    // A scratch HOME for mcpwire's state; the keychain is the private session's.
    env = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      DBUS_SESSION_BUS_ADDRESS: session.bus,
      BROWSER: `${process.execPath} ${follow}`,
      NO_COLOR: '1',
    };
  });
  afterAll(async () => {
    await srv?.close();
    await session?.stop();
  });
  const cli = (args: string[]) => runCli(args, { env });

  test('the tokens go to the Secret Service (service=mcpwire, username=NAME), never to a file; logout removes them', async () => {
    const login = await cli(['auth', 'login', srv.url, '--name', 'pelcro-acme']);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/OS keychain/);
    expect(login.stderr).not.toMatch(/credentials file/); // no fallback announced
    const item = await run('secret-tool', ['lookup', 'service', 'mcpwire', 'username', 'pelcro-acme'], session.env);
    expect(item.code).toBe(0);
    const rec = JSON.parse(item.stdout);
    const access = rec.tokens[srv.issuer].access_token as string;
    expect(rec.url).toBe(srv.url);
    expect(nodeFs.existsSync(path.join(env.XDG_CONFIG_HOME!, 'mcpwire', 'credentials.json'))).toBe(false);
    // The token is in no file under HOME (state, caches, anything).
    const files = (dir: string): string[] =>
      nodeFs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : d.isFile() ? [path.join(dir, d.name)] : []));
    for (const f of files(env.HOME!)) expect(nodeFs.readFileSync(f, 'utf8'), f).not.toContain(access);

    const status = await cli(['auth', 'status', '--json']);
    expect(JSON.parse(status.stdout).accounts).toEqual([expect.objectContaining({ name: 'pelcro-acme', loggedIn: true, store: 'keychain' })]);
    expect((await cli(['auth', 'token', 'pelcro-acme'])).stdout.trim()).toBe(access);

    expect((await cli(['auth', 'logout', 'pelcro-acme'])).code).toBe(0);
    expect((await run('secret-tool', ['lookup', 'service', 'mcpwire', 'username', 'pelcro-acme'], session.env)).code).not.toBe(0);
    expect(srv.revoked).toContain(access);
  });
});
