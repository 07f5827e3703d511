/**
 * mcpwire's own state, in `$MCPWIRE_CONFIG_DIR` (default `~/.config/mcpwire`, `%APPDATA%\mcpwire`):
 *   state.json     one file (one atomic write per command) with
 *                    servers: servers it knows (name → url, headers by name/variable; never a secret value)
 *                    ledger:  what it wrote where, with the hints that let `remove` give back the original bytes
 *                    journal: the last write commands, for `mcpwire undo`: each as a short record
 *                             (id, time, command, backup bytes) whose details (the files, their
 *                             fingerprints, the ledger and server records as they were) are in
 *                             backups/<id>/journal.json, written and fsynced before state.json is
 *                             renamed (state.json stays the one commit point); entries written before
 *                             (and one that `undo --force` left behind) keep their details inline
 *   backups/       the previous bytes of every file it changed (0600, folder 0700)
 * Every update happens under a lock and is written atomically.
 */
import { ConfigParseError, UserError } from './errors.js';
import { acquireLock, lockEpoch, pidAlive, type Lock } from './files/lock.js';
import { atomicWrite, createTemp, discardTemps, LockLost, makePrivateDirs, readText, removeDeadTempFiles, type TempFile } from './files/io.js';
import type { InsertHint } from './edit/json.js';
import type { JournalFile } from './files/transaction.js';
import { isoTime, stateDir, type Platform } from './platform.js';
import { parseJsonText } from './json-text.js';

export interface LedgerRecord {
  target: string;
  scope: string;
  name: string;
  hint: InsertHint;
  /** VS Code: how the inputs array looked before (to give it back exactly). */
  inputsHint?: InsertHint;
  /** mcpwire created the file: removing its last entry deletes it again. */
  createdFile?: boolean;
  at: string;
}

/**
 * The ledger record of an entry a command has just added or updated: an added entry's own hints (and
 * whether its file was created now), an updated one keeps those recorded when it was first added.
 */
export function ledgerRecordFor(
  entry: { target: string; scope: string; name: string },
  r: { action: string; hint: InsertHint; inputsHint?: InsertHint },
  prev: LedgerRecord | undefined,
  fileCreated: boolean,
  now: number,
): LedgerRecord {
  return {
    ...entry,
    hint: r.action === 'added' ? r.hint : (prev?.hint ?? {}),
    inputsHint: r.inputsHint ?? prev?.inputsHint,
    createdFile: r.action === 'added' ? fileCreated || prev?.createdFile : prev?.createdFile,
    at: isoTime(now),
  };
}

/** One file of a journal entry (the file layer's record of a change). */
export type { JournalFile };

export interface JournalEntry {
  id: string;
  at: string;
  command: string;
  files: JournalFile[];
  /** Ledger records as they were before this command (null: absent), to restore on undo. */
  ledgerBefore: Record<string, LedgerRecord | null>;
  /**
   * mcpwire's records of the servers this command recorded, as they were before it (null: none) and as
   * it left them: undo puts back each record still as the command left it.
   */
  serversBefore?: Record<string, KnownServer | null>;
  serversAfter?: Record<string, KnownServer>;
  /**
   * `undo --force` restored the other files of this command; these were changed since and left as
   * they are. Kept (with their backups) for the user, skipped by the next undo.
   */
  undone?: boolean;
}

/** A journal entry as state.json keeps it: its details in backups/<id>/<detail>. */
export interface JournalRef {
  id: string;
  at: string;
  command: string;
  /** The bytes of its backups (the backup budget is counted without reading the details). */
  bytes: number;
  detail: string;
}

export type JournalRecord = JournalEntry | JournalRef;

/** The details' file in a command's backup folder (backups are named target-scope-file: no clash). */
export const JOURNAL_DETAIL = 'journal.json';

export function isJournalRef(j: JournalRecord): j is JournalRef {
  return typeof (j as JournalRef).detail === 'string' && !Array.isArray((j as JournalEntry).files);
}

const backupBytes = (j: JournalRecord): number =>
  isJournalRef(j) ? (Number.isFinite(j.bytes) ? j.bytes : 0) : j.files.reduce((n, f) => n + (f.backupSize ?? 0), 0);

export interface KnownServer {
  name: string;
  url: string;
  headers?: string[];
  headerEnvs?: Array<{ name: string; variable: string }>;
  addedAt: string;
  /** Recorded by `setup`: the preset environment (production, staging), the account label. */
  env?: string;
  account?: string;
  /** How mcpwire reaches it: its OAuth login, a static API key in the keychain, or no login at all. */
  auth?: 'oauth' | 'api-key' | 'none';
  /**
   * How each client connects, and in which file: one record per client and scope (clientKey), so a
   * user-scope and a project-scope setup of the same name keep their own. An mcpwire before that keyed
   * them by target id alone; such a record still counts, for its scope (clientRecord).
   */
  clients?: Record<string, ClientRecord>;
}

export interface ClientRecord {
  mode: 'native' | 'bridge';
  scope: string;
  file: string;
}

/** The key of a client's record in KnownServer.clients: the target id and the scope. */
export function clientKey(target: string, scope: string): string {
  return `${target}/${scope}`;
}

/** Every client record of a server with its target id (older records keyed by target alone included). */
export function clientRecords(server: KnownServer | undefined): Array<ClientRecord & { target: string }> {
  const all = server?.clients;
  if (!all || typeof all !== 'object') return [];
  const out = new Map<string, ClientRecord & { target: string }>();
  for (const [key, rec] of Object.entries(all)) {
    if (!rec || typeof rec !== 'object' || (rec.mode !== 'native' && rec.mode !== 'bridge') || typeof rec.scope !== 'string') continue;
    const target = key.includes('/') ? key.slice(0, key.indexOf('/')) : key;
    // A record under the new key wins over an old one of the same client and scope.
    if (key.includes('/') || !out.has(clientKey(target, rec.scope))) out.set(clientKey(target, rec.scope), { ...rec, target });
  }
  return [...out.values()];
}

/** How `target` connects to this server in `scope`, as the last setup or add recorded it. */
export function clientRecord(server: KnownServer | undefined, target: string, scope: string): ClientRecord | undefined {
  return clientRecords(server).find((r) => r.target === target && r.scope === scope);
}

/** Record how `target` connects in `scope` (dropping an older record of that client and scope). */
export function recordClient(clients: Record<string, ClientRecord>, target: string, rec: ClientRecord): void {
  if (Object.hasOwn(clients, target) && clients[target].scope === rec.scope) delete clients[target];
  clients[clientKey(target, rec.scope)] = rec;
}

export interface StateFiles {
  ledger: Record<string, LedgerRecord>;
  journal: JournalRecord[];
  servers: Record<string, KnownServer>;
}

const JOURNAL_KEEP = 20;
/** Backups are kept for the last JOURNAL_KEEP commands, and while they add up to less than this. */
const BACKUP_BUDGET = 256 * 1024 * 1024;

/** Journal entries to drop, oldest first: over the count, or over the size budget (the newest always stays). */
export function entriesToPrune(journal: JournalRecord[]): number {
  let drop = Math.max(0, journal.length - JOURNAL_KEEP);
  const size = backupBytes;
  let total = journal.slice(drop).reduce((n, j) => n + size(j), 0);
  while (total > BACKUP_BUDGET && drop < journal.length - 1) total -= size(journal[drop++]);
  return drop;
}

/**
 * The ledger's key of an entry: its file (real path), container path and name, each percent-encoded
 * (encodeURIComponent), joined by spaces: `/home/me/.claude.json mcpServers pelcro`. Such a key needs
 * no escape in JSON, so state.json parses natively on every engine (V8 12.8+ can misread keys written
 * with escapes, and the exact parse that avoids that costs ~5 ms on a state file full of them; see
 * json-text.ts). Keys written before were JSON arrays (`["/path","mcpServers","pelcro"]`, every quote
 * escaped): they are read, and rewritten in this form with the next change of the state.
 */
export function ledgerKey(realFile: string, container: readonly string[], name: string): string {
  return [realFile, ...container, name].map(encodeURIComponent).join(' ');
}

/** The parts of a ledger key (either form); undefined: not a key. */
export function ledgerKeyParts(key: string): string[] | undefined {
  try {
    const parts: unknown = key.startsWith('[') ? parseJsonText(key) : key.split(' ').map(decodeURIComponent);
    return Array.isArray(parts) && parts.length >= 3 && parts.every((x) => typeof x === 'string') ? parts : undefined;
  } catch {
    return undefined;
  }
}

/** Ledger keys of the earlier form (JSON arrays) in today's form. */
function currentKeys<V>(records: Record<string, V>): Record<string, V> {
  if (!Object.keys(records).some((k) => k.startsWith('['))) return records;
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(records)) {
    const parts = k.startsWith('[') ? ledgerKeyParts(k) : undefined;
    const key = parts ? ledgerKey(parts[0], parts.slice(1, -1), parts[parts.length - 1]) : k;
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export class State {
  readonly dir: string;
  constructor(private readonly p: Platform) {
    this.dir = stateDir(p);
  }

  private get file(): string {
    return this.p.path.join(this.dir, 'state.json');
  }

  /** The whole state as it is on disk now. */
  private readAll(): StateFiles {
    return this.parse(readText(this.p, this.file));
  }

  private parse(text: string | null): StateFiles {
    const empty: StateFiles = { servers: {}, ledger: {}, journal: [] };
    if (text === null) return empty;
    try {
      const s: StateFiles = { ...empty, ...(parseJsonText(text) as Partial<StateFiles>) };
      s.ledger = currentKeys(s.ledger);
      for (const j of s.journal) if (!isJournalRef(j)) j.ledgerBefore = currentKeys(j.ledgerBefore ?? {});
      return s;
    } catch (e) {
      const f = this.file;
      throw new ConfigParseError(f, 1, 1, `mcpwire's state file is damaged (${(e as Error).message})`, `Move ${f} aside; mcpwire starts a fresh one.`);
    }
  }

  /**
   * @internal The state file's text (null: none yet), parsed (a damaged state is refused now, before
   * anything is written), and a parser for it, for a JournalSession.
   */
  readLockedText(lock: Lock): { text: string | null; parsed: StateFiles; parse: (text: string | null) => StateFiles } {
    const parse = (t: string | null) => this.parse(t);
    // A look-up of this command that read the state after this lock was taken (and it is still held:
    // checked again before commit) read what a read now would: take that read over, do not read twice.
    const c = this.cache;
    if (c && this.cacheEpoch >= lock.epoch && lock.stillHeld()) {
      this.cache = undefined; // the journal changes what it is given
      return { text: this.cacheText, parsed: c, parse };
    }
    const text = readText(this.p, this.file);
    // Read before the lock, and the same text now: that read's parse serves (not a second parse).
    if (c && text === this.cacheText) {
      this.cache = undefined;
      return { text, parsed: c, parse };
    }
    return { text, parsed: this.parse(text), parse };
  }

  read<K extends keyof StateFiles>(name: K): StateFiles[K] {
    return this.readAll()[name];
  }

  /** A journal entry in full: a short record's details read from its backup folder. */
  journalEntry(j: JournalRecord): JournalEntry {
    if (!isJournalRef(j)) return j;
    const file = this.p.path.join(this.backupDir(j.id), j.detail);
    const damaged = (why: string) =>
      new ConfigParseError(
        file,
        1,
        1,
        `the record of "${j.command}" in mcpwire's journal is ${why}`,
        `Move ${this.file} aside to start a fresh journal (undo then knows nothing earlier).`,
      );
    if (!/^[A-Za-z0-9._-]+$/.test(j.id) || j.id.startsWith('.') || !/^[a-z]+\.json$/.test(j.detail)) throw damaged('damaged');
    const text = readText(this.p, file);
    if (text === null)
      throw new UserError(`The record of "${j.command}" in mcpwire's journal is missing (${file}); nothing was changed.`, {
        exitCode: 1,
        fix: `Its backups are in ${this.backupDir(j.id)} (copy back what you need); to start a fresh journal, move ${this.file} aside.`,
      });
    let e: JournalEntry;
    try {
      e = parseJsonText(text) as JournalEntry;
    } catch (err) {
      throw damaged(`damaged (${(err as Error).message})`);
    }
    if (!e || typeof e !== 'object' || e.id !== j.id || !Array.isArray(e.files)) throw damaged('damaged');
    e.ledgerBefore = currentKeys(e.ledgerBefore ?? {});
    return e;
  }

  private cache: StateFiles | undefined;
  private cacheText: string | null = null;
  /** lockEpoch() when the cache was read. */
  private cacheEpoch = -1;

  /** Read once per command (for look-ups; update() always re-reads under the lock). */
  cached<K extends keyof StateFiles>(name: K): StateFiles[K] {
    if (!this.cache) {
      this.cacheEpoch = lockEpoch();
      this.cacheText = readText(this.p, this.file);
      this.cache = this.parse(this.cacheText);
    }
    return this.cache[name];
  }

  /** Read-modify-write the state under the state lock (again from a fresh read if the lock was lost). */
  update(fn: (s: StateFiles) => void): void {
    for (let attempt = 1; ; attempt++) {
      try {
        return this.updateOnce(fn);
      } catch (e) {
        if (!(e instanceof LockLost) || attempt >= 3) throw e;
      }
    }
  }

  private updateOnce(fn: (s: StateFiles) => void): void {
    const p = this.p;
    // acquireLock creates the state dir (0700) when it is missing.
    const lock = acquireLock(p, p.path.join(this.dir, 'state.lock'), { ownerDir: this.dir });
    try {
      if (lock.recovered) removeDeadTempFiles(p, this.file);
      const s = this.readAll();
      const before = JSON.stringify(s, null, 2);
      fn(s);
      const dropped = s.journal.splice(0, entriesToPrune(s.journal));
      const after = JSON.stringify(s, null, 2);
      // Nothing changed (a re-run that records what is already recorded): no durable write for it.
      if (after === before && dropped.length === 0) return;
      atomicWrite(p, this.file, after + '\n', true, lock);
      this.cache = undefined;
      this.tidyBackups(dropped, s);
    } finally {
      lock.release();
    }
  }

  /**
   * The journal of a write command, opened under the state lock (held by the caller from the start of
   * the command) before its first client file is renamed: a state that cannot be read or written
   * stops the command before it changes anything.
   */
  openJournal(lock: Lock): JournalSession {
    return new JournalSession(this.p, this.file, lock, this);
  }

  /** Read-modify-write the state under the state lock, already held by the caller. */
  updateHeld(lock: Lock, fn: (s: StateFiles) => void): void {
    const s = this.readAll();
    fn(s);
    const dropped = s.journal.splice(0, entriesToPrune(s.journal));
    atomicWrite(this.p, this.file, JSON.stringify(s, null, 2) + '\n', true, lock);
    this.tidyBackups(dropped, s);
  }

  /** @internal Drop the backups of pruned entries, and of commands that never reached the journal. */
  tidyBackups(dropped: JournalRecord[], s: StateFiles): void {
    this.cache = undefined;
    for (const old of dropped) this.dropBackups(old.id);
    this.dropOrphanBackups(new Set(s.journal.map((j) => j.id)));
  }

  backupDir(txId: string): string {
    return this.p.path.join(this.dir, 'backups', txId);
  }

  /** A backup folder holds plain files only: unlink them and the folder (rmSync would load more code than this does work). */
  private dropBackups(txId: string): void {
    const dir = this.backupDir(txId);
    try {
      for (const f of this.p.fs.readdirSync(dir) as string[]) this.p.fs.unlinkSync(this.p.path.join(dir, f));
      this.p.fs.rmdirSync(dir);
    } catch {
      /* best effort */
    }
  }

  /** Backups of commands that never reached the journal (killed, or every write failed), once their process is gone. */
  private dropOrphanBackups(journaled: Set<string>): void {
    let ids: string[];
    try {
      ids = this.p.fs.readdirSync(this.p.path.join(this.dir, 'backups')) as string[];
    } catch {
      return;
    }
    for (const id of ids) {
      const pid = Number(id.split('-')[1]);
      if (journaled.has(id) || !Number.isInteger(pid) || pid === this.p.pid || pidAlive(pid)) continue;
      this.dropBackups(id);
    }
  }
}

/**
 * A state update prepared before the renames of a write command: written and fsynced, renamed by
 * commit(). The command's journal entry goes to its backup folder (backups/<id>/journal.json) and
 * state.json keeps a short record of it: state.json, read and rewritten by every command, does not
 * grow with the details of the last twenty. The details' file is renamed first, state.json last:
 * until then no state refers to it (a crash leaves an orphan folder, tidied like any other).
 */
export class JournalSession {
  private temps: TempFile[] = [];
  private prepared: { s: StateFiles; dropped: JournalRecord[] } | undefined;
  private readonly base: { text: string | null; parsed?: StateFiles; parse: (text: string | null) => StateFiles };
  private committed = false;

  constructor(
    private readonly p: Platform,
    private readonly file: string,
    private readonly lock: Lock,
    private readonly state: State,
  ) {
    if (lock.recovered) removeDeadTempFiles(p, file);
    this.base = state.readLockedText(lock);
  }

  private build(
    fn: (s: StateFiles) => void,
    detach: boolean,
  ): { s: StateFiles; dropped: JournalRecord[]; bytes: Buffer; details: Array<{ file: string; bytes: Buffer }> } {
    // The state as read under the lock: its first parse serves the first build (fn changes it), a rebuild parses again.
    const s = this.base.parsed ?? this.base.parse(this.base.text);
    this.base.parsed = undefined;
    const known = new Set(s.journal);
    fn(s);
    const details: Array<{ file: string; bytes: Buffer }> = [];
    // The entries fn added: their details to their backup folders, a short record here.
    if (detach)
      s.journal = s.journal.map((j) => {
        if (known.has(j) || isJournalRef(j)) return j;
        details.push({ file: this.p.path.join(this.state.backupDir(j.id), JOURNAL_DETAIL), bytes: Buffer.from(JSON.stringify(j) + '\n', 'utf8') });
        return { id: j.id, at: j.at, command: j.command, bytes: backupBytes(j), detail: JOURNAL_DETAIL };
      });
    const dropped = s.journal.splice(0, entriesToPrune(s.journal));
    return { s, dropped, bytes: Buffer.from(JSON.stringify(s, null, 2) + '\n', 'utf8'), details };
  }

  /**
   * Write the updated state (and the new entry's details) to temp files, not yet visible and not yet
   * fsynced: the caller fsyncs them (fsyncAll) together with the files it records, before commit().
   */
  prepare(fn: (s: StateFiles) => void): TempFile[] {
    const { s, dropped, bytes, details } = this.build(fn, true);
    for (const d of details) {
      makePrivateDirs(this.p, this.p.path.dirname(d.file));
      this.temps.push(createTemp(this.p, d.file, d.bytes, { secret: true }));
    }
    this.temps.push(createTemp(this.p, this.file, bytes, { secret: true }));
    this.prepared = { s, dropped };
    return this.temps;
  }

  commit(): void {
    if (this.temps.length === 0 || !this.prepared) throw new Error('nothing prepared');
    if (!this.lock.stillHeld()) throw new LockLost();
    // state.json last: the commit point.
    for (const t of this.temps) this.p.fs.renameSync(t.tmp, t.realFile);
    this.temps = [];
    this.committed = true;
  }

  /**
   * Replace the committed update with another one (built from the same state as read under the lock),
   * its entry kept whole in state.json: one atomic write, after some renames failed.
   */
  rewrite(fn: (s: StateFiles) => void): void {
    const { s, dropped, bytes } = this.build(fn, false);
    atomicWrite(this.p, this.file, bytes, true, this.lock);
    this.prepared = { s, dropped };
  }

  /** Discard what was never committed; tidy the backups the committed state no longer refers to. The lock stays the caller's. */
  release(): void {
    if (this.temps.length > 0) discardTemps(this.p, this.temps);
    this.temps = [];
    if (this.committed && this.prepared) this.state.tidyBackups(this.prepared.dropped, this.prepared.s);
  }
}

export function newTransactionId(p: Platform): string {
  const stamp = isoTime(p.now())
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${p.pid}-${Math.random().toString(36).slice(2, 6)}`;
}
