/**
 * The launcher's shortcut for `mcp add|remove|list` (src/commands/fast-args.ts) reads a command line
 * exactly as commander does, or leaves it to commander. Both are compared here: the shortcut's table
 * against commander's definitions in src/cli.ts, and the two parsers on a generated corpus of command
 * lines (options in every spelling, values that look like options, the program's own options, help,
 * unknown options, too many arguments).
 */
import { CommanderError, type Command, type Option } from 'commander';
import { describe, expect, test } from 'vitest';
import { buildProgram, type LoadBundle } from '../../src/cli.js';
import type { Context } from '../../src/commands/context.js';
import { FAST_COMMANDS, parseFast, type FastCommand, type FastOption } from '../../src/commands/fast-args.js';
import { prng } from '../prng.js';
import { testIO } from '../test-io.js';

type Parsed = { command: FastCommand; arg: string | undefined; opts: Record<string, unknown> };

/** What commander hands the action: the command, its argument and its option values; or the usage error it raised. */
async function viaCommander(args: string[]): Promise<Parsed | 'error' | 'help'> {
  let got: Parsed | undefined;
  const capture = (command: FastCommand) => (_ctx: Context, arg: string | undefined, opts?: Record<string, unknown>) => {
    // list has no argument: the action passes the options first
    got = command === 'mcp list' ? { command, arg: undefined, opts: { ...(arg as unknown as Record<string, unknown>) } } : { command, arg, opts: { ...opts } };
    return 0;
  };
  const bundle = {
    runCommand: async (_o: unknown, fn: (ctx: Context) => number) => fn({} as Context),
    mcpAdd: capture('mcp add'),
    mcpRemove: capture('mcp remove'),
    mcpList: capture('mcp list'),
    setupMain: capture('setup'),
  };
  const load = (() => bundle) as unknown as LoadBundle;
  const t = testIO();
  const argv = ['node', 'mcpwire', ...args];
  try {
    await buildProgram({ load, context: { io: t.io } as Context, argv }).parseAsync(argv);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return e.exitCode === 0 ? 'help' : 'error';
  }
  return got ?? 'error';
}

function definition(command: FastCommand): Command {
  const [first, second] = command.split(' ');
  const program = buildProgram({ argv: ['node', 'mcpwire', first] });
  const top = program.commands.find((c) => c.name() === first)!;
  return second ? top.commands.find((c) => c.name() === second)! : top;
}

describe('the shortcut for mcp add|remove|list and setup', () => {
  test("its table is commander's definition of each command (flags, keys, values, defaults, choices, arguments)", () => {
    for (const name of Object.keys(FAST_COMMANDS) as FastCommand[]) {
      const cmd = definition(name);
      const fromCommander = (cmd.options as readonly Option[]).map((o) => {
        expect(o.optional || o.variadic || o.mandatory || o.envVar !== undefined || o.presetArg !== undefined).toBe(false);
        const kind = o.negate ? 'negate' : !o.required ? 'flag' : o.parseArg && !o.argChoices ? 'repeat' : 'value';
        const d: FastOption = { long: o.long!, key: o.attributeName(), kind };
        if (o.short) d.short = o.short;
        if (o.defaultValue !== undefined) d.default = o.defaultValue as string;
        // A negated flag (--no-login) is true until given: commander's value for it without a default.
        if (o.negate) expect(cmd.getOptionValue(o.attributeName())).toBe(true);
        if (o.argChoices) d.choices = o.argChoices;
        return d;
      });
      const table = (FAST_COMMANDS[name].options as readonly FastOption[]).map((o) => ({ ...o, ...(o.choices ? { choices: [...o.choices] } : {}) }));
      expect(table, name).toEqual(fromCommander);
      expect(FAST_COMMANDS[name].args, name).toBe(cmd.registeredArguments.length);
      expect(cmd.registeredArguments.every((a) => !a.required && !a.variadic)).toBe(true);
    }
  });

  test('the common command lines are taken', () => {
    const bench = ['mcp', 'add', '--target', 'all', '--url', 'https://mcp.pelcro.com/', '--name', 'pelcro'];
    expect(parseFast(bench)).toEqual({
      command: 'mcp add',
      arg: undefined,
      opts: { scope: 'user', target: 'all', url: 'https://mcp.pelcro.com/', name: 'pelcro' },
    });
    expect(parseFast(['mcp', 'add', 'pelcro', '-t', 'cursor,codex', '--header=X-Api-Key: k', '--header', 'A: b', '-y', '--json'])).toEqual({
      command: 'mcp add',
      arg: 'pelcro',
      opts: { scope: 'user', target: 'cursor,codex', header: ['X-Api-Key: k', 'A: b'], yes: true, json: true },
    });
    expect(parseFast(['mcp', 'remove', 'pelcro', '--dry-run'])).toEqual({ command: 'mcp remove', arg: 'pelcro', opts: { dryRun: true } });
    expect(parseFast(['mcp', 'list', '--json'])).toEqual({ command: 'mcp list', arg: undefined, opts: { json: true } });
    expect(parseFast(['setup', 'pelcro', '--target', 'all', '--yes', '--no-doctor', '--via=bridge'])).toEqual({
      command: 'setup',
      arg: 'pelcro',
      opts: { target: 'all', yes: true, login: true, doctor: false, browser: true, via: 'bridge' },
    });
  });

  test('help, the version, --verbose, unknown options and extra arguments are left to commander', () => {
    for (const args of [
      ['mcp', 'add', '--help'],
      ['mcp', 'add', '-h'],
      ['mcp', 'list', '--name', '-V'],
      ['mcp', 'add', '--verbose'],
      ['mcp', 'add', '--bogus'],
      ['mcp', 'add', '-yt', 'all'],
      ['mcp', 'add', '--yes=1'],
      ['mcp', 'add', '--env', 'nowhere'],
      ['mcp', 'add', '--url'],
      ['mcp', 'add', 'a', 'b'],
      ['mcp', 'list', 'x'],
      ['mcp', 'add', '--', 'x'],
      ['mcp', 'undo'],
      ['setup', '--login'],
      ['setup', '--no-doctor=1'],
      ['setup', '--via', 'carrier-pigeon'],
      ['doctor'],
    ])
      expect(parseFast(args), args.join(' ')).toBeNull();
  });

  test('on a generated corpus, whatever it takes, commander reads the same; what commander refuses, it leaves', async () => {
    const rand = prng(20261130);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const values = [
      'pelcro',
      'https://mcp.pelcro.com/',
      'K: V',
      'A=B',
      '',
      '-',
      '-x',
      '--json',
      '--',
      '-h',
      '--help',
      '-V',
      'staging',
      'production',
      'nowhere',
      'help',
      'all',
    ];
    const noise = [
      '--verbose',
      '-V',
      '--version',
      '-h',
      '--help',
      '--',
      '--bogus',
      '-x',
      '-yt',
      '-tall',
      '--yes=1',
      '--url=',
      '--=x',
      '-',
      'pelcro',
      'extra',
      '-1',
      '--login',
      '--no-json',
      'bridge',
    ];
    let taken = 0;
    let left = 0;
    for (let n = 0; n < 2000; n++) {
      const command = pick(Object.keys(FAST_COMMANDS) as FastCommand[]);
      const options = FAST_COMMANDS[command].options as readonly FastOption[];
      const args = command.split(' ');
      const count = Math.floor(rand() * 6);
      for (let k = 0; k < count; k++) {
        const r = rand();
        if (r < 0.6) {
          const o = pick(options);
          const spelling = o.short && rand() < 0.5 ? o.short : o.long;
          if (o.kind === 'flag' || o.kind === 'negate') args.push(rand() < 0.1 ? `${spelling}=1` : spelling);
          else if (spelling === o.long && rand() < 0.3) args.push(`${o.long}=${pick(values)}`);
          else args.push(spelling, ...(rand() < 0.95 ? [o.choices && rand() < 0.7 ? pick(o.choices) : pick(values)] : []));
        } else if (r < 0.8) args.push(pick(['pelcro', 'help', 'x y']));
        else args.push(pick(noise));
      }
      const fast = parseFast(args);
      const slow = await viaCommander(args);
      if (fast === null) {
        left++;
        continue;
      }
      taken++;
      expect(slow, args.join(' ')).toEqual(fast);
    }
    // Both kinds were seen often enough for the comparison to mean something.
    expect(taken).toBeGreaterThan(300);
    expect(left).toBeGreaterThan(300);
  });
});
