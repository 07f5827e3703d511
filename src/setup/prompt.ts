/**
 * setup's questions on a terminal, on @inquirer/prompts (arrow keys, a checkbox list). This module is
 * loaded only when a question is asked: `mcp add`, `--help` and a run with every answer in its flags
 * never load it. Ctrl-C at any question cancels the run before anything is written: a UserError with
 * exit code 130. Each question opens and closes its own readline, so between questions (before a
 * hidden key read or a browser sign-in) the terminal is back in cooked mode and stdin is paused.
 */
import { checkbox, confirm, input, password, select } from '@inquirer/prompts';
import { UserError } from '../errors.js';
import type { IO } from '../ui.js';

export interface Choice<T> {
  value: T;
  label: string;
  /** Pre-checked (checkbox) or the default (select). */
  checked?: boolean;
  /** Shown dim after the label, e.g. "not found". */
  note?: string;
}

export interface Asker {
  text(question: string, def?: string): Promise<string>;
  /** Typed masked; never echoed. */
  secret(question: string): Promise<string>;
  select<T>(question: string, choices: Choice<T>[]): Promise<T>;
  checkbox<T>(question: string, choices: Choice<T>[]): Promise<T[]>;
  confirm(question: string, def: boolean): Promise<boolean>;
  close(): void;
}

const cancelled = () => new UserError('Cancelled; nothing was changed.', { exitCode: 130 });

export function terminalAsker(io: IO): Asker {
  // The questions go to stderr: stdout stays for the command's results.
  const context = { input: process.stdin, output: process.stderr };
  let closed = false;
  // Ctrl-C (inquirer's ExitPromptError) or a closed asker: the run is cancelled, nothing written.
  const ask = async <T>(run: () => Promise<T>): Promise<T> => {
    if (closed) throw cancelled();
    try {
      return await run();
    } catch (e) {
      if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) throw cancelled();
      throw e;
    }
  };
  const label = <T>(c: Choice<T>) => `${c.label}${c.note ? ' ' + io.style.dim(`(${c.note})`) : ''}`;
  return {
    text: (message, def) => ask(() => input({ message, default: def || undefined, required: def === undefined }, context).then((a) => a.trim())),
    secret: (message) => ask(() => password({ message, mask: '*', validate: (v) => v.trim() !== '' || 'Type the key, or Ctrl-C to stop.' }, context)),
    select: (message, choices) =>
      ask(() =>
        select(
          {
            message,
            choices: choices.map((c) => ({ value: c.value, name: label(c) })),
            default: (choices.find((c) => c.checked) ?? choices[0])?.value,
            loop: false,
          },
          context,
        ),
      ),
    checkbox: (message, choices) =>
      ask(() =>
        checkbox(
          {
            message,
            choices: choices.map((c) => ({ value: c.value, name: label(c), checked: Boolean(c.checked) })),
            required: true,
            loop: false,
            pageSize: Math.max(7, choices.length),
          },
          context,
        ),
      ),
    confirm: (message, def) => ask(() => confirm({ message, default: def }, context)),
    close() {
      closed = true;
    },
  };
}
