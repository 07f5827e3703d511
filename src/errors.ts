/**
 * Errors are values with a message for a person: what happened, where, and the command that fixes it.
 * The CLI prints `message` and `fix`; a stack trace only with --verbose.
 */
export class UserError extends Error {
  /** 1: the operation failed; 2: bad usage or bad input (see cli-contract.md). */
  readonly exitCode: 1 | 2 | 130;
  /** One line telling the person what to do next (a command or a step). */
  readonly fix?: string;
  constructor(message: string, opts: { exitCode?: 1 | 2 | 130; fix?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'UserError';
    this.exitCode = opts.exitCode ?? 2;
    this.fix = opts.fix;
  }
}

/**
 * A UserError thrown in another bundle, as one of this bundle's: each bundle has its own copy of the
 * class, so `instanceof` fails across them and the fix would be lost. Anything else is returned as is.
 */
export function ownUserError(e: unknown): unknown {
  if (e instanceof UserError || !(e instanceof Error)) return e;
  const { exitCode, fix } = e as Partial<UserError>;
  if ((exitCode !== 1 && exitCode !== 2 && exitCode !== 130) || !('fix' in e)) return e;
  return new UserError(e.message, { exitCode, fix, cause: e });
}

/** A config file that does not parse. Always refused; the file is left untouched. */
export class ConfigParseError extends UserError {
  readonly file: string;
  readonly line: number; // 1-based
  readonly column: number; // 1-based
  readonly reason: string;
  constructor(file: string, line: number, column: number, reason: string, fix?: string) {
    super(`${file}:${line}:${column}: ${reason}. The file was not changed.`, {
      exitCode: 2,
      fix: fix ?? `Fix the syntax at ${file}:${line}:${column} (or restore a backup), then run the command again.`,
    });
    this.name = 'ConfigParseError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/**
 * The editor could not make the change safely (an unusual layout it will not touch, or the result
 * would differ from the intended change anywhere but the entry). The file is left untouched.
 */
export class UnsafeEditError extends UserError {
  constructor(file: string, reason: string, fix?: string) {
    super(`${file}: ${reason}. The file was not changed.`, {
      exitCode: 2,
      fix: fix ?? `Edit ${file} by hand, or move the entry into the usual layout, then run the command again.`,
    });
    this.name = 'UnsafeEditError';
  }
}

/** 1-based line and column of a 0-based offset in text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
