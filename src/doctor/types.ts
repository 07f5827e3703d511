/**
 * doctor's report, shared by `mcpwire doctor` and `mcpwire setup` (which runs doctor on what it just
 * wrote). The JSON shape is the contract's: `{"ok", "checks":[{"id","subject","status","message","fix"}]}`.
 */
import type { Context } from '../commands/context.js';
import type { TargetId } from '../targets/ids.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  /** Stable identifier of the kind of check, e.g. `server.tls`, `client.shape`, `auth.stored`. */
  id: string;
  /** What was checked: `pelcro` (the server), `pelcro/cursor` (its entry in a client), `environment`. */
  subject: string;
  status: CheckStatus;
  message: string;
  /** The runnable command (or the step) that fixes a problem; absent when there is nothing to fix. */
  fix?: string;
  /** The server this check is about (for grouping); absent for file-wide and environment checks. */
  server?: string;
  /** The client this check is about (for grouping). */
  target?: string;
  /** How long the check took, milliseconds (the bench compares the wall time with the slowest). */
  ms?: number;
}

export interface DoctorReport {
  /** false when any check failed (warnings do not fail). */
  ok: boolean;
  checks: DoctorCheck[];
  /** The servers checked, with the URL each was checked at. */
  servers?: Array<{ name: string; url: string }>;
  /** What --fix changed (file, entry, what was done). */
  fixed?: Array<{ target: string; file: string; name: string; action: string }>;
}

export interface DoctorOptions {
  /** The server names to check; empty: every server recorded or found in a client file. */
  names?: readonly string[];
  /** Limit the client checks to these targets (setup passes the clients it wrote). */
  targets?: readonly TargetId[];
  /** Per-check timeout, seconds (default 5). */
  timeoutSeconds?: number;
  /** Ask the installed client CLIs too (`claude mcp get`, `codex mcp get --json`). */
  deep?: boolean;
}

/** The entry point setup and the doctor command share: runs every check concurrently, never throws for a failed check. */
export type RunDoctor = (ctx: Context, opts: DoctorOptions) => Promise<DoctorReport>;
