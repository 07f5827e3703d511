/**
 * Applying the planned writes of one command: one transaction over all its files (see transaction.ts),
 * the journal entry for `mcpwire undo` and the ledger updates recorded before the first rename, and
 * what happened to each file returned as values (commands render them).
 */
import { UserError } from '../errors.js';
import { isoTime, type Platform } from '../platform.js';
import { newTransactionId, type JournalFile, type JournalSession, type KnownServer, type LedgerRecord, type State, type StateFiles } from '../state.js';
import { fromBinary } from '../binary-text.js';
import type { Action } from '../entries.js';
import type { FileDiff } from './diff.js';
import { runTransaction, type ChangedFile, type EditOutcome, type JournalHooks } from './transaction.js';

export interface PlannedWrite {
  target: string;
  scope: string;
  file: string;
  sharedLock?: string;
  /** A file this creates is 0600, as the client writes it. */
  privateFile?: boolean;
  /** Compute the change; record what it did in `note`. Throw a UserError to refuse. */
  edit(current: string | null, note: WriteNote): EditOutcome;
  /** The edit takes and returns binary text (src/binary-text.ts): the file is strict JSON, edited as its bytes. */
  binary?: boolean;
}

export interface WriteNote {
  action: Action;
  warnings: string[];
  /** Ledger records to set (value) or delete (null) for this file, by ledger key. */
  ledger: Record<string, LedgerRecord | null>;
}

export interface WriteReport {
  target: string;
  scope: string;
  file: string;
  action: Action | 'refused' | 'failed';
  error?: { message: string; fix?: string };
  warnings: string[];
  /** --dry-run: what would change, secrets masked. */
  diff?: FileDiff;
  /** The client is not installed here: the entry waits for it (`added (not installed here)`). */
  notInstalled?: boolean;
}

/** More state to record in the same state update (one lock, one write per command). */
export interface StateExtra {
  /** Whether to record anything, given the reports (called once, before anything is renamed). */
  wanted(reports: WriteReport[]): boolean;
  /** Record in `s`: a server record it changes is replaced by a new object, never edited in place (the journal finds changes by reference). */
  apply(s: StateFiles): void;
}

export interface ApplyResult {
  reports: WriteReport[];
  /** The files this command changed, with where their previous bytes are kept (null: it created the file). */
  changed: Array<{ file: string; backup: string | null }>;
  /** The journal could not be completed: undo still knows these files, but the record may be incomplete. */
  journalError?: { message: string };
}

export interface ApplyDeps {
  platform: Platform;
  state: State;
}

export async function applyPlans(
  deps: ApplyDeps,
  command: string,
  plans: PlannedWrite[],
  opts: { dryRun: boolean; extra?: StateExtra; whileFlushing?: () => void },
): Promise<ApplyResult> {
  const p = deps.platform;
  const txId = newTransactionId(p);
  const notes: WriteNote[] = plans.map(() => freshNote());
  const reqs = plans.map((plan, i) => ({
    file: plan.file,
    sharedLock: plan.sharedLock,
    privateFile: plan.privateFile,
    backupName: `${plan.target}-${plan.scope}-${p.path.basename(plan.file)}`,
    binary: plan.binary,
    // A retried transaction edits again from a fresh read: the note of the last attempt is the one that counts.
    edit: (current: string | null) => plan.edit(current, (notes[i] = freshNote())),
  }));
  const { extra } = opts;
  let withExtra = false;
  let session: JournalSession | undefined;
  const update = (files: ChangedFile[]) => (s: StateFiles) => {
    const serversBefore: Record<string, KnownServer | null> = {};
    const serversAfter: Record<string, KnownServer> = {};
    if (withExtra) {
      // The records as they were: apply replaces a record it changes (StateExtra), so these stay as read.
      const before: Record<string, KnownServer> = { ...s.servers };
      extra!.apply(s);
      for (const [k, v] of Object.entries(s.servers)) {
        const was = Object.hasOwn(before, k) ? before[k] : undefined;
        if (was === v || (was !== undefined && JSON.stringify(was) === JSON.stringify(v))) continue;
        serversBefore[k] = was ?? null;
        serversAfter[k] = v;
      }
    }
    if (files.length === 0) return;
    const ledgerBefore: Record<string, LedgerRecord | null> = {};
    for (const f of files) {
      for (const i of f.requests) {
        for (const [k, v] of Object.entries(notes[i].ledger)) {
          if (!(k in ledgerBefore)) ledgerBefore[k] = s.ledger[k] ?? null;
          if (v) s.ledger[k] = v;
          else delete s.ledger[k];
        }
      }
    }
    const journalFiles: JournalFile[] = files.map((f) => ({
      file: f.file,
      realFile: f.realFile,
      backup: f.backup,
      beforeHash: f.beforeHash,
      afterHash: f.afterHash,
      sharedLock: f.sharedLock,
      backupSize: f.backupSize,
      createdDirs: f.createdDirs,
    }));
    const servers = Object.keys(serversAfter).length > 0 ? { serversBefore, serversAfter } : {};
    s.journal.push({ id: txId, at: isoTime(p.now()), command, files: journalFiles, ledgerBefore, ...servers });
  };
  // The reports as the edits left them (holes: refused), for StateExtra.wanted before the renames.
  const outcomesSoFar: WriteReport[] = [];
  const hooks: JournalHooks = {
    prepare(files, stateLock) {
      withExtra = extra !== undefined && extra.wanted(outcomesSoFar);
      session = deps.state.openJournal(stateLock);
      return session.prepare(update(files));
    },
    commit: () => session!.commit(),
    amend: (applied) => session!.rewrite(update(applied)),
    release: () => session?.release(),
  };
  const tx = { platform: p, stateDir: deps.state.dir, backupDir: deps.state.backupDir(txId), dryRun: opts.dryRun, whileFlushing: opts.whileFlushing };
  const edits = reqs.map((r, i) => ({
    ...r,
    edit: (current: string | null) => {
      const o = r.edit(current);
      outcomesSoFar[i] = reportOf(plans[i], notes[i], undefined);
      return o;
    },
  }));
  const result = await runTransaction(tx, edits, opts.dryRun ? undefined : hooks);

  const diffOf = opts.dryRun && result.outcomes.some((o) => o?.ok && o.changed) ? (await import('./diff.js')).fileDiff : undefined;
  const reports = plans.map((plan, i) => {
    const o = result.outcomes[i];
    const r = reportOf(plan, notes[i], o && !o.ok ? o : undefined);
    if (diffOf && o?.ok && o.changed) {
      const text = (t: string | null) => (t !== null && o.binary ? fromBinary(t) : t);
      r.diff = diffOf(plan.file, text(o.before), text(o.after));
    }
    return r;
  });

  // Nothing was renamed, but the command has something to remember (e.g. the server of an unchanged add).
  if (!opts.dryRun && result.changed.length === 0 && extra !== undefined && !session && extra.wanted(reports)) deps.state.update((s) => extra.apply(s));

  return {
    reports,
    changed: result.changed.map((c) => ({ file: c.file, backup: c.backup })),
    journalError: result.journalError === undefined ? undefined : { message: (result.journalError as Error).message ?? String(result.journalError) },
  };
}

const freshNote = (): WriteNote => ({ action: 'unchanged', warnings: [], ledger: {} });

function reportOf(plan: PlannedWrite, note: WriteNote, failed: { refused: boolean; error: unknown } | undefined): WriteReport {
  const base = { target: plan.target, scope: plan.scope, file: plan.file, warnings: note.warnings };
  if (!failed) return { ...base, action: note.action };
  const e = failed.error;
  if (e instanceof UserError) return { ...base, action: failed.refused ? 'refused' : 'failed', error: { message: e.message, fix: e.fix } };
  return { ...base, action: 'failed', error: { message: ioMessage(e, plan.file) } };
}

function ioMessage(e: unknown, file: string): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EACCES' || err.code === 'EPERM') return `${file}: permission denied (${err.code}). The file was not changed.`;
  if (err.code === 'ENOSPC') return `${file}: the disk is full. The file was not changed.`;
  if (err.code === 'EROFS') return `${file}: read-only file system. The file was not changed.`;
  return `${file}: ${err.message ?? String(e)}. The file was not changed.`;
}
