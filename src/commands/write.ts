/**
 * Runs one write command over several files: each file in its own transaction (lock, re-read, edit,
 * verify, backup, atomic write), then one journal entry for `mcpwire undo` and the ledger updates.
 * A file that is refused (does not parse, conflict) is reported and left untouched; the others go on.
 */
import { UserError } from '../errors.js';
import { fingerprint, writeFileTransaction, type EditOutcome, type FileWriteResult } from '../edit/transaction.js';
import { newTransactionId, type JournalFile, type LedgerRecord, type StateFiles } from '../state.js';
import type { Action } from '../entries.js';
import type { Context } from './context.js';
import { printable, tildify } from '../ui.js';

export interface PlannedWrite {
  target: string;
  scope: string;
  file: string;
  sharedLock?: string;
  /** Compute the change; record what it did in `note`. Throw a UserError to refuse. */
  edit(current: string | null, note: WriteNote): EditOutcome;
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
  diff?: string;
  /** The client is not installed here: the entry waits for it (`added (not installed here)`). */
  notInstalled?: boolean;
}

/** More state to record in the same state update (one lock, one write per command). */
export interface StateExtra {
  /** Whether to record anything, given the reports (called once, after the writes). */
  wanted(reports: WriteReport[]): boolean;
  apply(s: StateFiles): void;
}

export async function runWrites(ctx: Context, command: string, plans: PlannedWrite[], dryRun: boolean, extra?: StateExtra): Promise<WriteReport[]> {
  // The diff library is only needed to show a dry run.
  const diff = dryRun ? await import('diff') : undefined;
  const txId = newTransactionId(ctx.platform);
  const tx = { platform: ctx.platform, stateDir: ctx.state.dir, backupDir: ctx.state.backupDir(txId), dryRun };
  const reports: WriteReport[] = [];
  const journalFiles: JournalFile[] = [];
  const ledgerChanges: Record<string, LedgerRecord | null> = {};
  for (const plan of plans) {
    const note: WriteNote = { action: 'unchanged', warnings: [], ledger: {} };
    let result: FileWriteResult;
    try {
      result = writeFileTransaction(tx, { file: plan.file, sharedLock: plan.sharedLock, edit: (cur) => plan.edit(cur, note) });
    } catch (e) {
      if (!(e instanceof UserError)) {
        reports.push({ target: plan.target, scope: plan.scope, file: plan.file, action: 'failed', warnings: note.warnings, error: { message: ioMessage(e, plan.file) } });
        continue;
      }
      reports.push({ target: plan.target, scope: plan.scope, file: plan.file, action: 'refused', warnings: note.warnings, error: { message: e.message, fix: e.fix } });
      continue;
    }
    const report: WriteReport = { target: plan.target, scope: plan.scope, file: plan.file, action: note.action, warnings: note.warnings };
    if (dryRun && result.changed) {
      const name = tildify(ctx.platform, plan.file);
      report.diff = diff!.createTwoFilesPatch(name, name, result.before ?? '', result.after ?? '', result.before === null ? '(new file)' : '', result.after === null ? '(deleted)' : '');
    }
    reports.push(report);
    if (result.changed && !dryRun) {
      journalFiles.push({ file: result.file, realFile: result.realFile, backup: result.backup ?? null, beforeHash: fingerprint(result.before), afterHash: fingerprint(result.after), sharedLock: plan.sharedLock, backupSize: result.before?.length });
      Object.assign(ledgerChanges, note.ledger);
    }
  }
  const withExtra = !dryRun && extra !== undefined && extra.wanted(reports);
  if (journalFiles.length > 0 || withExtra) {
    ctx.state.update((s) => {
      if (withExtra) extra.apply(s);
      if (journalFiles.length === 0) return;
      const ledgerBefore: Record<string, LedgerRecord | null> = {};
      for (const [k, v] of Object.entries(ledgerChanges)) {
        ledgerBefore[k] = s.ledger[k] ?? null;
        if (v) s.ledger[k] = v;
        else delete s.ledger[k];
      }
      s.journal.push({ id: txId, at: new Date(ctx.platform.now()).toISOString(), command, files: journalFiles, ledgerBefore });
    });
  }
  return reports;
}

function ioMessage(e: unknown, file: string): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EACCES' || err.code === 'EPERM') return `${file}: permission denied (${err.code}). The file was not changed.`;
  if (err.code === 'ENOSPC') return `${file}: the disk is full. The file was not changed.`;
  if (err.code === 'EROFS') return `${file}: read-only file system. The file was not changed.`;
  return `${file}: ${err.message ?? String(e)}. The file was not changed.`;
}

const MARK: Record<string, string> = { added: '+', updated: '~', removed: '-', unchanged: '=', absent: '·', refused: '✖', failed: '✖' };

/** Print per-target results (or the JSON shape of the contract) and return the exit code. */
export function renderReports(ctx: Context, reports: WriteReport[], opts: { json: boolean; dryRun: boolean }): number {
  const { io } = ctx;
  const exit = reports.some((r) => r.action === 'refused') ? 2 : reports.some((r) => r.action === 'failed') ? 1 : 0;
  if (opts.json) {
    // stdout holds the JSON alone; people still see warnings and errors on stderr.
    for (const r of reports) {
      if (r.error) io.err(`mcpwire: ${printable(r.error.message)}${r.error.fix ? `\nfix: ${printable(r.error.fix)}` : ''}`);
      for (const warning of r.warnings) io.err(`warning: ${printable(warning)}`);
    }
    io.json({
      dryRun: opts.dryRun || undefined,
      changes: reports.map((r) => ({ target: r.target, scope: r.scope, file: r.file, action: r.action, ...(r.notInstalled ? { installed: false } : {}), ...(r.error ? { error: r.error.message, fix: r.error.fix } : {}), ...(r.warnings.length ? { warnings: r.warnings } : {}), ...(r.diff ? { diff: r.diff } : {}) })),
    });
    return exit;
  }
  const w = Math.max(...reports.map((r) => r.target.length), 6);
  const fw = Math.max(...reports.map((r) => printable(tildify(ctx.platform, r.file)).length));
  for (const r of reports) {
    const style = r.action === 'refused' || r.action === 'failed' ? io.style.bad : r.action === 'unchanged' || r.action === 'absent' ? io.style.dim : io.style.ok;
    const verb = (opts.dryRun && ['added', 'updated', 'removed'].includes(r.action) ? `would be ${r.action}` : r.action) + (r.notInstalled ? ' (not installed here)' : '');
    io.out(`${style(MARK[r.action] ?? ' ')} ${r.target.padEnd(w)}  ${r.scope.padEnd(7)}  ${printable(tildify(ctx.platform, r.file)).padEnd(fw)}  ${style(verb)}`);
    if (r.error) {
      io.err(`  ${io.style.bad(printable(r.error.message))}`);
      if (r.error.fix) io.err(`  fix: ${printable(r.error.fix)}`);
    }
    for (const warning of r.warnings) io.err(`  ${io.style.warn('warning:')} ${printable(warning)}`);
    if (r.diff) io.out(r.diff);
  }
  return exit;
}
