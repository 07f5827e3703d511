/**
 * Where mcpwire keeps OAuth credentials (tokens, expiry, scopes, issuer, client registration), and
 * the choice between the two stores: the OS keychain (./keychain.ts) by default; when none is
 * reachable (a headless Linux box without a Secret Service, a locked keychain that would only answer
 * through a password prompt) the 0600 file (./file.ts), and the caller is told once per command, in
 * one line, through `announce`. `MCPWIRE_CREDENTIAL_STORE=keychain|file` forces one; forcing the
 * keychain when none is reachable is an error that says how to fix it.
 *
 * Nothing here logs, prints or puts a secret into an error message.
 */
import { UserError } from '../../errors.js';
import { envOr, stateDir, type Platform } from '../../platform.js';
import { printable, tildify } from '../../ui.js';
import { CREDENTIALS_FILE, STORE_ENV, type CredentialStore, type KeychainBackend } from './common.js';
import { FileCredentialStore } from './file.js';
import { DEFAULT_OP_TIMEOUT_MS, KeychainCredentialStore, napiKeychain } from './keychain.js';

export { CREDENTIALS_FILE, KEYCHAIN_SERVICE, STORE_ENV, type CredentialStore, type KeychainBackend, type StoredCredential } from './common.js';
export { napiKeychain } from './keychain.js';

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

const DEFAULT_PROBE_TIMEOUT_MS = 2000;

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
    throw new UserError(`${STORE_ENV}=keychain, but no OS keychain is reachable: ${printable(reason)}.`, {
      exitCode: 1,
      fix: `${keychainFix(p)}, or set ${STORE_ENV}=file to keep credentials in ${file} (readable only by you).`,
    });
  }
  // One short line (a note, not an error): the full reason is in `fallbackReason`, for `auth status` and doctor.
  opts.announce(`mcpwire: no OS keychain (${noteReason(reason)}); tokens kept in ${tildify(p, file)}, mode 0600. ${STORE_ENV}=file hides this note.`);
  return new FileCredentialStore(p, file, reason);
}

/** The reason as the note shows it: one printable line of at most 40 characters. */
function noteReason(reason: string): string {
  const line = printable(reason.split('\n')[0].trim());
  return line.length > 40 ? line.slice(0, 39) + '…' : line;
}

function forcedStore(p: Platform): 'keychain' | 'file' | undefined {
  const raw = envOr(p, STORE_ENV);
  if (raw === undefined) return undefined;
  const v = raw.trim().toLowerCase();
  if (v === 'keychain' || v === 'file') return v;
  throw new UserError(`${STORE_ENV} must be "keychain" or "file", not "${printable(raw)}".`, {
    exitCode: 2,
    fix: `Set ${STORE_ENV}=keychain or ${STORE_ENV}=file, or unset it (mcpwire then uses the OS keychain, or a file when none is reachable).`,
  });
}

function keychainFix(p: Platform): string {
  if (p.os === 'darwin') return 'Unlock the login keychain (`security unlock-keychain`)';
  if (p.os === 'win32') return 'Check that the Credential Manager service (VaultSvc) is running';
  return (
    'Run a Secret Service in your D-Bus session (gnome-keyring or KeePassXC; on a headless machine: ' +
    '`dbus-run-session -- sh -c \'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets; exec "$SHELL"\'`)'
  );
}

/** Linux without any session bus: no need to start a probe. */
function noBusReason(p: Platform): string | undefined {
  if (p.os !== 'linux' || envOr(p, 'DBUS_SESSION_BUS_ADDRESS')) return undefined;
  const runtime = envOr(p, 'XDG_RUNTIME_DIR') ?? (typeof process.getuid === 'function' ? `/run/user/${process.getuid()}` : undefined);
  if (runtime && p.fs.existsSync(p.path.join(runtime, 'bus'))) return undefined; // zbus finds it there
  return 'no D-Bus session bus';
}

async function probeReason(backend: KeychainBackend, timeoutMs: number): Promise<string | undefined> {
  const r = await backend.probe(timeoutMs);
  return r.ok ? undefined : r.reason;
}
