/**
 * How checks run: each is an async function returning findings; `guard` gives it its own time limit and
 * turns anything it throws into a failed finding, so one broken check never hides the others and
 * runDoctor never throws for a check.
 */
import type { CheckStatus, DoctorCheck } from './types.js';

export const DEFAULT_CHECK_TIMEOUT_S = 5;

/** Where a finding belongs in the report. */
export interface Where {
  subject: string;
  server?: string;
  target?: string;
}

/**
 * When each finding was made (performance.now()), kept beside it, not in it (findings are the JSON
 * report). A check's time ends with its last finding: waiting for its promise instead would also count
 * whatever else runs before the promise's continuation does (other checks started in the same turn).
 */
const madeAt = new WeakMap<DoctorCheck, number>();

export function finding(where: Where, id: string, status: CheckStatus, message: string, fix?: string): DoctorCheck {
  const c: DoctorCheck = { id, ...where, status, message, ...(fix ? { fix } : {}) };
  madeAt.set(c, performance.now());
  return c;
}

export const ok = (w: Where, id: string, message: string) => finding(w, id, 'ok', message);
export const warn = (w: Where, id: string, message: string, fix?: string) => finding(w, id, 'warn', message, fix);
export const fail = (w: Where, id: string, message: string, fix?: string) => finding(w, id, 'fail', message, fix);

/** A check ran out of its time: said so, with the flag that allows more. */
export class CheckTimeout extends Error {
  constructor(readonly seconds: number) {
    super(`no answer within ${seconds} s`);
  }
}

/**
 * Call `expired` once `ms` have passed, unless cancelled first. The verdict waits one more turn of the
 * event loop: on a busy machine the process may not run for a while (measured in CI: over a second),
 * and when it runs again the timer is served before the I/O that completed meanwhile (a connection
 * made, an answer received). That I/O is handled first, so a server that answered in time is not
 * reported silent. Returns the cancel function.
 */
export function deadline(ms: number, expired: () => void): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => (immediate = setImmediate(expired)), ms);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}

/**
 * Run one check within `timeoutMs`. Its findings get the time it took (until its last finding was made);
 * a throw becomes one failed finding (`id`, `where`) with the error's message; running out of time, one
 * failed finding that says so.
 */
export async function guard(where: Where, id: string, timeoutMs: number, run: (signal: AbortSignal) => Promise<DoctorCheck[]>): Promise<DoctorCheck[]> {
  const started = performance.now();
  const abort = new AbortController();
  let cancel: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    cancel = deadline(timeoutMs, () => {
      abort.abort();
      reject(new CheckTimeout(Math.round(timeoutMs / 100) / 10));
    });
  });
  let out: DoctorCheck[];
  try {
    out = await Promise.race([run(abort.signal), timeout]);
  } catch (e) {
    const message = e instanceof CheckTimeout ? `${labelOf(id)}: ${e.message}` : `${labelOf(id)}: ${(e as Error)?.message ?? String(e)}`;
    out = [
      fail(
        where,
        id,
        message,
        e instanceof CheckTimeout ? 'Check the server and your network; `mcpwire doctor --timeout SECONDS` allows more time.' : undefined,
      ),
    ];
  } finally {
    cancel?.();
  }
  const now = performance.now();
  const ended = Math.min(now, Math.max(...out.map((c) => madeAt.get(c) ?? now)));
  const ms = Math.max(0, Math.round(ended - started));
  return out.map((c) => ({ ...c, ms: c.ms ?? ms }));
}

/** `server.tls` → `TLS`: how a finding's kind is named in a message. */
function labelOf(id: string): string {
  const LABELS: Record<string, string> = {
    'server.dns': 'DNS',
    'server.tcp': 'TCP',
    'server.tls': 'TLS',
    'server.http': 'HTTP',
    'server.health': 'health endpoint',
    'mcp.handshake': 'MCP handshake',
    'mcp.tools': 'tools/list',
    'auth.discovery': 'authorization discovery',
    'auth.stored': 'stored credential',
  };
  return LABELS[id] ?? id;
}

/** ok < warn < fail. */
export function worst(checks: readonly DoctorCheck[]): DoctorCheck['status'] {
  return checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'warn') ? 'warn' : 'ok';
}

/**
 * A word of a fix command, quoted for a POSIX shell when it needs it: names, paths and URLs come from
 * files and servers, and a fix is meant to be pasted into a terminal.
 */
export function sh(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
