/**
 * The credentials file: `<stateDir>/credentials.json`, mode 0600, written atomically under a lock,
 * used when no keychain is reachable (or when MCPWIRE_CREDENTIAL_STORE=file says so).
 */
import { acquireLock } from '../../files/lock.js';
import { atomicWrite, readText } from '../../files/io.js';
import { UserError } from '../../errors.js';
import type { Platform } from '../../platform.js';
import { checkAccount, parseCredential, serialise, type CredentialStore, type StoredCredential } from './common.js';
import { parseJsonText } from '../../json-text.js';

interface CredentialsFileV1 {
  version: 1;
  credentials: Record<string, StoredCredential>;
}

export class FileCredentialStore implements CredentialStore {
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
      doc = parseJsonText(text);
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
