/**
 * How a command runs: build the context (or take the one a test injects), call it, turn an error into
 * its message, its fix and its exit code (a stack trace only with --verbose). With --json the error is
 * also JSON on stdout, so a script reading stdout always gets JSON. Each command bundle carries its own
 * copy; an error from a bundle it loads (its own class) is taken by its fields (ownUserError).
 */
import { ownUserError, UserError } from '../errors.js';
import { currentPlatform } from '../platform.js';
import { createIO, printable, type IO } from '../ui.js';
import { createContext, type Context } from './context.js';

export interface RunOptions {
  verbose?: boolean;
  json?: boolean;
  /** A ready context (tests: a scratch platform and a captured IO). */
  context?: Context;
}

/** The contract's error shape for --json: `{"error":{"message","fix","exitCode"}}`. */
export function errorJson(message: string, fix: string | undefined, exitCode: number): { error: { message: string; fix: string | null; exitCode: number } } {
  return { error: { message, fix: fix ?? null, exitCode } };
}

export async function runCommand(opts: RunOptions, fn: (ctx: Context) => number | Promise<number>): Promise<number> {
  let ctx = opts.context;
  try {
    ctx ??= createContext({ verbose: opts.verbose });
    return await fn(ctx);
  } catch (e) {
    return reportError(ctx?.io ?? createIO(currentPlatform()), e, opts);
  }
}

function reportError(io: IO, thrown: unknown, opts: RunOptions): number {
  // A UserError of another bundle (the OAuth session's, loaded by `auth login`) is one of ours: its own
  // copy of the class fails `instanceof` here, and its fix and exit code would be lost.
  const e = ownUserError(thrown);
  // Messages carry names, URLs and paths from files and servers: shown with control characters escaped.
  if (e instanceof UserError) {
    io.err(`mcpwire: ${printable(e.message)}`);
    if (e.fix) io.err(`fix: ${printable(e.fix)}`);
    const stack = (thrown as Error).stack;
    if (opts.verbose && stack) io.err(stack);
    if (opts.json) io.json(errorJson(e.message, e.fix, e.exitCode));
    return e.exitCode;
  }
  const err = e as NodeJS.ErrnoException;
  const message = String(err?.message ?? e);
  io.err(`mcpwire: ${printable(message)}`);
  if (opts.verbose && err?.stack) io.err(err.stack);
  else io.err('Run again with --verbose for details.');
  if (opts.json) io.json(errorJson(message, 'Run again with --verbose for details.', 1));
  return 1;
}
