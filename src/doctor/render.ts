/**
 * doctor's report for people: grouped by server (its own checks, then one block per client holding
 * it), then the client files, then this machine; one ✓ / ! / ✗ line per check and, under each problem,
 * the fix. Setup prints the same report after it writes.
 */
import type { IO } from '../ui.js';
import { printable } from '../ui.js';
import type { DoctorCheck, DoctorReport } from './types.js';

const MARKS = { ok: '✓', warn: '!', fail: '✗' } as const;

export function renderDoctorReport(report: DoctorReport, io: Pick<IO, 'out' | 'style'>): void {
  const line = (indent: string, c: DoctorCheck) => {
    const style = c.status === 'ok' ? io.style.ok : c.status === 'warn' ? io.style.warn : io.style.bad;
    io.out(`${indent}${style(MARKS[c.status])} ${printable(c.message)}`);
    if (c.fix && c.status !== 'ok') io.out(`${indent}  ${io.style.dim('fix:')} ${printable(c.fix)}`);
  };
  const byTarget = (checks: DoctorCheck[], indent: string) => {
    for (const c of checks.filter((x) => !x.target)) line(indent, c);
    const targets = [...new Set(checks.filter((x) => x.target).map((x) => x.target!))];
    for (const t of targets) {
      io.out(`${indent}${io.style.bold(t)}`);
      for (const c of checks.filter((x) => x.target === t)) line(indent + '  ', c);
    }
  };
  const urls = new Map((report.servers ?? []).map((s) => [s.name, s.url]));
  const servers = [...new Set([...(report.servers ?? []).map((s) => s.name), ...report.checks.filter((c) => c.server).map((c) => c.server!)])];
  if (servers.length === 0) {
    io.out('No servers to check: mcpwire knows none, and no client file holds a remote entry.');
    io.out(`  ${io.style.dim('fix:')} mcpwire setup SERVER (a preset or an MCP URL)`);
    io.out('');
  }
  for (const name of servers) {
    const checks = report.checks.filter((c) => c.server === name);
    if (checks.length === 0) continue;
    const url = urls.get(name);
    io.out(`${io.style.bold(printable(name))}${url ? `  ${io.style.dim(printable(url))}` : ''}`);
    byTarget(checks, '  ');
    io.out('');
  }
  const files = report.checks.filter((c) => !c.server && c.target);
  if (files.length) {
    io.out(io.style.bold('client files'));
    byTarget(files, '  ');
    io.out('');
  }
  const rest = report.checks.filter((c) => !c.server && !c.target);
  if (rest.length) {
    io.out(io.style.bold('environment'));
    for (const c of rest) line('  ', c);
    io.out('');
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  const summary = `${failed} failed, ${warned} ${warned === 1 ? 'warning' : 'warnings'}, ${report.checks.length - failed - warned} ok`;
  io.out(failed ? io.style.bad(summary) : warned ? io.style.warn(summary) : io.style.ok(summary));
}
