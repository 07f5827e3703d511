/**
 * `mcpwire doctor [NAME] [--json] [--fix] [--deep] [--timeout S]`: every reason a client cannot use a
 * server, found concurrently (src/doctor), each problem with the command that fixes it. Exit 0 when no
 * check failed (warnings do not fail), 1 otherwise. `--fix` first applies the safe fixes (journaled:
 * `mcpwire undo` reverts them), then checks.
 */
import { UserError } from '../errors.js';
import { applyFixes, refreshExpired } from '../doctor/fix.js';
import { renderDoctorReport, runDoctor, serversToCheck } from '../doctor/index.js';
import { scanClients } from '../doctor/clients.js';
import { validateName } from '../servers.js';
import { nearest } from '../suggest.js';
import { TARGETS } from '../targets/index.js';
import { printable, tildify } from '../ui.js';
import type { Context } from './context.js';

export interface DoctorFlags {
  json?: boolean;
  fix?: boolean;
  deep?: boolean;
  timeout?: string;
}

function timeoutSeconds(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 600)
    throw new UserError(`--timeout ${printable(raw)} is not a number of seconds between 0 and 600.`, { fix: 'Pass e.g. --timeout 10.' });
  return n;
}

export async function doctorCommand(ctx: Context, name: string | undefined, o: DoctorFlags): Promise<number> {
  const timeout = timeoutSeconds(o.timeout);
  const names = name ? [validateName(name)] : undefined;
  if (name) {
    // An unknown name is bad input (exit 2), with the near one.
    const known = serversToCheck(undefined, safeServers(ctx), scanClients(ctx.platform, ctx.targets, TARGETS).entries).map((s) => s.name);
    const resolved = serversToCheck(names, safeServers(ctx), []);
    if (!known.includes(name) && !resolved[0].url) {
      const near = nearest(name, known);
      throw new UserError(`No server named "${printable(name)}" in mcpwire's record or any client file.${near ? ` Did you mean ${near}?` : ''}`, {
        fix: known.length
          ? `Run \`mcpwire doctor\` for all of them (${known.map(printable).join(', ')}).`
          : 'Add one first: mcpwire mcp add --target … --url https://…',
      });
    }
  }
  let fixed: Awaited<ReturnType<typeof applyFixes>> | undefined;
  if (o.fix) {
    fixed = await applyFixes(ctx, { names });
    fixed.fixed.push(...(await refreshExpired(ctx, names)));
    if (!o.json) {
      for (const f of fixed.fixed) {
        const failed = /^(refused|failed|refresh failed)/.test(f.action);
        const mark = failed ? ctx.io.style.bad('not fixed') : ctx.io.style.ok('fixed');
        ctx.io.out(`${mark} ${printable(f.name)} in ${f.target} (${printable(tildify(ctx.platform, f.file))}): ${printable(f.action)}`);
      }
      for (const r of fixed.reports)
        if (r.error) ctx.io.err(`mcpwire: could not fix ${printable(tildify(ctx.platform, r.file))}: ${printable(r.error.message)}`);
      if (fixed.reports.some((r) => r.action !== 'refused' && r.action !== 'failed')) ctx.io.out(ctx.io.style.dim('`mcpwire undo` reverts the file changes.'));
      if (fixed.fixed.length === 0) ctx.io.out(ctx.io.style.dim('Nothing to fix automatically.'));
      ctx.io.out('');
    }
  }
  const report = await runDoctor(ctx, { names, timeoutSeconds: timeout, deep: o.deep });
  if (fixed) report.fixed = fixed.fixed;
  if (o.json) ctx.io.json(report);
  else renderDoctorReport(report, ctx.io);
  return report.ok ? 0 : 1;
}

function safeServers(ctx: Context): Record<string, { url: string }> {
  try {
    return ctx.state.read('servers');
  } catch {
    return {};
  }
}

export { runCommand } from './run.js';
// setup runs doctor on what it wrote, from this bundle.
export { renderDoctorReport, runDoctor } from '../doctor/index.js';
