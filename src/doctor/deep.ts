/**
 * `--deep`: ask the real clients, when installed, what they make of each entry (`claude mcp get NAME`,
 * `codex mcp get NAME --json`; both read the files offline) and report any disagreement with the file.
 * Claude Code also tries to connect; that is bounded by MCP_TIMEOUT and by the check's own limit.
 * Bridge entries are started as the client would start them (command, args, the entry's env) and sent
 * an `initialize`: the bridge that answers is one the client can use (always; a package runner's, such
 * as `npx mcp-remote`, only with --deep, as it may download first).
 */
import { execFile, spawn } from 'node:child_process';
import type { Platform } from '../platform.js';
import { showUrl } from '../servers.js';
import { printable } from '../ui.js';
import { sameUrl, type ScannedEntry } from './clients.js';
import { deadline, fail, guard, ok, sh, warn, type Where } from './engine.js';
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
        `\`claude mcp get ${sh(e.name)}\` does not know the entry the file holds: ${firstLine(r.stderr || r.stdout)}`,
        `mcpwire doctor ${sh(e.name)} --fix`,
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
        `Claude Code uses ${showUrl(url)} for ${e.name}, the file says ${showUrl(e.read.url)} (another scope wins?)`,
        `claude mcp get ${sh(e.name)}`,
      ),
    ];
  return [
    ok(
      w,
      'deep.claude-code',
      `\`claude mcp get ${sh(e.name)}\` agrees${url ? ` (${showUrl(url)})` : ''}${status ? `; Claude Code says: ${printable(status)}` : ''}`,
    ),
  ];
}

async function askCodex(p: Platform, bin: string, e: ScannedEntry, timeoutMs: number): Promise<DoctorCheck[]> {
  const w: Where = { subject: `${e.name}/codex`, server: e.name, target: 'codex' };
  const r = await run(p, bin, ['mcp', 'get', e.name, '--json'], timeoutMs);
  if (r.code !== 0)
    return [fail(w, 'deep.codex', `\`codex mcp get ${sh(e.name)} --json\` failed: ${firstLine(r.stderr || r.stdout)}`, `mcpwire doctor ${sh(e.name)} --fix`)];
  let url: string | undefined;
  try {
    const v = JSON.parse(r.stdout) as { transport?: { url?: unknown }; enabled?: unknown };
    url = typeof v.transport?.url === 'string' ? v.transport.url : undefined;
    if (v.enabled === false) return [warn(w, 'deep.codex', `Codex has ${e.name} disabled`, `Set enabled = true under [mcp_servers.${e.name}]`)];
  } catch {
    return [warn(w, 'deep.codex', `\`codex mcp get ${sh(e.name)} --json\` did not answer JSON: ${firstLine(r.stdout)}`)];
  }
  if (e.read.url && url && !sameUrl(url, e.read.url))
    return [fail(w, 'deep.codex', `Codex uses ${showUrl(url)} for ${sh(e.name)}, the file says ${showUrl(e.read.url)}`, `codex mcp get ${sh(e.name)} --json`)];
  return [ok(w, 'deep.codex', `\`codex mcp get ${sh(e.name)} --json\` agrees${url ? ` (${showUrl(url)})` : ''}`)];
}

/** Start a bridge entry as its client would, send initialize, and report its answer (or why none came). */
export function startBridge(p: Platform, e: ScannedEntry, timeoutMs: number, signal: AbortSignal): Promise<DoctorCheck[]> {
  const w: Where = { subject: `${e.name}/${e.target.id}`, server: e.name, target: e.target.id };
  const raw = e.raw as { command?: unknown; args?: unknown; env?: unknown; cwd?: unknown };
  if (typeof raw.command !== 'string') return Promise.resolve([]);
  const args = Array.isArray(raw.args) ? raw.args.filter((a): a is string => typeof a === 'string') : [];
  const env: Record<string, string | undefined> = { ...p.env };
  if (raw.env && typeof raw.env === 'object') for (const [k, v] of Object.entries(raw.env)) if (typeof v === 'string') env[k] = v;
  return new Promise((resolve) => {
    let settled = false;
    let stdout = '';
    let stderr = '';
    const child = spawn(raw.command as string, args, {
      env: env as NodeJS.ProcessEnv,
      cwd: typeof raw.cwd === 'string' ? raw.cwd : p.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const finish = (c: DoctorCheck) => {
      if (settled) return;
      settled = true;
      cancel();
      signal.removeEventListener('abort', onAbort);
      child.stdin.destroy();
      child.kill();
      resolve([c]);
    };
    const onAbort = () => child.kill();
    signal.addEventListener('abort', onAbort);
    const cancel = deadline(timeoutMs, () =>
      finish(
        fail(
          w,
          'client.bridge-start',
          `the bridge started but did not answer initialize within ${timeoutMs / 1000} s`,
          `Run it by hand to see why: ${printable([raw.command, ...args].join(' '))}`,
        ),
      ),
    );
    child.on('error', (err) =>
      finish(
        fail(w, 'client.bridge-start', `the bridge does not start: ${printable(err.message)}`, `mcpwire mcp add ${sh(e.name)} --target ${e.target.id} --force`),
      ),
    );
    child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
    child.stdout.on('data', (d) => {
      stdout += String(d);
      for (const line of stdout.split('\n').slice(0, -1)) {
        let m: {
          id?: unknown;
          result?: { serverInfo?: { name?: unknown; version?: unknown }; protocolVersion?: unknown };
          error?: { message?: unknown; data?: unknown };
        };
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        if (m.id !== 1) continue;
        if (m.error) {
          const fix = (m.error.data as { fix?: unknown } | undefined)?.fix;
          finish(
            fail(
              w,
              'client.bridge-start',
              `the bridge answers initialize with an error: ${printable(String(m.error.message))}`,
              typeof fix === 'string' ? fix : `mcpwire auth login ${sh(e.name)}`,
            ),
          );
        } else {
          const info = m.result?.serverInfo;
          finish(
            ok(
              w,
              'client.bridge-start',
              `the bridge starts and answers initialize (MCP ${printable(String(m.result?.protocolVersion ?? '?'))}${info?.name ? `, ${printable(String(info.name))}${info.version ? ` ${printable(String(info.version))}` : ''}` : ''})`,
            ),
          );
        }
        return;
      }
    });
    child.on('exit', (code) =>
      // Give stdout a moment: an answer and an exit can arrive together.
      setTimeout(
        () =>
          finish(
            fail(
              w,
              'client.bridge-start',
              `the bridge exited (code ${code}) before answering initialize${stderr.trim() ? `: ${firstLine(stderr)}` : ''}`,
              `mcpwire mcp add ${sh(e.name)} --target ${e.target.id} --force`,
            ),
          ),
        50,
      ),
    );
    child.stdin.on('error', () => {});
    child.stdin.write(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcpwire-doctor', version: '1' } },
      }) + '\n',
    );
  });
}

function resolves(p: Platform, command: unknown): boolean {
  if (typeof command !== 'string') return false;
  return p.path.isAbsolute(command) ? p.fs.existsSync(command) : which(p, command) !== undefined;
}

/** Package runners fetch what they run: started only with --deep (the user asked for the slow, thorough run). */
const PACKAGE_RUNNER = /(^|[\\/])(npx|npm|pnpm|pnpx|bunx|yarn|uvx)(\.cmd|\.exe)?$/i;

/** Every bridge entry started as its client starts it (a package runner's only with `deep`). */
export async function bridgeChecks(p: Platform, entries: readonly ScannedEntry[], timeoutMs: number, deep: boolean): Promise<DoctorCheck[]> {
  const jobs: Array<Promise<DoctorCheck[]>> = [];
  for (const e of entries) {
    if (e.shadowedBy || e.misplaced || e.read.kind !== 'bridge') continue;
    const command = (e.raw as { command?: unknown; args?: unknown }).command;
    // A command that does not resolve is already a finding (client.bridge): nothing to start.
    if (!resolves(p, command)) continue;
    const w: Where = { subject: `${e.name}/${e.target.id}`, server: e.name, target: e.target.id };
    const args = (e.raw as { args?: unknown }).args;
    const runner = [command, ...(Array.isArray(args) ? args.slice(0, 2) : [])].some((a) => typeof a === 'string' && PACKAGE_RUNNER.test(a));
    if (runner && !deep) {
      jobs.push(Promise.resolve([ok(w, 'client.bridge-start', 'not started: its package runner may download first (`mcpwire doctor --deep` starts it)')]));
      continue;
    }
    // A bridge starts Node and then talks to the server: twice the limit.
    jobs.push(guard(w, 'client.bridge-start', timeoutMs * 2, (signal) => startBridge(p, e, timeoutMs * 2, signal)));
  }
  return (await Promise.all(jobs)).flat();
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
