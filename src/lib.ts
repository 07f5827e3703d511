/**
 * mcpwire as a library: a vendor ships its own branded CLI (`npx pelcro-mcp`) that is mcpwire with its
 * server built in. Each branded command is the mcpwire command with the preset's URL and name filled
 * in, run by the same program (same files, same journal: `mcpwire undo` reverts it too).
 *
 *   #!/usr/bin/env node
 *   require('mcpwire').createCli({ name: 'pelcro-mcp', preset: 'pelcro' }).run();
 */
import { Command, CommanderError, Option } from 'commander';
import { main } from './cli.js';
import { findPreset, presetUrl, type Preset } from './servers.js';
import { VERSION } from './version.js';

export type { Preset } from './presets/index.js';
export { PRESETS } from './presets/index.js';

export interface BrandedCliOptions {
  /** The program's name, as users type it (`pelcro-mcp`). */
  name: string;
  /** A preset mcpwire ships (`'pelcro'`), or the vendor's own, as data (same shape as src/presets). */
  preset: string | Preset;
  /** The vendor CLI's version (default: mcpwire's). */
  version?: string;
}

export interface BrandedCli {
  /** Run on argv (default process.argv); resolves to the exit code (network commands exit the process themselves). */
  run(argv?: string[]): Promise<number>;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function createCli(o: BrandedCliOptions): BrandedCli {
  const preset = typeof o.preset === 'string' ? findPreset(o.preset) : o.preset;
  if (!preset) throw new Error(`createCli: no preset named "${String(o.preset)}"`);
  const envs = Object.keys(preset.urls);
  /** The mcpwire command line each branded command stands for. */
  const build = (argv: string[]): string[] | number => {
    let forwarded: string[] | undefined;
    let exit: number | undefined;
    const program = new Command(o.name)
      .description(`Connect ${preset.title}'s MCP server to the AI clients on this machine (built on mcpwire ${VERSION}).`)
      .version(o.version ?? VERSION, '-V, --version')
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)');
    const env = () => new Option('--env <env>', `which ${preset.title} environment`).choices(envs).default('production');
    const pass = (opts: Record<string, unknown>, names: Record<string, string>) =>
      Object.entries(names).flatMap(([k, flag]) => {
        const v = opts[k];
        if (v === undefined || v === false) return [];
        if (v === true) return [flag];
        if (Array.isArray(v)) return v.flatMap((x) => [flag, String(x)]);
        return [flag, String(v)];
      });
    program
      .command('setup', { isDefault: true })
      .description(`log in, wire every chosen client to ${preset.title}, check`)
      .addOption(env())
      .option('-t, --target <targets>', 'client ids (comma-separated), detected or all')
      .option('--via <mode>', 'native or bridge')
      .option('--scope <scope>', 'user or project')
      .option('--account <label>', `another ${preset.title} account: its own entry and login`)
      .option('--api-key', 'a static API key instead of OAuth (typed hidden, or piped on stdin)')
      .option('--header-env <header>', 'header from an environment variable "K=VAR" (repeatable)', collect)
      .option('--no-login', 'do not log in now')
      .option('--no-doctor', 'do not check what was written')
      .option('--dry-run', 'print the plan and the diffs; change nothing')
      .option('--json', 'machine-readable output on stdout')
      .option('-y, --yes', 'no prompts')
      .action((opts: Record<string, unknown>) => {
        const keyHeader = opts.apiKey && preset.apiKeyHeader ? ['--api-key-header', preset.apiKeyHeader] : [];
        forwarded = [
          'setup',
          presetUrl(preset, String(opts.env)),
          '--name',
          preset.name,
          ...keyHeader,
          ...(opts.login === false ? ['--no-login'] : []),
          ...(opts.doctor === false ? ['--no-doctor'] : []),
          ...pass(opts, {
            target: '--target',
            via: '--via',
            scope: '--scope',
            account: '--account',
            apiKey: '--api-key',
            headerEnv: '--header-env',
            dryRun: '--dry-run',
            json: '--json',
            yes: '--yes',
          }),
        ];
      });
    program
      .command('login')
      .description(`log in to ${preset.title} (OAuth in the browser; tokens in the OS keychain)`)
      .addOption(env())
      .option('--account <label>', 'which account')
      .action((opts: Record<string, unknown>) => {
        forwarded = ['auth', 'login', presetUrl(preset, String(opts.env)), '--name', preset.name, ...pass(opts, { account: '--account' })];
      });
    program
      .command('status')
      .description('the logins mcpwire keeps')
      .option('--json', 'machine-readable output on stdout')
      .action((opts: Record<string, unknown>) => void (forwarded = ['auth', 'status', ...pass(opts, { json: '--json' })]));
    program
      .command('remove')
      .description(`remove the ${preset.title} entries from every client mcpwire wrote them to`)
      .option('--account <label>', 'which account')
      .action((opts: Record<string, unknown>) => void (forwarded = ['mcp', 'remove', preset.name, ...pass(opts, { account: '--account' })]));
    program
      .command('undo')
      .description('restore the files changed by the last command')
      .action(() => void (forwarded = ['undo']));
    try {
      program.parse(argv);
    } catch (e) {
      if (!(e instanceof CommanderError)) throw e;
      exit = e.exitCode === 0 ? 0 : 2;
    }
    return exit ?? forwarded ?? 0;
  };
  return {
    async run(argv = process.argv) {
      const r = build(argv);
      const code = typeof r === 'number' ? r : await main([argv[0] ?? process.execPath, o.name, ...r]);
      process.exitCode = code;
      return code;
    },
  };
}
