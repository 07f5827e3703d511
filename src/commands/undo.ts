/**
 * `mcpwire undo`: put back the files the last write command changed (src/files/restore.ts does it).
 * Refuses when a file was changed since by someone else; `--force` restores the others and lists those.
 * Each undo steps one command further back.
 */
import { undoLast, type UndoAction } from '../files/restore.js';
import { printable, tildify } from '../ui.js';
import type { Context } from './context.js';

const SAID: Record<UndoAction, [done: string, would: string]> = {
  restored: ['restored', 'would be restored'],
  deleted: ['deleted', 'would be deleted'],
  'not-applied': ['not changed by that command (nothing to undo)', 'not changed by that command (nothing to undo)'],
  'changed-since': ['changed since: left as it is', 'changed since: would be left as it is'],
};

export function undoCommand(ctx: Context, o: { json?: boolean; dryRun?: boolean; force?: boolean }): number {
  const p = ctx.platform;
  const r = undoLast({ platform: p, state: ctx.state }, o);
  const left = r.files.filter((f) => f.action === 'changed-since');
  if (o.json) {
    // Before: `restore`/`delete` for a dry run, `restored`/`deleted` after.
    const dryAction = (a: UndoAction) => (a === 'restored' ? 'restore' : a === 'deleted' ? 'delete' : a);
    ctx.io.json({ undone: r.entry.command, at: r.entry.at, files: r.files.map((f) => ({ ...f, action: r.dryRun ? dryAction(f.action) : f.action })) });
    return 0;
  }
  ctx.io.out(`${r.dryRun ? 'Would undo' : 'Undid'} "${printable(r.entry.command)}" (${r.entry.at}):`);
  for (const f of r.files) {
    ctx.io.out(`  ${printable(tildify(p, f.file))}  ${SAID[f.action][r.dryRun ? 1 : 0]}`);
    if (f.backup) ctx.io.out(`    its version before that command: ${printable(f.backup)}`);
  }
  if (left.length > 0)
    ctx.io.err(
      `${left.length} file${left.length > 1 ? 's' : ''} changed since ${left.length > 1 ? 'were' : 'was'} left as ${left.length > 1 ? 'they are' : 'it is'} (--force); copy back from the backup what you need.`,
    );
  return 0;
}

export { runCommand } from './run.js';
