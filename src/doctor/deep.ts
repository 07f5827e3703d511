/**
 * `--deep`: ask the real clients, when installed, what they make of each entry (`claude mcp get NAME`,
 * `codex mcp get NAME --json`; both read the files offline) and report any disagreement with the file.
 * Claude Code also tries to connect; that is bounded by MCP_TIMEOUT and by the check's own limit.
 */
import { execFile } from 'node:child_process';
import type { Platform } from '../platform.js';
import { printable } from '../ui.js';
import { sameUrl, type ScannedEntry } from './clients.js';
import { fail, guard, ok, warn, type Where } from './engine.js';
import type { DoctorCheck } from './types.js';

/** The executable `bin` on the PATH of `p`, absolute, or undefined. */
export function which(p: Platform, bin: string): string | undefined {
  const sep = p.os === 'win32' ? ';' : ':';
  const exts = p.os === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (p.env.PATH ?? p.env.Path ?? '').split(sep)) {
    if (!dir || !p.path.isAbsolute(dir)) continue;
    for (const ext of exts) {
      const f = p.path.join(dir, bin + ext);
      if (p.fs.existsSync(f)) return f;
    }
  }
  return undefined;
}

function run(
  p: Platform,
  file: string,
  args: string[],
  timeoutMs: number,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: p.cwd, env: { ...p.env, ...extraEnv } as NodeJS.ProcessEnv, timeout: timeoutMs, maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code as number) : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

const firstLine = (s: string) => printable(s.trim().split('\n')[0] ?? '').slice(0, 200);

async function askClaude(p: Platform, bin: string, e: ScannedEntry, timeoutMs: number): Promise<DoctorCheck[]> {
  const w: Where = { subject: `${e.name}/claude-code`, server: e.name, target: 'claude-code' };
  const r = await run(p, bin, ['mcp', 'get', e.name], timeoutMs, { MCP_TIMEOUT: String(Math.max(1000, timeoutMs - 1000)) });
  if (r.code !== 0) {
    return [
      fail(
        w,
        'deep.claude-code',
        `\`claude mcp get ${e.name}\` does not know the entry the file holds: ${firstLine(r.stderr || r.stdout)}`,
        `mcpwire doctor ${e.name} --fix`,
      ),
    ];
  }
  const url = /^\s*URL:\s*(\S+)/m.exec(r.stdout)?.[1];
  const status = /^\s*Status:\s*(.+)$/m.exec(r.stdout)?.[1]?.trim();
  if (e.read.url && url && !sameUrl(url, e.read.url))
    return [
      fail(
        w,
        'deep.claude-code',
        `Claude Code uses ${printable(url)} for ${e.name}, the file says ${printable(e.read.url)} (another scope wins?)`,
        `claude mcp get ${e.name}`,
      ),
    ];
  return [
    ok(
      w,
      'deep.claude-code',
      `\`claude mcp get ${e.name}\` agrees${url ? ` (${printable(url)})` : ''}${status ? `; Claude Code says: ${printable(status)}` : ''}`,
    ),
  ];
}

async function askCodex(p: Platform, bin: string, e: ScannedEntry, timeoutMs: number): Promise<DoctorCheck[]> {
  const w: Where = { subject: `${e.name}/codex`, server: e.name, target: 'codex' };
  const r = await run(p, bin, ['mcp', 'get', e.name, '--json'], timeoutMs);
  if (r.code !== 0)
    return [fail(w, 'deep.codex', `\`codex mcp get ${e.name} --json\` failed: ${firstLine(r.stderr || r.stdout)}`, `mcpwire doctor ${e.name} --fix`)];
  let url: string | undefined;
  try {
    const v = JSON.parse(r.stdout) as { transport?: { url?: unknown }; enabled?: unknown };
    url = typeof v.transport?.url === 'string' ? v.transport.url : undefined;
    if (v.enabled === false) return [warn(w, 'deep.codex', `Codex has ${e.name} disabled`, `Set enabled = true under [mcp_servers.${e.name}]`)];
  } catch {
    return [warn(w, 'deep.codex', `\`codex mcp get ${e.name} --json\` did not answer JSON: ${firstLine(r.stdout)}`)];
  }
  if (e.read.url && url && !sameUrl(url, e.read.url))
    return [fail(w, 'deep.codex', `Codex uses ${printable(url)} for ${e.name}, the file says ${printable(e.read.url)}`, `codex mcp get ${e.name} --json`)];
  return [ok(w, 'deep.codex', `\`codex mcp get ${e.name} --json\` agrees${url ? ` (${printable(url)})` : ''}`)];
}

export async function deepChecks(p: Platform, entries: readonly ScannedEntry[], timeoutMs: number): Promise<DoctorCheck[]> {
  const claude = which(p, 'claude');
  const codex = which(p, 'codex');
  const jobs: Array<Promise<DoctorCheck[]>> = [];
  const asked = new Set<string>();
  for (const e of entries) {
    if (e.shadowedBy || e.misplaced) continue;
    const key = `${e.target.id}\0${e.name}`;
    if (asked.has(key)) continue;
    asked.add(key);
    const w: Where = { subject: `${e.name}/${e.target.id}`, server: e.name, target: e.target.id };
    // The clients start slower than a network check: twice the limit.
    if (e.target.id === 'claude-code' && claude) jobs.push(guard(w, 'deep.claude-code', timeoutMs * 2, () => askClaude(p, claude, e, timeoutMs * 2)));
    if (e.target.id === 'codex' && codex) jobs.push(guard(w, 'deep.codex', timeoutMs * 2, () => askCodex(p, codex, e, timeoutMs * 2)));
  }
  return (await Promise.all(jobs)).flat();
}
