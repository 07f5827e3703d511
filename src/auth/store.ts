/**
 * Where mcpwire keeps OAuth credentials (tokens, expiry, scopes, issuer, client registration).
 *
 * Default: the OS keychain through @napi-rs/keyring (macOS Keychain, Windows Credential Manager, the
 * Secret Service on Linux: gnome-keyring, KeePassXC, KWallet's bridge). One item per entry name:
 * service `mcpwire`, account = the entry name (`pelcro`, `pelcro-acme`), secret = a JSON string: the
 * names keytar used. On Linux the item's attributes are `service` and `username` (keyring-rs'
 * schema; keytar's was `service`/`account`), so `secret-tool lookup service mcpwire username pelcro`
 * prints it.
 *
 * When no keychain is reachable (a headless Linux box without a Secret Service, a locked keychain
 * that would only answer through a password prompt) the credentials go to `<stateDir>/credentials.json`
 * (mode 0600, written atomically under a lock), and the caller is told once per command through
 * `announce`. `MCPWIRE_CREDENTIAL_STORE=keychain|file` forces one; forcing the keychain when none is
 * reachable is an error that says how to fix it.
 *
 * Reachability is decided by a real round trip (set, get, delete of a probe item) in a child process
 * that is killed after ~2 s: a Secret Service that never answers blocks the native module inside its
 * (synchronous) constructor, which no timer in this process could interrupt. The keychain module is
 * only ever imported here, lazily, so other commands never load it.
 *
 * Nothing here logs, prints or puts a secret into an error message.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { UserError } from '../errors.js';
import { acquireLock } from '../files/lock.js';
import { atomicWrite, readText } from '../files/io.js';
import { envOr, stateDir, type Platform } from '../platform.js';

/** A JSON-serialisable credential record; its shape belongs to the auth module. */
export interface StoredCredential {
  [k: string]: unknown;
}

export interface CredentialStore {
  kind: 'keychain' | 'file';
  /** For people: the file's path, or which keychain (for `auth status`, `doctor`). */
  readonly location: string;
  /** Why the file store is in use when the keychain was not reachable (undefined otherwise). */
  readonly fallbackReason?: string;
  get(account: string): Promise<StoredCredential | undefined>;
  set(account: string, value: StoredCredential): Promise<void>;
  /** true: something was deleted; false: there was nothing under that name. */
  delete(account: string): Promise<boolean>;
  /** Account names (never secrets), sorted. */
  list(): Promise<string[]>;
}

/** The keychain as this module uses it; replaceable in tests. */
export interface KeychainBackend {
  /** Which keychain, for people. */
  readonly description: string;
  /** A real round trip, bounded by timeoutMs. Never throws. */
  probe(timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }>;
  getPassword(account: string): Promise<string | null>;
  setPassword(account: string, secret: string): Promise<void>;
  deletePassword(account: string): Promise<boolean>;
  accounts(): Promise<string[]>;
}

export interface OpenCredentialStoreOptions {
  platform: Platform;
  /** Prints one line on stderr (the file fallback is announced once per command). */
  announce: (line: string) => void;
  /** Tests: a keychain other than the OS one. */
  keychain?: KeychainBackend;
  /** How long the probe may take (default 2000 ms). */
  probeTimeoutMs?: number;
  /** How long one keychain operation may take once the probe succeeded (default 10000 ms). */
  opTimeoutMs?: number;
}

export const KEYCHAIN_SERVICE = 'mcpwire';
export const CREDENTIALS_FILE = 'credentials.json';
export const STORE_ENV = 'MCPWIRE_CREDENTIAL_STORE';
const PROBE_PREFIX = '.probe-';
const DEFAULT_PROBE_TIMEOUT_MS = 2000;
const DEFAULT_OP_TIMEOUT_MS = 10_000;

// One store per command: the probe runs and the fallback is announced once per platform object.
const opened = new WeakMap<Platform, Promise<CredentialStore>>();

export function openCredentialStore(opts: OpenCredentialStoreOptions): Promise<CredentialStore> {
  let p = opened.get(opts.platform);
  if (!p) {
    p = open(opts);
    opened.set(opts.platform, p);
    p.catch(() => opened.delete(opts.platform));
  }
  return p;
}

export function credentialsFile(platform: Platform): string {
  return platform.path.join(stateDir(platform), CREDENTIALS_FILE);
}

async function open(opts: OpenCredentialStoreOptions): Promise<CredentialStore> {
  const p = opts.platform;
  const file = credentialsFile(p);
  const forced = forcedStore(p);
  if (forced === 'file') return new FileCredentialStore(p, file);

  const backend = opts.keychain ?? napiKeychain(p, opts.opTimeoutMs ?? DEFAULT_OP_TIMEOUT_MS);
  const reason = noBusReason(p) ?? (await probeReason(backend, opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS));
  if (reason === undefined) return new KeychainCredentialStore(backend);
  if (forced === 'keychain') {
    throw new UserError(`${STORE_ENV}=keychain, but no OS keychain is reachable: ${reason}.`, {
      exitCode: 1,
      fix: `${keychainFix(p)}, or set ${STORE_ENV}=file to keep credentials in ${file} (readable only by you).`,
    });
  }
  opts.announce(
    `mcpwire: no OS keychain reachable (${reason}); credentials are kept in ${file} (readable only by you). ` +
      `Set ${STORE_ENV}=file to choose this without the note.`,
  );
  return new FileCredentialStore(p, file, reason);
}

function forcedStore(p: Platform): 'keychain' | 'file' | undefined {
  const raw = envOr(p, STORE_ENV);
  if (raw === undefined) return undefined;
  const v = raw.trim().toLowerCase();
  if (v === 'keychain' || v === 'file') return v;
  throw new UserError(`${STORE_ENV} must be "keychain" or "file", not "${raw}".`, {
    exitCode: 2,
    fix: `Set ${STORE_ENV}=keychain or ${STORE_ENV}=file, or unset it (mcpwire then uses the OS keychain, or a file when none is reachable).`,
  });
}

function keychainFix(p: Platform): string {
  if (p.os === 'darwin') return 'Unlock the login keychain (`security unlock-keychain`)';
  if (p.os === 'win32') return 'Check that the Credential Manager service (VaultSvc) is running';
  return (
    'Run a Secret Service in your D-Bus session (gnome-keyring or KeePassXC; on a headless machine: ' +
    "`dbus-run-session -- sh -c 'printf %s \"$KEYRING_PASSWORD\" | gnome-keyring-daemon --unlock --components=secrets; exec \"$SHELL\"'`)"
  );
}

/** Linux without any session bus: no need to start a probe. */
function noBusReason(p: Platform): string | undefined {
  if (p.os !== 'linux' || envOr(p, 'DBUS_SESSION_BUS_ADDRESS')) return undefined;
  const runtime = envOr(p, 'XDG_RUNTIME_DIR') ?? (typeof process.getuid === 'function' ? `/run/user/${process.getuid()}` : undefined);
  if (runtime && p.fs.existsSync(p.path.join(runtime, 'bus'))) return undefined; // zbus finds it there
  return 'no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set';
}

async function probeReason(backend: KeychainBackend, timeoutMs: number): Promise<string | undefined> {
  const r = await backend.probe(timeoutMs);
  return r.ok ? undefined : r.reason;
}

function checkAccount(account: string): void {
  // Entry names are short labels (`pelcro`, `pelcro-acme`); names starting with "." are mcpwire's own.
  // eslint-disable-next-line no-control-regex
  if (typeof account !== 'string' || account === '' || account.length > 200 || account.startsWith('.') || /[\u0000-\u001f\u007f]/.test(account)) {
    throw new UserError(`"${String(account).replace(/[\u0000-\u001f\u007f]/g, '?')}" cannot name stored credentials.`, {
      exitCode: 2,
      fix: 'Use a short name of letters, digits and dashes (the entry name, e.g. pelcro or pelcro-acme).',
    });
  }
}

function parseCredential(text: string, where: string, account: string): StoredCredential {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    // Not the content: it is a secret.
    throw new UserError(`The credentials stored for "${account}" in ${where} are damaged.`, {
      exitCode: 1,
      fix: `Run \`mcpwire auth logout ${account}\`, then \`mcpwire auth login\` again.`,
    });
  }
  return v as StoredCredential;
}

function serialise(value: StoredCredential, account: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined || !text.startsWith('{')) {
    throw new UserError(`The credentials for "${account}" are not a JSON object; nothing was stored.`, { exitCode: 1 });
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Keychain

class KeychainCredentialStore implements CredentialStore {
  readonly kind = 'keychain' as const;
  readonly location: string;
  constructor(private readonly k: KeychainBackend) {
    this.location = k.description;
  }

  async get(account: string): Promise<StoredCredential | undefined> {
    checkAccount(account);
    const text = await this.k.getPassword(account);
    return text === null ? undefined : parseCredential(text, this.location, account);
  }

  async set(account: string, value: StoredCredential): Promise<void> {
    checkAccount(account);
    await this.k.setPassword(account, serialise(value, account));
  }

  async delete(account: string): Promise<boolean> {
    checkAccount(account);
    return this.k.deletePassword(account);
  }

  async list(): Promise<string[]> {
    const names = await this.k.accounts();
    return [...new Set(names.filter((n) => n !== '' && !n.startsWith('.')))].sort();
  }
}

type KeyringModule = typeof import('@napi-rs/keyring');

/**
 * `require` for the native keychain module: the bundle's own in the built CLI (CommonJS, run through
 * vm.Script, where a dynamic import() of an external module is not available), else one made from
 * this ES module's URL (tests running the sources).
 */
const localRequire: NodeJS.Require = typeof require === 'function' ? require : createRequire(import.meta.url);

/** Entry options: on Linux, the Secret Service only (the kernel keyring forgets at logout). */
function entryOptions(p: Platform): import('@napi-rs/keyring').EntryOptions | undefined {
  return p.os === 'linux' ? { linux: { store: 'secret-service' } } : undefined;
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 200 ? line.slice(0, 197) + '...' : line.trim();
}

/** The OS keychain through @napi-rs/keyring. */
export function napiKeychain(p: Platform, opTimeoutMs = DEFAULT_OP_TIMEOUT_MS): KeychainBackend {
  const description =
    p.os === 'darwin' ? 'macOS Keychain' : p.os === 'win32' ? 'Windows Credential Manager' : 'Secret Service';
  const label = `${description} (service "${KEYCHAIN_SERVICE}")`;
  let mod: Promise<KeyringModule> | undefined;
  const load = (): Promise<KeyringModule> =>
    (mod ??= Promise.resolve().then(() => {
      const m = localRequire('@napi-rs/keyring') as KeyringModule;
      return (m as { AsyncEntry?: unknown }).AsyncEntry ? m : (m as unknown as { default: KeyringModule }).default;
    }));

  async function op<T>(what: string, account: string | undefined, run: (k: KeyringModule, signal: AbortSignal) => Promise<T>): Promise<T> {
    const k = await load();
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(
          new UserError(`The ${description} did not answer within ${Math.round(opTimeoutMs / 1000)} s (${what}${account ? ` "${account}"` : ''}).`, {
            exitCode: 1,
            fix: `Unlock the keychain and try again, or set ${STORE_ENV}=file.`,
          }),
        );
      }, opTimeoutMs);
    });
    try {
      return await Promise.race([run(k, ac.signal), timeout]);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`The ${description} refused to ${what}${account ? ` "${account}"` : ''}: ${firstLine(String((e as Error)?.message ?? e))}.`, {
        exitCode: 1,
        fix: `Unlock the keychain and try again, or set ${STORE_ENV}=file.`,
        cause: e,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  const entry = (k: KeyringModule, account: string) => new k.AsyncEntry(KEYCHAIN_SERVICE, account, entryOptions(p));

  return {
    description: label,
    probe: (timeoutMs) => probeInChild(p, timeoutMs),
    getPassword: (account) => op('read', account, (k, signal) => entry(k, account).getPassword(signal)),
    setPassword: (account, secret) => op('store', account, (k, signal) => entry(k, account).setPassword(secret, signal)),
    deletePassword: (account) => op('delete', account, (k, signal) => entry(k, account).deletePassword(signal)),
    accounts: () =>
      op('list', undefined, async (k, signal) => (await k.findCredentialsAsync(KEYCHAIN_SERVICE, undefined, signal)).map((c) => c.account)),
  };
}

// The probe, run by `node -e` with the module's absolute path, a probe account and the Linux store.
// It prints one JSON line and nothing else; the probe value is random, never a real secret.
const PROBE_SCRIPT = `
const [modPath, service, account, linuxStore] = process.argv.slice(1);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
(async () => {
  const k = require(modPath);
  const e = new k.AsyncEntry(service, account, linuxStore ? { linux: { store: linuxStore } } : undefined);
  const value = require('node:crypto').randomBytes(12).toString('hex');
  await e.setPassword(value);
  const back = await e.getPassword();
  await e.deletePassword();
  out(back === value ? { ok: true } : { ok: false, reason: 'the keychain did not give back what was stored' });
})().catch((err) => out({ ok: false, reason: String((err && err.message) || err) }));
`;

function probeInChild(p: Platform, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  let modPath: string;
  try {
    modPath = localRequire.resolve('@napi-rs/keyring');
  } catch {
    return Promise.resolve({ ok: false, reason: 'the keychain module @napi-rs/keyring is not installed' });
  }
  const account = `${PROBE_PREFIX}${p.pid}-${randomBytes(4).toString('hex')}`;
  const args = ['-e', PROBE_SCRIPT, modPath, KEYCHAIN_SERVICE, account, p.os === 'linux' ? 'secret-service' : ''];
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let done = false;
    const finish = (r: { ok: true } | { ok: false; reason: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn(p.execPath, args, {
      env: { ...p.env, NODE_OPTIONS: '' } as NodeJS.ProcessEnv,
      cwd: p.path.dirname(modPath),
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, reason: `the keychain did not answer within ${(timeoutMs / 1000).toFixed(timeoutMs % 1000 ? 1 : 0)} s (locked, or waiting for a password prompt)` });
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    child.on('error', (e) => finish({ ok: false, reason: `could not start the keychain probe: ${e.message}` }));
    child.on('close', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        try {
          const r = JSON.parse(line) as { ok: boolean; reason?: string };
          if (r.ok) return finish({ ok: true });
          return finish({ ok: false, reason: firstLine(r.reason ?? 'unknown error') });
        } catch {
          /* fall through */
        }
      }
      finish({ ok: false, reason: `the keychain probe ended without an answer (${signal ?? `exit ${code}`}${err.trim() ? `: ${firstLine(err)}` : ''})` });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// File

interface CredentialsFileV1 {
  version: 1;
  credentials: Record<string, StoredCredential>;
}

class FileCredentialStore implements CredentialStore {
  readonly kind = 'file' as const;
  private readonly dir: string;
  constructor(
    private readonly p: Platform,
    readonly location: string,
    readonly fallbackReason?: string,
  ) {
    this.dir = p.path.dirname(location);
  }

  private read(): Map<string, StoredCredential> {
    const text = readText(this.p, this.location);
    const map = new Map<string, StoredCredential>();
    if (text === null) return map;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    const creds = (doc as CredentialsFileV1 | undefined)?.credentials;
    if (doc === null || typeof doc !== 'object' || creds === null || typeof creds !== 'object' || Array.isArray(creds)) {
      // Never quote the parser: its message can hold a piece of a token.
      throw new UserError(`${this.location} is damaged (not mcpwire's credentials file).`, {
        exitCode: 1,
        fix: `Move ${this.location} aside and run \`mcpwire auth login\` again.`,
      });
    }
    for (const [k, v] of Object.entries(creds)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) map.set(k, v);
    }
    return map;
  }

  private update(fn: (m: Map<string, StoredCredential>) => boolean): void {
    const p = this.p;
    p.fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const lock = acquireLock(p, p.path.join(this.dir, 'credentials.lock'), { ownerDir: this.dir });
    try {
      const m = this.read();
      if (!fn(m)) return;
      const doc = { version: 1, credentials: Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
      atomicWrite(p, this.location, JSON.stringify(doc, null, 2) + '\n', true);
    } finally {
      lock.release();
    }
  }

  async get(account: string): Promise<StoredCredential | undefined> {
    checkAccount(account);
    return this.read().get(account);
  }

  async set(account: string, value: StoredCredential): Promise<void> {
    checkAccount(account);
    const v = parseCredential(serialise(value, account), this.location, account); // a plain copy
    this.update((m) => {
      m.set(account, v);
      return true;
    });
  }

  async delete(account: string): Promise<boolean> {
    checkAccount(account);
    let had = false;
    this.update((m) => {
      had = m.delete(account);
      return had;
    });
    return had;
  }

  async list(): Promise<string[]> {
    return [...this.read().keys()].sort();
  }
}
