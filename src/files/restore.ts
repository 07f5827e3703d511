/**
 * Undoing the last write command, as a service: put back the files it changed from their backups, delete
 * the files it created (and the folders it created for them), and give back the ledger as it was.
 *
 * Each file is judged by its bytes now:
 *  - exactly what mcpwire wrote → restorable;
 *  - exactly what it was before (the command never got to rename it) → nothing to do;
 *  - anything else → changed since by someone else: left alone. Without `force` the undo is refused;
 *    with `force` the others are restored and these are listed (their backups are kept).
 */
import { UserError } from '../errors.js';
import type { Platform } from '../platform.js';
import { isJournalRef, ledgerKeyParts, type JournalEntry, type JournalFile, type State } from '../state.js';
import { sameFingerprint } from './fingerprint.js';
import { atomicWrite, readBytes } from './io.js';
import { acquireInOrder, lockPathFor, stateLockPath } from './transaction.js';

export type UndoAction = 'restored' | 'deleted' | 'not-applied' | 'changed-since';

export interface UndoFile {
  file: string;
  action: UndoAction;
  /** Where the version before the command is kept (changed-since files: copy back what you need). */
  backup?: string;
}

export interface UndoResult {
  entry: JournalEntry;
  dryRun: boolean;
  files: UndoFile[];
}

function judge(p: Platform, f: JournalFile): UndoAction {
  const now = readBytes(p, f.realFile);
  if (sameFingerprint(f.afterHash, now)) return f.backup === null ? 'deleted' : 'restored';
  // The bytes from before: the command never got to rename this file (its backup may be gone with it).
  if (sameFingerprint(f.beforeHash, now) || (f.backup !== null && now !== null && backupEquals(p, f.backup, now))) return 'not-applied';
  return 'changed-since';
}

function backupEquals(p: Platform, backup: string, bytes: Buffer): boolean {
  try {
    const b = readBytes(p, backup);
    return b !== null && b.equals(bytes);
  } catch {
    return false;
  }
}

export function undoLast(deps: { platform: Platform; state: State }, o: { dryRun?: boolean; force?: boolean }): UndoResult {
  const p = deps.platform;
  const journal = deps.state.read('journal');
  // An entry `undo --force` left behind (its changed files) is kept whole and marked; a short record never is.
  const last = [...journal].reverse().find((j) => isJournalRef(j) || !j.undone);
  if (!last) throw new UserError('Nothing to undo: mcpwire has no record of a change.', { exitCode: 1 });
  const entry = deps.state.journalEntry(last);
  const judged = entry.files.map((f) => ({ f, action: judge(p, f) }));
  const changedSince = judged.filter((j) => j.action === 'changed-since');
  if (changedSince.length > 0 && !o.force) {
    const names = changedSince.map((j) => j.f.file).join(', ');
    throw new UserError(`Cannot undo "${entry.command}": ${names} changed since mcpwire wrote ${changedSince.length > 1 ? 'them' : 'it'}.`, {
      exitCode: 1,
      fix: `\`mcpwire undo --force\` restores the other files and leaves ${changedSince.length > 1 ? 'these' : 'this one'} as ${changedSince.length > 1 ? 'they are' : 'it is'}; the previous versions are kept in ${deps.state.backupDir(entry.id)}.`,
    });
  }
  const files: UndoFile[] = judged.map(({ f, action }) => ({ file: f.file, action, ...(action === 'changed-since' && f.backup ? { backup: f.backup } : {}) }));
  if (o.dryRun) return { entry, dryRun: true, files };

  // Every lock at once, in the writers' order; mcpwire's state lock among them (it guards the journal).
  const toRestore = judged.filter(({ action }) => action === 'restored' || action === 'deleted');
  const ctx = { platform: p, stateDir: deps.state.dir };
  const locks = acquireInOrder(p, [stateLockPath(ctx), ...toRestore.map(({ f }) => lockPathFor(ctx, f.sharedLock))], deps.state.dir);
  try {
    judged.forEach(({ f, action }, k) => {
      if (action !== 'restored' && action !== 'deleted') return;
      // Judged again under the lock: a writer may have come in between.
      const now = judge(p, f);
      if (now === 'changed-since') {
        if (!o.force) throw new UserError(`${f.file} changed while undoing; stopped.`, { exitCode: 1 });
        files[k] = { file: f.file, action: 'changed-since', ...(f.backup ? { backup: f.backup } : {}) };
        return;
      }
      if (now === 'not-applied') {
        files[k] = { file: f.file, action: 'not-applied' };
        return;
      }
      if (f.backup === null) {
        p.fs.unlinkSync(f.realFile);
        for (const d of [...(f.createdDirs ?? [])].reverse()) {
          try {
            p.fs.rmdirSync(d); // only when empty: anything else in it is not ours
          } catch {
            break;
          }
        }
      } else {
        const bytes = readBytes(p, f.backup);
        if (bytes === null || !sameFingerprint(f.beforeHash, bytes))
          throw new UserError(`The backup ${f.backup} is missing or damaged; ${f.file} was left as it is.`, { exitCode: 1 });
        atomicWrite(p, f.realFile, bytes, false, locks.get(lockPathFor(ctx, f.sharedLock)));
      }
    });

    const left = entry.files.filter((f) => files.some((x) => x.file === f.file && x.action === 'changed-since'));
    deps.state.updateHeld(locks.get(stateLockPath(ctx))!, (s) => {
      const i = s.journal.findIndex((j) => j.id === entry.id);
      if (i === -1) return;
      // The ledger as it was, for the entries of the files that were put back (its keys start with the real path).
      for (const [k, v] of Object.entries(entry.ledgerBefore)) {
        const realFile = ledgerKeyParts(k)?.[0];
        if (left.some((f) => f.realFile === realFile)) continue;
        if (v) s.ledger[k] = v;
        else delete s.ledger[k];
      }
      // mcpwire's record of a server the command recorded goes back too, when every file went back and
      // the record is still as the command left it (a later command may have recorded more since).
      if (left.length === 0)
        for (const [k, v] of Object.entries(entry.serversBefore ?? {})) {
          const after = entry.serversAfter?.[k];
          if (after === undefined || JSON.stringify(s.servers[k]) !== JSON.stringify(after)) continue;
          if (v) s.servers[k] = v;
          else delete s.servers[k];
        }
      // Files left as they are keep their entry (and backups), marked so the next undo steps further back.
      if (left.length > 0) s.journal[i] = { ...entry, files: left, undone: true };
      else s.journal.splice(i, 1);
    });
  } finally {
    for (const l of [...locks.values()].reverse()) l.release();
  }
  return { entry, dryRun: false, files };
}
