/**
 * `mcpwire undo`: put back the files the last write command changed, from its backups. Refuses when a
 * file was changed since by someone else (its bytes are not what mcpwire wrote). Each undo steps one
 * command further back.
 */
import { UserError } from '../errors.js';
import { atomicWrite, fingerprint, lockPathFor, readText } from '../edit/transaction.js';
import { acquireLock } from '../edit/lock.js';
import { tildify } from '../ui.js';
import type { Context } from './context.js';

export function undoCommand(ctx: Context, o: { json?: boolean; dryRun?: boolean }): number {
  const p = ctx.platform;
  const journal = ctx.state.read('journal');
  const last = journal[journal.length - 1];
  if (!last) throw new UserError('Nothing to undo: mcpwire has no record of a change.', { exitCode: 1 });
  const changedSince = last.files.filter((f) => fingerprint(readText(p, f.realFile)) !== f.afterHash);
  if (changedSince.length > 0) {
    throw new UserError(
      `Cannot undo "${last.command}": ${changedSince.map((f) => tildify(p, f.file)).join(', ')} changed since mcpwire wrote ${changedSince.length > 1 ? 'them' : 'it'}.`,
      { exitCode: 1, fix: `The previous versions are kept in ${ctx.state.backupDir(last.id)}; copy back what you need by hand.` },
    );
  }
  const restored: Array<{ file: string; action: 'restored' | 'deleted' }> = [];
  if (!o.dryRun) {
    for (const f of last.files) {
      const lock = acquireLock(p, lockPathFor({ platform: p, stateDir: ctx.state.dir, backupDir: '', dryRun: false }, f.realFile, f.sharedLock), { ownerDir: ctx.state.dir });
      try {
        if (fingerprint(readText(p, f.realFile)) !== f.afterHash) throw new UserError(`${f.file} changed while undoing; stopped.`, { exitCode: 1 });
        if (f.backup === null) {
          p.fs.unlinkSync(f.realFile);
          restored.push({ file: f.file, action: 'deleted' });
        } else {
          const text = readText(p, f.backup);
          if (text === null || fingerprint(text) !== f.beforeHash) throw new UserError(`The backup ${f.backup} is missing or damaged; ${f.file} was left as it is.`, { exitCode: 1 });
          atomicWrite(p, f.realFile, text, false, lock);
          restored.push({ file: f.file, action: 'restored' });
        }
      } finally {
        lock.release();
      }
    }
    ctx.state.update((s) => {
      for (const [k, v] of Object.entries(last.ledgerBefore)) {
        if (v) s.ledger[k] = v;
        else delete s.ledger[k];
      }
      s.journal.pop();
    });
  }
  if (o.json) ctx.io.json({ undone: last.command, at: last.at, files: o.dryRun ? last.files.map((f) => ({ file: f.file, action: f.backup === null ? 'delete' : 'restore' })) : restored });
  else {
    ctx.io.out(`${o.dryRun ? 'Would undo' : 'Undid'} "${last.command}" (${last.at}):`);
    for (const f of o.dryRun ? last.files.map((x) => ({ file: x.file, action: x.backup === null ? 'would be deleted' : 'would be restored' })) : restored) ctx.io.out(`  ${tildify(p, f.file)}  ${f.action}`);
  }
  return 0;
}

export { runCommand } from './run.js';
