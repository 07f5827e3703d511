/**
 * The command-line program. Only commander is loaded up front; each command's bundle is loaded when
 * that command runs, so `--help` stays close to the cost of starting Node.
 */
import { Command, Option } from 'commander';
import { isTerminal, writer } from './ui.js';

const VERSION = process.env.MCPWIRE_VERSION ?? '0.1.0';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The command bundles (dist/<name>.cjs), each loaded only when its command runs. The launcher passes
 * a loader that uses V8's code cache; tests and other callers get plain require.
 */
type Bundles = {
  mcp: typeof import('./commands/mcp.js');
  targets: typeof import('./commands/targets.js');
  undo: typeof import('./commands/undo.js');
  auth: typeof import('./commands/auth.js');
};
export type LoadBundle = <K extends keyof Bundles>(name: K) => Bundles[K];
let loadBundle: LoadBundle = (name) => require(require('node:path').join(__dirname, name + '.cjs'));

async function run<K extends keyof Bundles>(name: K, call: (m: Bundles[K]) => Promise<number>): Promise<void> {
  process.exitCode = await call(loadBundle(name));
  // Network commands: idle keep-alive sockets must not hold the process open (output is written synchronously).
  if (name === 'auth') process.exit(process.exitCode);
}

/**
 * Commander's output through the same direct writers as the rest of mcpwire: asking process.stdout
 * for its width or colours would build the stream (and load net, for a pipe) just to print help.
 */
function terminalOutput() {
  const out = writer(1, () => process.stdout);
  const err = writer(2, () => process.stderr);
  const width = (fd: 1 | 2) => (isTerminal(fd) ? (fd === 1 ? process.stdout : process.stderr).columns : undefined);
  const colours = (fd: 1 | 2) => isTerminal(fd) && !process.env.NO_COLOR && (fd === 1 ? process.stdout : process.stderr).hasColors();
  return {
    writeOut: out,
    writeErr: err,
    outputError: (s: string, write: (s: string) => void) => write(s),
    getOutHelpWidth: () => width(1) ?? 80,
    getErrHelpWidth: () => width(2) ?? 80,
    getOutHasColors: () => colours(1),
    getErrHasColors: () => colours(2),
  };
}

const TARGET_HELP = 'claude-code, codex, cursor, claude-desktop, vscode, windsurf (comma-separated) or all';

export function buildProgram(): Command {
  const program = new Command('mcpwire')
    .description('Connect remote MCP servers to every AI client on this machine, safely.')
    .version(VERSION, '-V, --version')
    .option('--verbose', 'show details (stack traces) on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput(terminalOutput())
    .exitOverride((err) => {
      // commander's usage errors are bad usage: exit 2 (help and version exit 0).
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  const verbose = () => Boolean(program.opts().verbose);
  const cmd = <K extends keyof Bundles>(name: K, call: (m: Bundles[K], verbose: boolean) => Promise<number>) => run(name, (m) => call(m, verbose()));

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
    .action((server, o) => cmd('mcp', (m, v) => m.runCommand(v, (ctx) => m.mcpAdd(ctx, server, o))));
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
    .action((name, o) => cmd('mcp', (m, v) => m.runCommand(v, (ctx) => m.mcpRemove(ctx, name, o))));
  mcp
    .command('list')
    .description('every remote server entry in every supported client file, all scopes')
    .addOption(new Option('-t, --target <targets>', TARGET_HELP))
    .option('--json', 'machine-readable output on stdout')
    .action((o) => cmd('mcp', (m, v) => m.runCommand(v, (ctx) => m.mcpList(ctx, o))));
  const undo = (o: { json?: boolean; dryRun?: boolean; force?: boolean }) => cmd('undo', (m, v) => m.runCommand(v, (ctx) => m.undoCommand(ctx, o)));
  mcp.command('undo').description('restore the files changed by the last write command').option('--dry-run').option('--json').option('--force', 'restore the files nobody changed since; list the others').action(undo);

  const sessionOptions = (c: Command) =>
    c
      .option('--name <name>', 'entry name (default: from the preset or the URL host)')
      .option('--account <label>', 'a second login for the same server: NAME-LABEL')
      .addOption(new Option('--env <env>', 'preset environment').choices(['production', 'staging']))
      .option('--port <port>', 'fixed loopback port for the redirect (servers that register exact redirect URIs)')
      .option('--no-browser', 'only print the login URL')
      .option('--timeout <seconds>', 'how long to wait for the browser (default 300)')
      .option('--client-id <id>', 'a pre-registered OAuth client id (servers without dynamic registration)')
      .option('--client-secret <secret>', 'its secret, if it has one')
      .option('--client-metadata-url <url>', 'https URL of a Client ID Metadata Document to use as client id')
      .option('--json', 'machine-readable output on stdout');
  const auth = program.command('auth').description('log in to remote MCP servers (OAuth); tokens go to the OS keychain');
  sessionOptions(auth.command('login').argument('[server]', 'a preset (pelcro, peel), an MCP URL, or a known name').description('log in (OAuth loopback) and keep the tokens in the OS keychain')).action((server, o) =>
    cmd('auth', (m, v) => m.runCommand(v, (ctx) => m.authLogin(ctx, server, o))),
  );
  auth
    .command('status')
    .argument('[name]', 'one login (entry name)')
    .description('every login: server, logged in or not, expiry, scopes, and which store holds it')
    .option('--json', 'machine-readable output on stdout')
    .action((name, o) => cmd('auth', (m, v) => m.runCommand(v, (ctx) => m.authStatus(ctx, name, o))));
  auth
    .command('token')
    .argument('[name]', 'the login (entry name); optional when there is only one')
    .description('print a valid access token (refreshed first when it expires within a minute)')
    .action((name, o) => cmd('auth', (m, v) => m.runCommand(v, (ctx) => m.authToken(ctx, name, o))));
  auth
    .command('logout')
    .argument('[name]', 'the login (entry name)')
    .description('forget the tokens (revoking them at the server when it offers that)')
    .option('--all', 'every login')
    .option('--json', 'machine-readable output on stdout')
    .action((name, o) => cmd('auth', (m, v) => m.runCommand(v, (ctx) => m.authLogout(ctx, name, o))));
  sessionOptions(
    program
      .command('tools')
      .argument('<server>', 'a known name, a preset or an MCP URL')
      .description('an authenticated session: list the tools, or call one')
      .option('--call <tool>', 'call this tool')
      .option('--args <json>', 'the tool\'s arguments, a JSON object'),
  ).action((server, o) => cmd('auth', (m, v) => m.runCommand(v, (ctx) => m.toolsCommand(ctx, server, o))));

  program
    .command('targets')
    .description('supported clients, whether each is installed here, and their files')
    .option('--json', 'machine-readable output on stdout')
    .action((o) => cmd('targets', (m, v) => m.runCommand(v, (ctx) => m.targetsCommand(ctx, o))));
  program
    .command('undo')
    .description('restore the files changed by the last write command (from mcpwire\'s backups)')
    .option('--dry-run', 'say what would be restored')
    .option('--json', 'machine-readable output on stdout')
    .option('--force', 'restore the files nobody changed since; list the others')
    .action(undo);
  return program;
}

export async function main(argv: string[] = process.argv, load?: LoadBundle): Promise<void> {
  if (load) loadBundle = load;
  await buildProgram().parseAsync(argv);
}
