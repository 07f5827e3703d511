/**
 * The OS keychain through @napi-rs/keyring (macOS Keychain, Windows Credential Manager, the Secret
 * Service on Linux), and the probe that decides whether it is reachable. One item per entry name:
 * service `mcpwire`, account = the entry name, secret = the record as a JSON string (keytar's names).
 * On Linux the item's attributes are `service` and `username` (keyring-rs' schema), so
 * `secret-tool lookup service mcpwire username pelcro` prints it.
 *
 * The probe is a real round trip (set, get, delete of a probe item) in a child process killed after
 * ~2 s: a Secret Service that never answers blocks the native module inside its (synchronous)
 * constructor, which no timer in this process could interrupt. The native module is only ever loaded
 * here, lazily, so other commands never load it. So are node:child_process and node:crypto (for the
 * probe only): loading them cost 13 ms of a 70 ms `setup` that reads its login from the file store.
 */
import { UserError } from '../../errors.js';
import type { Platform } from '../../platform.js';
import {
  checkAccount,
  firstLine,
  KEYCHAIN_SERVICE,
  parseCredential,
  serialise,
  STORE_ENV,
  type CredentialStore,
  type KeychainBackend,
  type StoredCredential,
} from './common.js';

const PROBE_PREFIX = '.probe-';
export const DEFAULT_OP_TIMEOUT_MS = 10_000;

export class KeychainCredentialStore implements CredentialStore {
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
const localRequire: NodeJS.Require = typeof require === 'function' ? require : process.getBuiltinModule('node:module').createRequire(import.meta.url);

/** Entry options: on Linux, the Secret Service only (the kernel keyring forgets at logout). */
function entryOptions(p: Platform): import('@napi-rs/keyring').EntryOptions | undefined {
  return p.os === 'linux' ? { linux: { store: 'secret-service' } } : undefined;
}

/** The OS keychain through @napi-rs/keyring. */
export function napiKeychain(p: Platform, opTimeoutMs = DEFAULT_OP_TIMEOUT_MS): KeychainBackend {
  const description = p.os === 'darwin' ? 'macOS Keychain' : p.os === 'win32' ? 'Windows Credential Manager' : 'Secret Service';
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
    accounts: () => op('list', undefined, async (k, signal) => (await k.findCredentialsAsync(KEYCHAIN_SERVICE, undefined, signal)).map((c) => c.account)),
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
  const account = `${PROBE_PREFIX}${p.pid}-${process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex')}`;
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
    const child = process.getBuiltinModule('node:child_process').spawn(p.execPath, args, {
      env: { ...p.env, NODE_OPTIONS: '' } as NodeJS.ProcessEnv,
      cwd: p.path.dirname(modPath),
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({
        ok: false,
        reason: `the keychain did not answer within ${(timeoutMs / 1000).toFixed(timeoutMs % 1000 ? 1 : 0)} s (locked, or waiting for a password prompt)`,
      });
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
