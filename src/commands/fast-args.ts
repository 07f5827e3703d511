/**
 * The launcher's shortcut for the commonest commands (`mcp add`, `mcp remove`, `mcp list`, `setup`):
 * their arguments read without commander, so such a command never loads the CLI bundle (commander and
 * every command's definition: ~4-5 ms of a ~120 ms `mcp add`, measured). Only what commander would read the
 * same way is taken here; anything else (help, --version, --verbose, an unknown or malformed option, a
 * value commander would refuse, `--`, grouped short flags, too many arguments) returns null, and the
 * command goes through commander as always, with its messages and suggestions.
 *
 * The table below must match the commander definitions of these commands in src/cli.ts; a test
 * (test/unit/fast-args.test.ts) reads both and compares them, and parses a corpus of command lines both
 * ways. bin/mcpwire.js sends these commands to their bundle's `fastMain` (mcp.cjs, setup.cjs);
 * test/integration/cli.test.ts checks that each one reads its bundle alone.
 */
import { PRESET_ENVS } from '../presets/index.js';

export interface FastOption {
  long: string;
  short?: string;
  /** The key in commander's option values (`--dry-run` → dryRun). */
  key: string;
  /** flag: no value; negate: `--no-x`, x false (true unless given); value: one value (the last one given wins); repeat: each value appended. */
  kind: 'flag' | 'negate' | 'value' | 'repeat';
  default?: string;
  choices?: readonly string[];
}

const target: FastOption = { long: '--target', short: '-t', key: 'target', kind: 'value' };
const name: FastOption = { long: '--name', key: 'name', kind: 'value' };
const account: FastOption = { long: '--account', key: 'account', kind: 'value' };
const dryRun: FastOption = { long: '--dry-run', key: 'dryRun', kind: 'flag' };
const json: FastOption = { long: '--json', key: 'json', kind: 'flag' };
const yes: FastOption = { long: '--yes', short: '-y', key: 'yes', kind: 'flag' };

const headerEnv: FastOption = { long: '--header-env', key: 'headerEnv', kind: 'repeat' };
const env: FastOption = { long: '--env', key: 'env', kind: 'value', choices: PRESET_ENVS };
const force: FastOption = { long: '--force', key: 'force', kind: 'flag' };
const flag = (long: string, key: string): FastOption => ({ long, key, kind: 'flag' });
const value = (long: string, key: string): FastOption => ({ long, key, kind: 'value' });

/** Each command's options, in the order src/cli.ts defines them, and how many arguments it takes. */
export const FAST_COMMANDS = {
  'mcp add': {
    args: 1,
    options: [
      target,
      name,
      value('--url', 'url'),
      account,
      { long: '--scope', key: 'scope', kind: 'value', default: 'user' },
      { long: '--header', key: 'header', kind: 'repeat' },
      headerEnv,
      env,
      dryRun,
      json,
      yes,
      force,
    ],
  },
  'mcp remove': { args: 1, options: [target, name, account, value('--scope', 'scope'), dryRun, json, yes] },
  'mcp list': { args: 0, options: [target, json] },
  setup: {
    args: 1,
    options: [
      target,
      { long: '--via', key: 'via', kind: 'value', choices: ['native', 'bridge'] },
      value('--scope', 'scope'),
      name,
      account,
      env,
      flag('--api-key', 'apiKey'),
      value('--api-key-header', 'apiKeyHeader'),
      headerEnv,
      { long: '--no-login', key: 'login', kind: 'negate' },
      { long: '--no-doctor', key: 'doctor', kind: 'negate' },
      { long: '--no-browser', key: 'browser', kind: 'negate' },
      value('--port', 'port'),
      value('--timeout', 'timeout'),
      value('--browser-timeout', 'browserTimeout'),
      dryRun,
      json,
      yes,
      force,
    ],
  },
} as const satisfies Record<string, { args: number; options: readonly FastOption[] }>;

export type FastCommand = keyof typeof FAST_COMMANDS;

export interface FastParse {
  command: FastCommand;
  arg: string | undefined;
  opts: Record<string, string | string[] | boolean>;
}

/** `mcp add|remove|list …` or `setup …` read as commander reads it, or null (commander's turn). `args`: argv after node and the script. */
export function parseFast(args: readonly string[]): FastParse | null {
  const command = (args[0] === 'mcp' ? `mcp ${args[1]}` : args[0]) as FastCommand;
  if (!Object.hasOwn(FAST_COMMANDS, command)) return null;
  // The program's own options are taken wherever they stand, even where a subcommand's option expects
  // its value (`--name -V` prints the version): commander's, every time.
  if (args.some((a) => a === '--verbose' || a === '--version' || a.startsWith('-V'))) return null;
  const spec = FAST_COMMANDS[command];
  const options = spec.options as readonly FastOption[];
  const opts: Record<string, string | string[] | boolean> = {};
  for (const o of options) if (o.default !== undefined) opts[o.key] = o.default;
  for (const o of options) if (o.kind === 'negate') opts[o.key] = true;
  const operands: string[] = [];
  for (let i = command.includes(' ') ? 2 : 1; i < args.length; i++) {
    const arg = args[i];
    if (arg.length < 2 || arg[0] !== '-') {
      operands.push(arg);
      continue;
    }
    // --long=value (only for an option that takes a value); anything else that looks like an option must be one exactly.
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flagName = eq > 2 ? arg.slice(0, eq) : arg;
    const o = options.find((x) => x.long === flagName || x.short === flagName);
    if (!o) return null; // help, --, -yt, an unknown option, a negative number: commander's
    if (o.kind === 'flag' || o.kind === 'negate') {
      if (eq > 2) return null;
      opts[o.key] = o.kind === 'flag';
      continue;
    }
    let v: string | undefined;
    if (eq > 2) v = arg.slice(eq + 1);
    else if (i + 1 < args.length) v = args[++i];
    else return null; // commander: argument missing
    if (o.choices && !o.choices.includes(v)) return null; // commander: not one of the choices
    if (o.kind === 'repeat') opts[o.key] = [...((opts[o.key] as string[] | undefined) ?? []), v];
    else opts[o.key] = v;
  }
  if (operands.length > spec.args) return null; // commander: too many arguments
  return { command, arg: operands[0], opts };
}
