/**
 * The top-level help is built from each command's summary only (name, arguments, description, whether
 * it takes options), not from all their options and subcommands: it must read exactly as the help of
 * the whole program, at any width, with colour or without.
 */
import { expect, test } from 'vitest';
import { buildProgram } from '../../src/cli.js';

const ROOT_HELP = [[], ['--help'], ['-h'], ['help'], ['--version'], ['-V']];

function helpOf(argv: readonly string[] | undefined, width: number, colour: boolean): { text: string; commands: string[]; version?: string } {
  const program = buildProgram({ argv: argv === undefined ? undefined : ['node', 'mcpwire', ...argv] });
  program.configureOutput({ getOutHelpWidth: () => width, getOutHasColors: () => colour, getErrHelpWidth: () => width, getErrHasColors: () => colour });
  return { text: program.helpInformation(), commands: program.commands.map((c) => c.name()), version: program.version() };
}

test.each(ROOT_HELP)(
  'mcpwire %s: the top-level help of the summaries (and the version) is that of the whole program, at every width, in colour or not',
  (...args) => {
    for (const width of [40, 80, 132, 200])
      for (const colour of [false, true]) {
        const whole = helpOf(undefined, width, colour);
        const summary = helpOf(args, width, colour);
        expect(summary.text).toBe(whole.text);
        expect(summary.commands).toEqual(whole.commands);
        expect(summary.version).toBe(whole.version);
      }
  },
);

test('the summaries are used for the top-level help only: a command named, or anything more, builds the commands whole', () => {
  const optionsOf = (argv: string[], name: string) =>
    buildProgram({ argv: ['node', 'mcpwire', ...argv] })
      .commands.find((c) => c.name() === name)!
      .options.map((o) => o.long);
  // The top-level help: setup stands for its options with one hidden placeholder.
  expect(optionsOf(['--help'], 'setup')).toEqual(['--options']);
  for (const argv of [['setup', '--help'], ['help', 'setup'], ['--verbose', '--help'], ['setpu']]) {
    const options = optionsOf(argv, 'setup');
    expect(options).toContain('--target');
    expect(options).not.toContain('--options');
  }
  expect(
    buildProgram({ argv: ['node', 'mcpwire', 'help', 'mcp'] })
      .commands.find((c) => c.name() === 'mcp')!
      .commands.map((c) => c.name()),
  ).toEqual(['add', 'remove', 'list', 'undo']);
});
