/**
 * What both credential stores share: the interfaces, the names mcpwire uses, and the checks on an
 * account name and on a record (serialised as JSON; never quoted in an error, it holds secrets).
 */
import { UserError } from '../../errors.js';
import { parseJsonText } from '../../json-text.js';

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

export const KEYCHAIN_SERVICE = 'mcpwire';
export const CREDENTIALS_FILE = 'credentials.json';
export const STORE_ENV = 'MCPWIRE_CREDENTIAL_STORE';

export function checkAccount(account: string): void {
  // Entry names are short labels (`pelcro`, `pelcro-acme`); names starting with "." are mcpwire's own.

  if (typeof account !== 'string' || account === '' || account.length > 200 || account.startsWith('.') || /[\u0000-\u001f\u007f]/.test(account)) {
    throw new UserError(`"${String(account).replace(/[\u0000-\u001f\u007f]/g, '?')}" cannot name stored credentials.`, {
      exitCode: 2,
      fix: 'Use a short name of letters, digits and dashes (the entry name, e.g. pelcro or pelcro-acme).',
    });
  }
}

export function parseCredential(text: string, where: string, account: string): StoredCredential {
  let v: unknown;
  try {
    v = parseJsonText(text);
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

export function serialise(value: StoredCredential, account: string): string {
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

/** The first non-empty line of a message, at most 200 characters (native errors can be long). */
export function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 200 ? line.slice(0, 197) + '...' : line.trim();
}
