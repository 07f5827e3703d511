/**
 * The one way mcpwire changes client files: one transaction per command, across all its files, in phases
 *
 *   all locks (in a fixed order) → re-read and edit every file → back up the previous bytes → write all
 *   temp files and the journal entry's (under mcpwire's state lock), each one's fsync started on the
 *   thread pool as it is written (in parallel, and under way while the rest is made) → wait for every
 *   fsync → commit the journal entry (before any rename) → rename in order → release.
 *
 * A reader (or a crash) sees each file old or new, never a mix; a file the journal does not list is
 * never renamed. Symlinked config files are edited through the link (the link stays a link); mode and
 * owner are kept. A file that is refused (does not parse, conflict) is reported and left untouched; the
 * others go on.
 */
import { UserError } from '../errors.js';
import type { Platform } from '../platform.js';
import { acquireLock, type Lock } from './lock.js';
import { fingerprintBytes } from './fingerprint.js';
import { fromBinary, toBinary } from '../binary-text.js';
import type { TextSplice } from '../edit/types.js';
import {
  createTemp,
  decodeAs,
  discardTemps,
  fsyncAll,
  LockLost,
  makePrivateDirs,
  readFileBytes,
  removeDeadTempFiles,
  resolveReal,
  startFsync,
  type FileOwnership,
  type TempFile,
} from './io.js';

export interface EditOutcome {
  /** New text; null deletes the file (only ever when mcpwire created it and it is empty again). */
  text: string | null;
  /** The new text holds a literal secret: the file becomes 0600. */
  secret: boolean;
  /** `text` as one splice of the text the edit was given, where the editor knows it: binary text is then written as the old bytes around the inserted ones. */
  splice?: TextSplice;
}

export interface FileWrite {
  /** The path as the client knows it (may be a symlink). */
  file: string;
  /** Another writer's lock to take instead of mcpwire's own (Claude Code's `~/.claude.json.lock`). */
  sharedLock?: string;
  /** A file this creates is 0600, as the client itself writes it (`~/.claude.json`, Codex's config). */
  privateFile?: boolean;
  /** Name of the backup of this file, after its client (`claude-code-user-.claude.json`). */
  backupName: string;
  /** Compute the new text from the current one (null: no such file). Throw to refuse; nothing is written. */
  edit(current: string | null): EditOutcome;
  /** The edit takes and returns binary text (the file's UTF-8 bytes one per character: src/binary-text.ts). */
  binary?: boolean;
}

/** What happened to one request. Requests on the same real file are applied one after the other. */
export type WriteOutcome =
  | { ok: false; refused: boolean; error: unknown }
  | { ok: true; realFile: string; before: string | null; after: string | null; changed: boolean; backup?: string; binary?: boolean };

/** A changed file as the journal records it. */
export interface JournalFile {
  file: string;
  realFile: string;
  /** null: the file did not exist before. */
  backup: string | null;
  /** fingerprint() of the bytes before and after (null: no file). */
  beforeHash: string | null;
  afterHash: string | null;
  /** The other writer's lock this file is edited under (Claude Code's), if any. */
  sharedLock?: string;
  /** Size of the backup in bytes (UTF-16 code units in entries written before fingerprints v2). */
  backupSize?: number;
  /** Folders mcpwire created for this file, outermost first: undo removes them when they are empty. */
  createdDirs?: string[];
}

/** A file about to be renamed. */
export interface ChangedFile extends JournalFile {
  /** Indexes of the requests that changed this file. */
  requests: number[];
}

/** mcpwire's journal, written under its own state lock before the first rename (see State.openJournal). */
export interface JournalHooks {
  /**
   * Record `files` under the state lock, held, in a temp file (not yet visible), returned to be fsynced
   * with the client files' temp files (one round of disk flushes, not two); throw to abort: nothing is renamed.
   */
  prepare(files: ChangedFile[], stateLock: Lock): TempFile[];
  /** Make the prepared record the journal (before the first client file is renamed). */
  commit(): void;
  /** Some renames failed after commit: record only the files that were renamed. */
  amend(applied: ChangedFile[]): void;
  /** Release the state lock; discards a prepared record that was never committed. */
  release(): void;
}

export interface TransactionContext {
  platform: Platform;
  stateDir: string;
  /** Folder for this command's backups. */
  backupDir: string;
  dryRun: boolean;
  /**
   * Work to do while the temp files flush to disk (once, right before waiting for their fsyncs): the
   * main thread would only wait there. Whatever it throws is ignored; it must not depend on the renames.
   */
  whileFlushing?: () => void;
}

export interface TransactionResult {
  outcomes: WriteOutcome[];
  /** The files that were changed (renamed), in order. */
  changed: ChangedFile[];
  /** The journal could not be amended after a failed rename (the files in `changed` keep their backups). */
  journalError?: unknown;
}

/** mcpwire's state lock: it also guards every client file no other program locks (one lock, not one per file). */
export function stateLockPath(ctx: { platform: Platform; stateDir: string }): string {
  return ctx.platform.path.join(ctx.stateDir, 'state.lock');
}

/** The lock that guards a file: the other writer's (Claude Code's `~/.claude.json.lock`), else mcpwire's state lock. */
export function lockPathFor(ctx: { platform: Platform; stateDir: string }, sharedLock?: string): string {
  return sharedLock ?? stateLockPath(ctx);
}

/** Take the locks in one order for every mcpwire process, so two commands on overlapping files cannot deadlock. */
export function acquireInOrder(
  p: Platform,
  lockPaths: Iterable<string>,
  ownerDir: string,
  onError?: (lockPath: string, e: unknown) => void,
): Map<string, Lock> {
  const locks = new Map<string, Lock>();
  try {
    for (const lockPath of [...new Set(lockPaths)].sort()) {
      try {
        locks.set(lockPath, acquireLock(p, lockPath, { ownerDir }));
      } catch (e) {
        if (!onError) throw e;
        onError(lockPath, e);
      }
    }
  } catch (e) {
    for (const l of [...locks.values()].reverse()) l.release();
    throw e;
  }
  return locks;
}

const failure = (e: unknown): WriteOutcome => ({ ok: false, refused: e instanceof UserError && e.exitCode === 2, error: e });

interface Group {
  realFile: string;
  requests: number[];
  lockPath: string;
  sharedLock?: string;
  privateFile: boolean;
  beforeBytes?: Buffer | null;
  /** Mode and owner of the file as read (null: no file), for its replacement. */
  beforeOwnership?: FileOwnership | null;
  after?: string | null;
  /** `after` is binary text. */
  afterBinary?: boolean;
  /** `after` as one splice of the binary text of beforeBytes, when the group's one change said so. */
  afterSplice?: TextSplice;
  changed?: boolean;
  secret?: boolean;
  /** The new bytes, in consecutive parts (the old bytes around a splice's). */
  afterBytes?: Uint8Array[];
  backup?: string;
  createdDirs?: string[];
  temp?: TempFile;
  failed?: unknown;
}

export async function runTransaction(ctx: TransactionContext, reqs: FileWrite[], journal?: JournalHooks): Promise<TransactionResult> {
  // A lock taken over while we worked (a very slow disk, a huge file) means someone else may have
  // written: start again from fresh reads rather than overwrite their change.
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptOnce(ctx, reqs, journal);
    } catch (e) {
      if (!(e instanceof LockLost)) throw e;
      if (attempt >= 3)
        throw new UserError('Another process kept taking over the locks of these files; nothing was written.', {
          exitCode: 1,
          fix: 'Close Claude Code (or the other writer) and run the command again.',
        });
    }
  }
}

async function attemptOnce(ctx: TransactionContext, reqs: FileWrite[], journal?: JournalHooks): Promise<TransactionResult> {
  const p = ctx.platform;
  const outcomes: WriteOutcome[] = new Array(reqs.length);
  const groups = new Map<string, Group>();
  reqs.forEach((r, i) => {
    let realFile: string;
    try {
      realFile = resolveReal(p, r.file);
    } catch (e) {
      outcomes[i] = failure(e);
      return;
    }
    let g = groups.get(realFile);
    if (!g) groups.set(realFile, (g = { realFile, requests: [], lockPath: '', privateFile: false }));
    g.requests.push(i);
    g.sharedLock ??= r.sharedLock;
    g.privateFile ||= Boolean(r.privateFile);
  });
  for (const g of groups.values()) g.lockPath = lockPathFor(ctx, g.sharedLock);
  // A command that writes takes mcpwire's state lock from the start: the journal is written under it.
  const stateLock = stateLockPath(ctx);
  const wanted = [...[...groups.values()].map((g) => g.lockPath), ...(journal ? [stateLock] : [])];

  let locks = new Map<string, Lock>();
  const changed: ChangedFile[] = [];
  let journalOpen = false;
  let committed = false;
  const fail = (g: Group, e: unknown) => {
    g.failed = e;
    for (const i of g.requests) outcomes[i] = failure(e);
  };
  try {
    locks = acquireInOrder(p, wanted, ctx.stateDir, (lockPath, e) => {
      if (lockPath === stateLock && journal) throw e; // without the journal's lock nothing may be written
      for (const g of groups.values()) if (g.lockPath === lockPath) fail(g, e);
    });

    // Re-read and edit under the locks.
    for (const g of groups.values()) {
      if (g.failed) continue;
      const first = reqs[g.requests[0]].file;
      const readBinary = Boolean(reqs[g.requests[0]].binary);
      let binary = readBinary;
      let before: string | null;
      try {
        // Temp files exist only while their lock is held: a dead holder's are garbage.
        if (locks.get(g.lockPath)?.recovered) removeDeadTempFiles(p, g.realFile);
        const read = readFileBytes(p, g.realFile);
        g.beforeBytes = read?.bytes ?? null;
        g.beforeOwnership = read?.ownership ?? null;
        before = g.beforeBytes === null ? null : decodeAs(first, g.beforeBytes, binary);
      } catch (e) {
        fail(g, e);
        continue;
      }
      let current = before;
      let secret = false;
      for (const i of g.requests) {
        try {
          // Each edit gets the text in the form it takes.
          const wants = Boolean(reqs[i].binary);
          if (current !== null && wants !== binary) current = wants ? toBinary(current) : fromBinary(current);
          binary = wants;
          const o = reqs[i].edit(current);
          outcomes[i] = { ok: true, realFile: g.realFile, before: current, after: o.text, changed: o.text !== current, binary };
          // Only the group's first change can be a splice of the bytes as read (binary text: one character per byte).
          if (o.text !== current) g.afterSplice = current === before && binary && readBinary && o.splice?.base === current ? o.splice : undefined;
          current = o.text;
          secret ||= o.secret;
        } catch (e) {
          outcomes[i] = failure(e);
        }
      }
      g.after = current;
      g.afterBinary = binary;
      g.changed = current !== (before !== null && binary !== readBinary ? (binary ? toBinary(before) : fromBinary(before)) : before);
      g.secret = secret;
      locks.get(g.lockPath)?.touch();
    }
    const writes = [...groups.values()].filter((g) => !g.failed && g.changed);
    if (ctx.dryRun || writes.length === 0) return { outcomes, changed };

    // Back up the previous bytes (from memory: they are what was read under the lock), create missing
    // folders, write the temp files.
    for (const g of writes) {
      try {
        if (g.beforeBytes) g.backup = backup(ctx, g.realFile, reqs[g.requests[0]].backupName, g.beforeBytes);
        else if (g.after !== null) g.createdDirs = makePrivateDirs(p, p.path.dirname(g.realFile));
        if (g.after !== null) {
          g.afterBytes = newBytes(g);
          g.temp = createTemp(p, g.realFile, g.afterBytes, { secret: Boolean(g.secret), privateFile: g.privateFile, was: g.beforeOwnership });
          startFsync(p, g.temp); // flushes while the fingerprints and the journal entry are made; waited for below
        }
      } catch (e) {
        fail(g, e);
      }
    }
    const ready = writes.filter((g) => !g.failed);
    if (ready.length === 0) return { outcomes, changed };
    for (const g of ready) {
      changed.push({
        file: reqs[g.requests[0]].file,
        realFile: g.realFile,
        backup: g.backup ?? null,
        beforeHash: fingerprintBytes(g.beforeBytes ?? null),
        afterHash: fingerprintBytes(g.afterBytes ?? null),
        sharedLock: g.sharedLock,
        backupSize: g.beforeBytes?.length,
        createdDirs: g.createdDirs?.length ? g.createdDirs : undefined,
        requests: g.requests.filter((i) => outcomes[i].ok && (outcomes[i] as { changed: boolean }).changed),
      });
    }
    // The journal entry is written with the files (a file the journal does not list is never renamed).
    let journalTemps: TempFile[] = [];
    if (journal) {
      journalOpen = true;
      try {
        journalTemps = journal.prepare(changed, locks.get(stateLock)!);
      } catch (e) {
        const why = new UserError(`mcpwire could not record this change in its journal (${(e as Error).message}); nothing was changed.`, {
          exitCode: 1,
          fix:
            e instanceof UserError && e.fix
              ? e.fix
              : `Make ${ctx.stateDir} a writable folder of yours (or set MCPWIRE_CONFIG_DIR), then run the command again.`,
        });
        for (const g of ready) fail(g, why);
        changed.length = 0;
        return { outcomes, changed };
      }
    }
    const flushed = fsyncAll(p, [...ready.flatMap((g) => (g.temp ? [g.temp] : [])), ...journalTemps]);
    try {
      ctx.whileFlushing?.();
    } catch {
      /* its own business */
    }
    try {
      await flushed;
    } catch (e) {
      // Nothing is renamed: the journal entry is discarded with the temp files (on release).
      for (const g of ready) fail(g, e);
      changed.length = 0;
      return { outcomes, changed };
    }
    for (const lockPath of new Set(ready.map((g) => g.lockPath))) if (!locks.get(lockPath)!.stillHeld()) throw new LockLost();
    journal?.commit();
    committed = true;

    const applied: ChangedFile[] = [];
    for (const [k, g] of ready.entries()) {
      try {
        if (!locks.get(g.lockPath)!.stillHeld())
          throw new UserError(`${changed[k].file}: another process took over its lock; the file was not changed.`, { exitCode: 1 });
        if (g.temp) {
          p.fs.renameSync(g.temp.tmp, g.realFile);
          g.temp = undefined; // renamed: nothing left to discard (an unlink would only fail, at the cost of an exception)
        } else p.fs.unlinkSync(g.realFile);
        applied.push(changed[k]);
        for (const i of g.requests) if (outcomes[i].ok && g.backup) (outcomes[i] as { backup?: string }).backup = g.backup;
      } catch (e) {
        fail(g, e);
      }
    }
    let journalError: unknown;
    if (applied.length < changed.length) {
      try {
        journal?.amend(applied);
      } catch (e) {
        journalError = e;
      }
      changed.splice(0, changed.length, ...applied);
    }
    return { outcomes, changed, journalError };
  } finally {
    if (journalOpen) journal?.release();
    for (const l of [...locks.values()].reverse()) l.release();
    for (const g of groups.values()) {
      if (g.temp) discardTemps(p, [g.temp]);
      // A backup of a write that did not happen is only clutter (and a full disk's worst enemy);
      // so are folders made for a file that was not written.
      const written = committed && changed.some((c) => c.realFile === g.realFile);
      if (written) continue;
      if (g.backup) tryUnlink(p, g.backup);
      for (const d of [...(g.createdDirs ?? [])].reverse()) tryRmdir(p, d);
    }
  }
}

/**
 * The bytes of a group's new text. A large file changed by one splice is written as its old bytes around
 * the inserted ones: encoding the whole text again costs a fresh copy of the file (~1 ms for Claude
 * Code's 256 KiB file, most of it the new memory's first touch).
 */
function newBytes(g: Group): Uint8Array[] {
  const after = g.after!;
  const s = g.afterSplice;
  if (s && g.afterBinary && g.beforeBytes) {
    const parts = [g.beforeBytes.subarray(0, s.at), Buffer.from(s.insert, 'latin1'), g.beforeBytes.subarray(s.at + s.remove)];
    if (s.at + s.remove <= g.beforeBytes.length && parts[0].length + parts[1].length + parts[2].length === after.length) return parts;
  }
  return [Buffer.from(after, g.afterBinary ? 'latin1' : 'utf8')];
}

function tryUnlink(p: Platform, f: string): void {
  try {
    p.fs.unlinkSync(f);
  } catch {
    /* fine */
  }
}

function tryRmdir(p: Platform, d: string): void {
  try {
    p.fs.rmdirSync(d);
  } catch {
    /* not empty, or gone */
  }
}

const backupDirs = new Set<string>();
/** Save the previous bytes as `<backupDir>/<name>` (private to the user: backups can hold secrets). */
function backup(ctx: TransactionContext, realFile: string, name: string, bytes: Buffer): string {
  const p = ctx.platform;
  if (!backupDirs.has(ctx.backupDir)) {
    makePrivateDirs(p, ctx.backupDir);
    backupDirs.add(ctx.backupDir);
  }
  const safe = (name || p.path.basename(realFile)).replace(/[/\\:*?"<>|\u0000-\u001f]/g, '_');
  for (let n = 1; ; n++) {
    const dest = p.path.join(ctx.backupDir, n === 1 ? safe : `${safe}.${n}`);
    try {
      p.fs.writeFileSync(dest, bytes, { mode: 0o600, flag: 'wx' });
      return dest;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
