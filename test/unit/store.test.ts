/**
 * The credential store without a real keychain: the file store on a real temp folder (modes are
 * real), the choice between keychain and file with a fake keychain, forced modes and their errors.
 * The real keychain is test/integration/keychain.test.ts.
 */
import nodeFs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Volume, createFsFromVolume } from 'memfs';
import { openCredentialStore, type KeychainBackend } from '../../src/auth/store/index.js';
import { UserError } from '../../src/errors.js';
import type { Fs, OS, Platform } from '../../src/platform.js';
import { fakePlatform } from '../fake-platform.js';

let tmp: string;
beforeEach(() => {
  tmp = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-store-'));
});
afterEach(() => {
  nodeFs.rmSync(tmp, { recursive: true, force: true });
});

function platform(env: Record<string, string> = {}, o: { os?: OS; fs?: Fs } = {}): Platform {
  return fakePlatform({
    os: o.os ?? 'linux',
    home: tmp,
    fs: o.fs ?? nodeFs,
    env: { MCPWIRE_CONFIG_DIR: path.join(tmp, 'state'), ...env },
    pid: process.pid,
  });
}

const stateDirOf = () => path.join(tmp, 'state');
const fileOf = () => path.join(stateDirOf(), 'credentials.json');
const mode = (f: string) => nodeFs.statSync(f).mode & 0o777;

/** A keychain in memory; `reachable: false` makes the probe fail with `reason`. */
function fakeKeychain(o: { reachable: boolean; reason?: string }) {
  const items = new Map<string, string>();
  let probes = 0;
  const backend: KeychainBackend = {
    description: 'Fake keychain',
    async probe() {
      probes++;
      return o.reachable ? { ok: true } : { ok: false, reason: o.reason ?? 'nothing there' };
    },
    async getPassword(a) {
      return items.get(a) ?? null;
    },
    async setPassword(a, s) {
      items.set(a, s);
    },
    async deletePassword(a) {
      return items.delete(a);
    },
    async accounts() {
      return [...items.keys()];
    },
  };
  return { backend, items, probes: () => probes };
}

const cred = (n = 1) => ({
  accessToken: `at-${n}-SECRET`,
  refreshToken: `rt-${n}-SECRET`,
  expiresAt: '2030-01-01T00:00:00.000Z',
  scopes: ['read', 'write'],
  issuer: 'https://auth.example.com',
  client: { clientId: 'cid', redirectUri: 'http://127.0.0.1:33418/callback' },
});

async function rejection(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a rejection');
}

describe('file store', () => {
  test('forced by MCPWIRE_CREDENTIAL_STORE=file: no probe, no note', async () => {
    const kc = fakeKeychain({ reachable: true });
    const lines: string[] = [];
    const store = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'file' }), announce: (l) => lines.push(l), keychain: kc.backend });
    expect(store.kind).toBe('file');
    expect(store.location).toBe(fileOf());
    expect(store.fallbackReason).toBeUndefined();
    expect(kc.probes()).toBe(0);
    expect(lines).toEqual([]);
  });

  test('the value is case- and space-tolerant', async () => {
    const store = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: ' File ' }), announce: () => {} });
    expect(store.kind).toBe('file');
  });

  test('round trip; the file is 0600 in a 0700 folder; list is sorted; delete says whether it deleted', async () => {
    const store = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'file' }), announce: () => {} });
    expect(await store.get('pelcro')).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect(nodeFs.existsSync(fileOf())).toBe(false); // reading creates nothing

    await store.set('pelcro-acme', cred(2));
    await store.set('pelcro', cred(1));
    expect(mode(fileOf())).toBe(0o600);
    expect(mode(stateDirOf())).toBe(0o700);
    expect(await store.get('pelcro')).toEqual(cred(1));
    expect(await store.get('pelcro-acme')).toEqual(cred(2));
    expect(await store.list()).toEqual(['pelcro', 'pelcro-acme']);

    const doc = JSON.parse(nodeFs.readFileSync(fileOf(), 'utf8'));
    expect(doc).toEqual({ version: 1, credentials: { pelcro: cred(1), 'pelcro-acme': cred(2) } });

    await store.set('pelcro', { ...cred(1), accessToken: 'rotated' });
    expect((await store.get('pelcro'))?.accessToken).toBe('rotated');

    expect(await store.delete('pelcro')).toBe(true);
    expect(await store.delete('pelcro')).toBe(false);
    expect(await store.list()).toEqual(['pelcro-acme']);
    expect(mode(fileOf())).toBe(0o600);

    // Nothing left behind: no temp file, no lock. The lock's owner note stays (written over in place by
    // the next holder; it speaks only for the lock folder it names): private, and no secret in it.
    expect(
      nodeFs
        .readdirSync(stateDirOf())
        .filter((f) => f !== 'locks')
        .sort(),
    ).toEqual(['credentials.json']);
    const notes = nodeFs.readdirSync(path.join(stateDirOf(), 'locks'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/\.owner$/);
    const note = path.join(stateDirOf(), 'locks', notes[0]);
    expect(mode(note)).toBe(0o600);
    expect(Object.keys(JSON.parse(nodeFs.readFileSync(note, 'utf8'))).filter((k) => k !== 'start')).toEqual(['pid', 'ino', 'mtimeMs']);
    expect(nodeFs.readFileSync(note, 'utf8')).not.toMatch(/rotated|secret|token/i);
  });

  test('a credentials file that someone made readable by others becomes 0600 on the next write', async () => {
    nodeFs.mkdirSync(stateDirOf(), { recursive: true });
    nodeFs.writeFileSync(fileOf(), JSON.stringify({ version: 1, credentials: { old: cred(9) } }));
    nodeFs.chmodSync(fileOf(), 0o644);
    const store = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'file' }), announce: () => {} });
    await store.set('pelcro', cred(1));
    expect(mode(fileOf())).toBe(0o600);
    expect(await store.list()).toEqual(['old', 'pelcro']);
  });

  test('atomic: a write that fails half-way (disk full) leaves the previous file whole and no temp file', async () => {
    const ok = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'file' }), announce: () => {} });
    await ok.set('pelcro', cred(1));
    const before = nodeFs.readFileSync(fileOf(), 'utf8');

    let writes = 0;
    const fullDisk: Fs = {
      ...nodeFs,
      writeSync: ((fd: number, buf: Buffer, off?: number, len?: number) => {
        if (++writes > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return nodeFs.writeSync(fd, buf, off ?? 0, Math.min(len ?? buf.length, 16)); // a short write first
      }) as Fs['writeSync'],
    };
    const broken = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'file' }, { fs: fullDisk }), announce: () => {} });
    await expect(broken.set('pelcro-acme', cred(2))).rejects.toThrow(/ENOSPC/);
    expect(writes).toBeGreaterThan(1);
    expect(nodeFs.readFileSync(fileOf(), 'utf8')).toBe(before);
    expect(nodeFs.readdirSync(stateDirOf()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(nodeFs.existsSync(path.join(stateDirOf(), 'credentials.lock'))).toBe(false); // released
    expect(await ok.list()).toEqual(['pelcro']);
  });

  test('writes go through a temp file renamed over, under the lock', async () => {
    const calls: string[] = [];
    const spy: Fs = {
      ...nodeFs,
      mkdirSync: ((p: string, o?: unknown) => {
        if (String(p).endsWith('credentials.lock')) calls.push('lock');
        return nodeFs.mkdirSync(p, o as nodeFs.MakeDirectoryOptions);
      }) as Fs['mkdirSync'],
      rmdirSync: ((p: string) => {
        if (String(p).endsWith('credentials.lock')) calls.push('unlock');
        return nodeFs.rmdirSync(p);
      }) as Fs['rmdirSync'],
      renameSync: ((a: string, b: string) => {
        calls.push(`rename ${path.basename(a).replace(/-[0-9a-f]{8}\.tmp$/, '-X.tmp')} -> ${path.basename(b)}`);
        return nodeFs.renameSync(a, b);
      }) as Fs['renameSync'],
    };
    const store = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'file' }, { fs: spy }), announce: () => {} });
    await store.set('pelcro', cred(1));
    expect(calls).toEqual(['lock', `rename .credentials.json.mcpwire-${process.pid}-X.tmp -> credentials.json`, 'unlock']);
    calls.length = 0;
    expect(await store.delete('nothing-here')).toBe(false);
    expect(calls).toEqual(['lock', 'unlock']); // nothing to change: no write
  });

  test('works on an in-memory file system too (memfs)', async () => {
    const fs = createFsFromVolume(Volume.fromJSON({})) as unknown as Fs;
    const p = fakePlatform({ os: 'linux', home: '/home/ada', fs, env: { MCPWIRE_CREDENTIAL_STORE: 'file' } });
    const store = await openCredentialStore({ platform: p, announce: () => {} });
    expect(store.location).toBe('/home/ada/.config/mcpwire/credentials.json');
    await store.set('pelcro', cred(1));
    expect(await store.get('pelcro')).toEqual(cred(1));
    expect(fs.statSync('/home/ada/.config/mcpwire/credentials.json').mode & 0o777).toBe(0o600);
  });

  test('a damaged file is refused without quoting it (it may hold a token)', async () => {
    nodeFs.mkdirSync(stateDirOf(), { recursive: true });
    nodeFs.writeFileSync(fileOf(), '{"version":1,"credentials":{"pelcro":{"accessToken":"eyJSECRETTOKEN"', { mode: 0o600 });
    const store = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'file' }), announce: () => {} });
    const e = await rejection(store.get('pelcro'));
    expect(e.message).toContain(fileOf());
    expect(e.message + (e.fix ?? '')).not.toContain('SECRET');
    expect(e.fix).toMatch(/Move .* aside/);
    await rejection(store.set('pelcro', cred(1))); // never overwritten blindly
    expect(nodeFs.readFileSync(fileOf(), 'utf8')).toContain('eyJSECRETTOKEN');
  });

  test('bad names are bad input (exit 2)', async () => {
    const store = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'file' }), announce: () => {} });
    for (const bad of ['', '.probe-1', 'a\nb', 'x'.repeat(201)]) {
      const e = await rejection(store.set(bad, cred(1)));
      expect(e.exitCode).toBe(2);
    }
  });

  test('a value that is not a JSON object is refused', async () => {
    const store = await openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'file' }), announce: () => {} });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await rejection(store.set('pelcro', circular));
    expect(nodeFs.existsSync(fileOf())).toBe(false);
  });
});

describe('choosing the store', () => {
  test('a reachable keychain is used, silently', async () => {
    const kc = fakeKeychain({ reachable: true });
    const lines: string[] = [];
    const store = await openCredentialStore({
      platform: platform({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }),
      announce: (l) => lines.push(l),
      keychain: kc.backend,
    });
    expect(store.kind).toBe('keychain');
    expect(store.location).toBe('Fake keychain');
    expect(lines).toEqual([]);
    await store.set('pelcro', cred(1));
    expect(JSON.parse(kc.items.get('pelcro')!)).toEqual(cred(1)); // one JSON string per entry
    expect(await store.get('pelcro')).toEqual(cred(1));
    kc.items.set('.probe-123-abcd', 'left by a killed probe');
    expect(await store.list()).toEqual(['pelcro']);
    expect(await store.delete('pelcro')).toBe(true);
    expect(await store.delete('pelcro')).toBe(false);
    expect(nodeFs.existsSync(fileOf())).toBe(false);
  });

  test('a damaged keychain item is reported without its content', async () => {
    const kc = fakeKeychain({ reachable: true });
    kc.items.set('pelcro', 'not json SECRET');
    const store = await openCredentialStore({
      platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'keychain', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }),
      announce: () => {},
      keychain: kc.backend,
    });
    const e = await rejection(store.get('pelcro'));
    expect(e.message).not.toContain('SECRET');
    expect(e.fix).toContain('mcpwire auth logout pelcro');
  });

  test('no keychain: the file store, announced once per command (per platform object)', async () => {
    const kc = fakeKeychain({ reachable: false, reason: 'Secret Service: no result found' });
    const lines: string[] = [];
    const p = platform({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' });
    const a = await openCredentialStore({ platform: p, announce: (l) => lines.push(l), keychain: kc.backend });
    const b = await openCredentialStore({ platform: p, announce: (l) => lines.push(l), keychain: kc.backend });
    expect(b).toBe(a);
    expect(a.kind).toBe('file');
    expect(a.fallbackReason).toBe('Secret Service: no result found');
    expect(kc.probes()).toBe(1);
    expect(lines).toHaveLength(1);
    // One short line: the reason, where the tokens go (the path as people write it), how to hide it.
    expect(lines[0]).toBe(
      'mcpwire: no OS keychain (Secret Service: no result found); tokens kept in ~/state/credentials.json, mode 0600. MCPWIRE_CREDENTIAL_STORE=file hides this note.',
    );
    await a.set('pelcro', cred(1));
    expect(mode(fileOf())).toBe(0o600);
    expect(lines).toHaveLength(1);

    // The next command (a new platform object) is told again.
    await openCredentialStore({ platform: platform({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }), announce: (l) => lines.push(l), keychain: kc.backend });
    expect(lines).toHaveLength(2);
  });

  test('Linux without any session bus: no probe at all', async () => {
    const kc = fakeKeychain({ reachable: true });
    const lines: string[] = [];
    const store = await openCredentialStore({ platform: platform({ XDG_RUNTIME_DIR: tmp }), announce: (l) => lines.push(l), keychain: kc.backend });
    expect(store.kind).toBe('file');
    expect(kc.probes()).toBe(0);
    expect(lines[0]).toContain('(no D-Bus session bus)');
  });

  test('the note stays one line whatever the keychain said (a long, multi-line, hostile reason)', async () => {
    const kc = fakeKeychain({
      reachable: false,
      reason: '\u001b[2Jorg.freedesktop.DBus.Error.ServiceUnknown: the name org.freedesktop.secrets was not provided by any .service files\nsecond line',
    });
    const lines: string[] = [];
    const store = await openCredentialStore({
      platform: platform({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }),
      announce: (l) => lines.push(l),
      keychain: kc.backend,
    });
    expect(store.kind).toBe('file');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\n\u001b]/);
    expect(lines[0]).toContain('\\x1b[2J');
    expect(lines[0].length).toBeLessThanOrEqual(170);
  });

  test('Linux with the bus at $XDG_RUNTIME_DIR/bus: probed', async () => {
    nodeFs.writeFileSync(path.join(tmp, 'bus'), '');
    const kc = fakeKeychain({ reachable: true });
    const store = await openCredentialStore({ platform: platform({ XDG_RUNTIME_DIR: tmp }), announce: () => {}, keychain: kc.backend });
    expect(store.kind).toBe('keychain');
    expect(kc.probes()).toBe(1);
  });

  test('macOS and Windows are always probed (no D-Bus there)', async () => {
    for (const o of ['darwin', 'win32'] as const) {
      const kc = fakeKeychain({ reachable: true });
      const store = await openCredentialStore({ platform: platform({}, { os: o }), announce: () => {}, keychain: kc.backend });
      expect(store.kind).toBe('keychain');
      expect(kc.probes()).toBe(1);
    }
  });

  test('forcing the keychain when none is reachable is an error that says how to fix it', async () => {
    const kc = fakeKeychain({ reachable: false, reason: 'the keychain did not answer within 2 s (locked, or waiting for a password prompt)' });
    const lines: string[] = [];
    const e = await rejection(
      openCredentialStore({
        platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'keychain', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }),
        announce: (l) => lines.push(l),
        keychain: kc.backend,
      }),
    );
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe(
      'MCPWIRE_CREDENTIAL_STORE=keychain, but no OS keychain is reachable: the keychain did not answer within 2 s (locked, or waiting for a password prompt).',
    );
    expect(e.fix).toContain('gnome-keyring-daemon --unlock --components=secrets');
    expect(e.fix).toContain(`MCPWIRE_CREDENTIAL_STORE=file to keep credentials in ${fileOf()}`);
    expect(lines).toEqual([]);
    expect(nodeFs.existsSync(fileOf())).toBe(false);

    const noBus = await rejection(
      openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'keychain', XDG_RUNTIME_DIR: tmp }), announce: () => {}, keychain: kc.backend }),
    );
    expect(noBus.message).toContain('no D-Bus session bus');

    const mac = await rejection(
      openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'keychain' }, { os: 'darwin' }), announce: () => {}, keychain: kc.backend }),
    );
    expect(mac.fix).toContain('security unlock-keychain');
    const win = await rejection(
      openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'keychain' }, { os: 'win32' }), announce: () => {}, keychain: kc.backend }),
    );
    expect(win.fix).toContain('Credential Manager');
  });

  test('forcing the keychain when it is reachable uses it', async () => {
    const kc = fakeKeychain({ reachable: true });
    const store = await openCredentialStore({
      platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'keychain', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }),
      announce: () => {},
      keychain: kc.backend,
    });
    expect(store.kind).toBe('keychain');
  });

  test('an unknown MCPWIRE_CREDENTIAL_STORE is bad input (exit 2)', async () => {
    const e = await rejection(openCredentialStore({ platform: platform({ MCPWIRE_CREDENTIAL_STORE: 'vault' }), announce: () => {} }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('MCPWIRE_CREDENTIAL_STORE must be "keychain" or "file", not "vault".');
    expect(e.fix).toContain('MCPWIRE_CREDENTIAL_STORE=keychain or MCPWIRE_CREDENTIAL_STORE=file');
  });

  test('an empty MCPWIRE_CREDENTIAL_STORE counts as unset', async () => {
    const kc = fakeKeychain({ reachable: true });
    const store = await openCredentialStore({
      platform: platform({ MCPWIRE_CREDENTIAL_STORE: '', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }),
      announce: () => {},
      keychain: kc.backend,
    });
    expect(store.kind).toBe('keychain');
  });
});
