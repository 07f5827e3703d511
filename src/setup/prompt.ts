/**
 * setup's questions on a terminal, line by line on node:readline (loaded only when a question is
 * asked). Ctrl-C (or the end of input) at any question cancels the run before anything is written:
 * a UserError with exit code 130.
 */
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
  select<T>(question: string, choices: Choice<T>[]): Promise<T>;
  checkbox<T>(question: string, choices: Choice<T>[]): Promise<T[]>;
  confirm(question: string, def: boolean): Promise<boolean>;
  close(): void;
}

const cancelled = () => new UserError('Cancelled; nothing was changed.', { exitCode: 130 });

export function terminalAsker(io: IO): Asker {
  // require, not import(): the bundles run as CommonJS through V8's code cache, which has no dynamic import.
  const readline = require('node:readline') as typeof import('node:readline');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  let closed = false;
  let reject: ((e: Error) => void) | undefined;
  const cancel = () => {
    closed = true;
    process.stderr.write('\n');
    reject?.(cancelled());
  };
  rl.on('SIGINT', cancel);
  rl.on('close', () => {
    if (!closed) cancel();
  });
  const ask = (q: string) =>
    new Promise<string>((resolve, rej) => {
      if (closed) return rej(cancelled());
      reject = rej;
      rl.question(q, (a) => {
        reject = undefined;
        resolve(a.trim());
      });
    });
  const say = (line: string) => io.err(line);
  return {
    async text(question, def) {
      for (;;) {
        const a = await ask(`${question}${def ? ` (${def})` : ''}: `);
        if (a || def !== undefined) return a || def!;
      }
    },
    async select(question, choices) {
      say(question);
      choices.forEach((c, i) => say(`  ${i + 1}) ${c.label}${c.note ? ' ' + io.style.dim(`(${c.note})`) : ''}`));
      const def = Math.max(
        0,
        choices.findIndex((c) => c.checked),
      );
      for (;;) {
        const a = await ask(`Choose 1-${choices.length} (${def + 1}): `);
        const n = a === '' ? def + 1 : Number(a);
        if (Number.isInteger(n) && n >= 1 && n <= choices.length) return choices[n - 1].value;
        say(`  Type a number from 1 to ${choices.length}.`);
      }
    },
    async checkbox(question, choices) {
      const on = choices.map((c) => Boolean(c.checked));
      for (;;) {
        say(question);
        choices.forEach((c, i) => say(`  [${on[i] ? 'x' : ' '}] ${i + 1}) ${c.label}${c.note ? ' ' + io.style.dim(`(${c.note})`) : ''}`));
        const a = await ask('Numbers to check or uncheck (e.g. 2 4), Enter when done: ');
        if (a === '') {
          if (on.some(Boolean)) return choices.filter((_, i) => on[i]).map((c) => c.value);
          say('  Check at least one.');
          continue;
        }
        const picks = a.split(/[\s,]+/).map(Number);
        if (picks.some((n) => !Number.isInteger(n) || n < 1 || n > choices.length)) {
          say(`  Type numbers from 1 to ${choices.length}.`);
          continue;
        }
        for (const n of picks) on[n - 1] = !on[n - 1];
      }
    },
    async confirm(question, def) {
      for (;;) {
        const a = (await ask(`${question} (${def ? 'Y/n' : 'y/N'}) `)).toLowerCase();
        if (a === '') return def;
        if (a === 'y' || a === 'yes') return true;
        if (a === 'n' || a === 'no') return false;
      }
    },
    close() {
      closed = true;
      rl.close();
    },
  };
}
