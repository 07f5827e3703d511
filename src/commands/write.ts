/**
 * How a write command shows what happened: one line per file (or the JSON shape of the contract), the
 * --dry-run diffs (secrets masked by the service, coloured on a terminal), and, when the journal could
 * not be completed, every file that was changed and where its previous version is kept.
 * The work itself is the service in src/files/apply.ts.
 */
import { applyPlans, type ApplyResult, type PlannedWrite, type StateExtra, type WriteReport } from '../files/apply.js';
import type { FileDiff } from '../files/diff.js';
import { printable, tildify, type IO } from '../ui.js';
import type { Context } from './context.js';
import { targetById } from '../targets/index.js';

export type { PlannedWrite, StateExtra, WriteNote, WriteReport } from '../files/apply.js';

/** The reports, with what the journal could not record (see renderReports). */
export type WriteReports = WriteReport[] & Partial<Pick<ApplyResult, 'changed' | 'journalError'>>;

/**
 * Run the plans. With `noteNotInstalled` (writes that add entries), each report that added or updated an
 * entry says whether its client is installed here, asked once per client (detection looks on PATH)
 * while the files flush (time the disk takes anyway): the folder a write has just created for a file is
 * no sign of the client, so the answer is the one before the write.
 */
export async function runWrites(
  ctx: Context,
  command: string,
  plans: PlannedWrite[],
  dryRun: boolean,
  extra?: StateExtra,
  o: { noteNotInstalled?: boolean } = {},
): Promise<WriteReports> {
  const known = new Map<string, boolean>();
  const installed = (target: string) => {
    let yes = known.get(target);
    if (yes === undefined) known.set(target, (yes = Boolean(targetById(target)?.detect(ctx.targets))));
    return yes;
  };
  const whileFlushing = o.noteNotInstalled ? () => plans.forEach((plan) => installed(plan.target)) : undefined;
  const result = await applyPlans({ platform: ctx.platform, state: ctx.state }, command, plans, { dryRun, extra, whileFlushing });
  // Said only where an entry was written.
  if (o.noteNotInstalled) for (const r of result.reports) if ((r.action === 'added' || r.action === 'updated') && !installed(r.target)) r.notInstalled = true;
  return Object.assign(result.reports, { changed: result.changed, journalError: result.journalError });
}

const MARK: Record<string, string> = { added: '+', updated: '~', removed: '-', unchanged: '=', absent: '·', refused: '✖', failed: '✖' };

/** A diff as text: `---`/`+++` lines naming the file, then the hunks. Coloured when `io` has colour. */
export function formatDiff(name: string, d: FileDiff, io?: IO): string {
  const style = io?.color ? io.style : undefined;
  const safe = (l: string) => (io ? l.split('\t').map(printable).join('\t') : l);
  const out = [
    (style?.bold ?? String)(`--- ${safe(name)}${d.newFile ? ' (new file)' : ''}`),
    (style?.bold ?? String)(`+++ ${safe(name)}${d.deleted ? ' (deleted)' : ''}`),
  ];
  for (const h of d.hunks) {
    out.push(style ? `\u001b[36m${h.header}\u001b[39m` : h.header);
    for (const l of h.lines) {
      const line = safe(l);
      out.push(!style ? line : l.startsWith('+') ? style.ok(line) : l.startsWith('-') ? style.bad(line) : line);
    }
  }
  return out.join('\n');
}

/** Print per-target results (or the JSON shape of the contract) and return the exit code. */
export function renderReports(ctx: Context, reports: WriteReports, opts: { json: boolean; dryRun: boolean }): number {
  const { io } = ctx;
  const p = ctx.platform;
  const journalFailed = reports.journalError !== undefined;
  const exit = reports.some((r) => r.action === 'refused') ? 2 : reports.some((r) => r.action === 'failed') || journalFailed ? 1 : 0;
  if (journalFailed) {
    // The change happened but its record may be incomplete: say exactly what changed and where the old bytes are.
    io.err(`mcpwire: these files were changed, but the journal could not be completed (${printable(reports.journalError!.message)}):`);
    for (const c of reports.changed ?? [])
      io.err(`  ${printable(tildify(p, c.file))}  ${c.backup ? `previous version kept in ${printable(c.backup)}` : 'created by this command'}`);
    io.err('fix: `mcpwire undo` restores them; make the state folder writable first.');
  }
  if (opts.json) {
    // stdout holds the JSON alone; people still see warnings and errors on stderr.
    for (const r of reports) {
      if (r.error) io.err(`mcpwire: ${printable(r.error.message)}${r.error.fix ? `\nfix: ${printable(r.error.fix)}` : ''}`);
      for (const warning of r.warnings) io.err(`warning: ${printable(warning)}`);
    }
    io.json({
      dryRun: opts.dryRun || undefined,
      changes: reports.map((r) => ({
        target: r.target,
        scope: r.scope,
        file: r.file,
        action: r.action,
        ...(r.notInstalled ? { installed: false } : {}),
        ...(r.error ? { error: r.error.message, fix: r.error.fix } : {}),
        ...(r.warnings.length ? { warnings: r.warnings } : {}),
        ...(r.diff ? { diff: formatDiff(r.file, r.diff) } : {}),
      })),
      ...(journalFailed ? { journalError: reports.journalError!.message, changedFiles: reports.changed } : {}),
    });
    return exit;
  }
  const w = Math.max(...reports.map((r) => r.target.length), 6);
  const fw = Math.max(...reports.map((r) => printable(tildify(p, r.file)).length));
  for (const r of reports) {
    const style =
      r.action === 'refused' || r.action === 'failed' ? io.style.bad : r.action === 'unchanged' || r.action === 'absent' ? io.style.dim : io.style.ok;
    const verb =
      (opts.dryRun && ['added', 'updated', 'removed'].includes(r.action) ? `would be ${r.action}` : r.action) + (r.notInstalled ? ' (not installed here)' : '');
    io.out(`${style(MARK[r.action] ?? ' ')} ${r.target.padEnd(w)}  ${r.scope.padEnd(7)}  ${printable(tildify(p, r.file)).padEnd(fw)}  ${style(verb)}`);
    if (r.error) {
      io.err(`  ${io.style.bad(printable(r.error.message))}`);
      if (r.error.fix) io.err(`  fix: ${printable(r.error.fix)}`);
    }
    for (const warning of r.warnings) io.err(`  ${io.style.warn('warning:')} ${printable(warning)}`);
    if (r.diff) io.out(formatDiff(tildify(p, r.file), r.diff, io));
  }
  return exit;
}
