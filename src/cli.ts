/**
 * The command-line program. Only commander is loaded up front; each command's code is imported when
 * that command runs, so `--help` stays as fast as starting Node.
 */
import { Command, Option } from 'commander';

const VERSION = process.env.MCPWIRE_VERSION ?? '0.1.0';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

type Runner = (ctx: import('./commands/context.js').Context) => number | Promise<number>;

async function run(verbose: boolean, fn: Runner): Promise<void> {
  const { createContext } = await import('./commands/context.js');
  const { UserError } = await import('./errors.js');
  let ctx;
  try {
    ctx = createContext({ verbose });
    process.exitCode = await fn(ctx);
  } catch (e) {
    const err = process.stderr;
    if (e instanceof UserError) {
      err.write(`mcpwire: ${e.message}\n`);
      if (e.fix) err.write(`fix: ${e.fix}\n`);
      if (verbose && e.stack) err.write(e.stack + '\n');
      process.exitCode = e.exitCode;
      return;
    }
    const io = e as NodeJS.ErrnoException;
    err.write(`mcpwire: ${io.message ?? String(e)}\n`);
    if (verbose && io.stack) err.write(io.stack + '\n');
    else err.write('Run again with --verbose for details.\n');
    process.exitCode = 1;
  }
}

const TARGET_HELP = 'claude-code, codex, cursor, claude-desktop, vscode, windsurf (comma-separated) or all';

export function buildProgram(): Command {
  const program = new Command('mcpwire')
    .description('Connect remote MCP servers to every AI client on this machine, safely.')
    .version(VERSION, '-V, --version')
    .option('--verbose', 'show details (stack traces) on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (s, write) => write(s) })
    .exitOverride((err) => {
      // commander's usage errors are bad usage: exit 2 (help and version exit 0).
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  const verbose = () => Boolean(program.opts().verbose);

  const mcp = program.command('mcp').description('add, remove and list server entries in the clients\' config files');
  mcp
    .command('add')
    .argument('[server]', 'a preset (pelcro, peel) or an MCP URL')
    .description('write a remote server entry into each chosen client\'s config')
    .addOption(new Option('-t, --target <targets>', TARGET_HELP))
    .option('--name <name>', 'entry name (default: from the preset or the URL host)')
    .option('--url <url>', 'the server\'s MCP URL')
    .option('--account <label>', 'a second entry for the same server: NAME-LABEL')
    .addOption(new Option('--scope <scope>', 'user, project or local').default('user'))
    .option('--header <header>', 'literal header "K: V" (repeatable)', collect)
    .option('--header-env <header>', 'header from an environment variable "K=VAR" (repeatable)', collect)
    .addOption(new Option('--env <env>', 'preset environment').choices(['production', 'staging']))
    .option('--dry-run', 'print the diff of every file that would change; change nothing')
    .option('--json', 'machine-readable output on stdout')
    .option('-y, --yes', 'no prompts')
    .option('--force', 'replace an entry of the same name that points elsewhere')
    .action((server, o) => run(verbose(), async (ctx) => (await import('./commands/mcp.js')).mcpAdd(ctx, server, o)));
  mcp
    .command('remove')
    .argument('[name]', 'entry name (same as --name)')
    .description('remove an entry from each chosen client\'s config')
    .addOption(new Option('-t, --target <targets>', TARGET_HELP))
    .option('--name <name>', 'entry name')
    .option('--account <label>', 'the NAME-LABEL entry')
    .addOption(new Option('--scope <scope>', 'user, project or local').default('user'))
    .option('--dry-run', 'print the diff; change nothing')
    .option('--json', 'machine-readable output on stdout')
    .option('-y, --yes', 'no prompts')
    .action((name, o) => run(verbose(), async (ctx) => (await import('./commands/mcp.js')).mcpRemove(ctx, name, o)));
  mcp
    .command('list')
    .description('every remote server entry in every supported client file, all scopes')
    .addOption(new Option('-t, --target <targets>', TARGET_HELP))
    .option('--json', 'machine-readable output on stdout')
    .action((o) => run(verbose(), async (ctx) => (await import('./commands/mcp.js')).mcpList(ctx, o)));
  const undo = (o: { json?: boolean; dryRun?: boolean }) => run(verbose(), async (ctx) => (await import('./commands/undo.js')).undoCommand(ctx, o));
  mcp.command('undo').description('restore the files changed by the last write command').option('--dry-run').option('--json').action(undo);

  program
    .command('targets')
    .description('supported clients, whether each is installed here, and their files')
    .option('--json', 'machine-readable output on stdout')
    .action((o) => run(verbose(), async (ctx) => (await import('./commands/targets.js')).targetsCommand(ctx, o)));
  program
    .command('undo')
    .description('restore the files changed by the last write command (from mcpwire\'s backups)')
    .option('--dry-run', 'say what would be restored')
    .option('--json', 'machine-readable output on stdout')
    .action(undo);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}
