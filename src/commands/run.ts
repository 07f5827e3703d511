/**
 * How a command runs: build the context, call it, turn a UserError into its message, its fix and its
 * exit code (a stack trace only with --verbose). Each command bundle carries its own copy, so error
 * classes never cross bundle boundaries.
 */
import { UserError } from '../errors.js';
import { createContext, type Context } from './context.js';

export async function runCommand(verbose: boolean, fn: (ctx: Context) => number | Promise<number>): Promise<number> {
  try {
    return await fn(createContext({ verbose }));
  } catch (e) {
    const err = process.stderr;
    if (e instanceof UserError) {
      err.write(`mcpwire: ${e.message}\n`);
      if (e.fix) err.write(`fix: ${e.fix}\n`);
      if (verbose && e.stack) err.write(e.stack + '\n');
      return e.exitCode;
    }
    const io = e as NodeJS.ErrnoException;
    err.write(`mcpwire: ${io.message ?? String(e)}\n`);
    if (verbose && io.stack) err.write(io.stack + '\n');
    else err.write('Run again with --verbose for details.\n');
    return 1;
  }
}
