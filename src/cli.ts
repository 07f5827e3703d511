/**
 * The command-line program. Only commander (and small data: target ids, presets, the bundle table) is
 * loaded up front; each command's bundle is loaded when that command runs, so `--help` stays close to
 * the cost of starting Node.
 */
import { Command, CommanderError, Option } from 'commander';
import { BUNDLES } from './bundles.js';
import type { Context } from './commands/context.js';
import { describePresets, PRESET_ENVS, PRESETS } from './presets/index.js';
import { TARGET_IDS } from './targets/ids.js';
import { isTerminal, printable, wantsColour, writer, type IO } from './ui.js';
import { VERSION } from './version.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The command bundles (dist/<name>.cjs, listed in src/bundles.ts), each loaded only when its command
 * runs. The launcher passes a loader that uses V8's code cache; tests and other callers get plain require.
 */
type Bundles = {
  mcp: typeof import('./commands/mcp.js');
  targets: typeof import('./commands/targets.js');
  undo: typeof import('./commands/undo.js');
  auth: typeof import('./commands/auth.js');
  proxy: typeof import('./commands/proxy.js');
  doctor: typeof import('./commands/doctor.js');
  setup: typeof import('./commands/setup.js');
  mcpsdk: typeof import('./mcp/sdk.js');
  authsession: typeof import('./auth/session.js');
  prompts: typeof import('./setup/prompt.js');
};
// Every command bundle of the table has a type here, and nothing else does.
type CommandBundle = Exclude<keyof typeof BUNDLES, 'cli'>;
const sameBundles: [CommandBundle, keyof Bundles] extends [keyof Bundles, CommandBundle] ? true : never = true;
void sameBundles;

export type LoadBundle = <K extends keyof Bundles>(name: K) => Bundles[K];
const requireBundle: LoadBundle = (name) => require(require('node:path').join(__dirname, name + '.cjs'));

export interface MainOptions {
  /** How a bundle is loaded (the launcher: with V8's code cache). */
  load?: LoadBundle;
  /** Run the commands in this context (tests: a scratch platform and a captured IO); nothing exits the process. */
  context?: Context;
}

/** Did the user ask for JSON? (Decided from argv, so that a usage error commander finds is JSON too.) */
function wantsJson(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}

/**
 * Commander's output through the same direct writers as the rest of mcpwire: asking process.stdout
 * for its width or colours would build the stream (and load net, for a pipe) just to print help.
 */
function terminalOutput(io: IO | undefined) {
  const out = io ? (s: string) => io.out(s.replace(/\n$/, '')) : writer(1, () => process.stdout);
  const err = io ? (s: string) => io.err(s.replace(/\n$/, '')) : writer(2, () => process.stderr);
  const width = (fd: 1 | 2) => (!io && isTerminal(fd) ? (fd === 1 ? process.stdout : process.stderr).columns : undefined);
  const colours = (fd: 1 | 2) => !io && wantsColour(process.env, isTerminal(fd)) && (fd === 1 ? process.stdout : process.stderr).hasColors();
  return {
    writeOut: out,
    writeErr: err,
    // commander echoes the offending argument: shown with control characters escaped, line by line.
    outputError: (s: string, write: (s: string) => void) => write(s.split('\n').map(printable).join('\n')),
    getOutHelpWidth: () => width(1) ?? 80,
    getErrHelpWidth: () => width(2) ?? 80,
    getOutHasColors: () => colours(1),
    getErrHasColors: () => colours(2),
  };
}

const TARGET_HELP = `${TARGET_IDS.join(', ')} (comma-separated), detected (every client installed here) or all (every supported client)`;
const SERVER_HELP = `a preset (${PRESETS.map((p) => p.name).join(', ')}) or an MCP URL`;
const envOption = () => new Option('--env <env>', `which of the preset's URLs to use (default production); presets: ${describePresets()}`).choices(PRESET_ENVS);

/** The top-level commands. */
const COMMANDS = ['mcp', 'auth', 'tools', 'setup', 'proxy', 'doctor', 'targets', 'undo'] as const;

/**
 * With `argv` whose first word is a command, only that command is built (each command's options and
 * subcommands cost start-up time); help, a typo (for its suggestion) or an option first get them all.
 */
export function buildProgram(opts: { load?: LoadBundle; context?: Context; onExit?: (code: number) => void; argv?: readonly string[] } = {}): Command {
  const loadBundle = opts.load ?? requireBundle;
  const first = opts.argv?.[2] ?? '';
  const only = (COMMANDS as readonly string[]).includes(first) ? first : undefined;
  const wanted = (name: (typeof COMMANDS)[number]) => only === undefined || only === name;
  const context = opts.context;
  const program = new Command('mcpwire')
    .description('Connect remote MCP servers to every AI client on this machine, safely.')
    .version(VERSION, '-V, --version')
    .option('--verbose', 'show details (stack traces) on errors')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true) // `mcpwire mpc` → (Did you mean mcp?)
    .configureOutput(terminalOutput(context?.io))
    .exitOverride(); // usage errors, --help and --version come back to main() as a CommanderError
  const verbose = () => Boolean(program.opts().verbose);

  /** Load the command's bundle and run it; the exit code goes to onExit. */
  const cmd =
    <K extends Exclude<keyof Bundles, 'mcpsdk' | 'authsession' | 'prompts'>>(
      name: K,
      o: { json?: boolean },
      call: (m: Bundles[K], ctx: Context) => number | Promise<number>,
    ) =>
    async () => {
      const m = loadBundle(name);
      const code = await m.runCommand({ verbose: verbose(), json: Boolean(o.json), context }, (ctx) => call(m, ctx));
      opts.onExit?.(code);
      // Network commands: idle keep-alive sockets must not hold the process open (output is written synchronously).
      if (BUNDLES[name].exitWhenDone && !context) process.exit(code);
    };

  const undo = (o: { json?: boolean; dryRun?: boolean; force?: boolean }) => cmd('undo', o, (m, ctx) => m.undoCommand(ctx, o))();
  const sessionOptions = (c: Command) =>
    c
      .option('--name <name>', 'entry name (default: from the preset or the URL host)')
      .option('--account <label>', 'a second login for the same server: NAME-LABEL')
      .addOption(envOption())
      .option('--port <port>', 'fixed loopback port for the redirect (servers that register exact redirect URIs)')
      .option('--no-browser', 'only print the login URL')
      .option('--timeout <seconds>', 'give up on a network step after this long (default 30)')
      .option('--browser-timeout <seconds>', 'how long to wait for the browser sign-in (default 300)')
      .option('--client-id <id>', 'a pre-registered OAuth client id (servers without dynamic registration)')
      .option('--client-secret-env <VAR>', 'the environment variable holding its secret, if it has one (never the secret itself on a command line)')
      .addOption(new Option('--client-secret <secret>').hideHelp())
      .option('--client-metadata-url <url>', 'https URL of a Client ID Metadata Document to use as client id')
      .option('--json', 'machine-readable output on stdout');
  const define: Record<(typeof COMMANDS)[number], (root: Command) => void> = {
    mcp: (root) => {
      const mcp = root.command('mcp').description("add, remove and list server entries in the clients' config files");
      mcp
        .command('add')
        .argument('[server]', SERVER_HELP)
        .description("write a remote server entry into each chosen client's config")
        .addOption(new Option('-t, --target <targets>', TARGET_HELP))
        .option('--name <name>', 'entry name (default: from the preset or the URL host)')
        .option('--url <url>', "the server's MCP URL")
        .option('--account <label>', 'a second entry for the same server: NAME-LABEL')
        .addOption(new Option('--scope <scope>', 'user, project or local').default('user'))
        .option('--header <header>', 'literal header "K: V" (repeatable; the file becomes private, 0600)', collect)
        .option('--header-env <header>', 'header from an environment variable "K=VAR", as the client sees it (repeatable)', collect)
        .addOption(envOption())
        .option('--dry-run', 'print the diff of every file that would change; change nothing')
        .option('--json', 'machine-readable output on stdout')
        .option('-y, --yes', 'no prompts')
        .option('--force', 'replace an entry of the same name that points elsewhere')
        .action((server, o) => cmd('mcp', o, (m, ctx) => m.mcpAdd(ctx, server, o))());
      mcp
        .command('remove')
        .argument('[name]', 'entry name (same as --name)')
        .description('remove an entry; without --target, from every file mcpwire wrote it to')
        .addOption(new Option('-t, --target <targets>', TARGET_HELP))
        .option('--name <name>', 'entry name')
        .option('--account <label>', 'the NAME-LABEL entry')
        .addOption(new Option('--scope <scope>', 'user, project or local (with --target; default user)'))
        .option('--dry-run', 'print the diff; change nothing')
        .option('--json', 'machine-readable output on stdout')
        .option('-y, --yes', 'no prompts')
        .action((name, o) => cmd('mcp', o, (m, ctx) => m.mcpRemove(ctx, name, o))());
      mcp
        .command('list')
        .description('every remote server entry in every supported client file, all scopes')
        .addOption(new Option('-t, --target <targets>', TARGET_HELP))
        .option('--json', 'machine-readable output on stdout')
        .action((o) => cmd('mcp', o, (m, ctx) => m.mcpList(ctx, o))());
      mcp
        .command('undo')
        .description('restore the files changed by the last write command')
        .option('--dry-run', 'say what would be restored')
        .option('--json', 'machine-readable output on stdout')
        .option('--force', 'restore the files nobody changed since; list the others')
        .action(undo);
    },
    auth: (root) => {
      const auth = root.command('auth').description('log in to remote MCP servers (OAuth); tokens go to the OS keychain');
      sessionOptions(
        auth
          .command('login')
          .argument('[server]', `${SERVER_HELP}, or a known name`)
          .description('log in (OAuth loopback) and keep the tokens in the OS keychain'),
      )
        .option('--api-key', 'store a static API key instead (typed hidden, or piped on stdin; never an argument)')
        .option('--header <name>', "with --api-key: the header that carries it (default: the preset's, else Authorization: Bearer)")
        .action((server, o) => cmd('auth', o, (m, ctx) => m.authLogin(ctx, server, o, loadBundle))());
      auth
        .command('status')
        .argument('[name]', 'one login (entry name)')
        .description('every login: server, logged in or not, expiry, scopes, and which store holds it')
        .option('--json', 'machine-readable output on stdout')
        .action((name, o) => cmd('auth', o, (m, ctx) => m.authStatus(ctx, name, o))());
      auth
        .command('token')
        .argument('[name]', 'the login (entry name); optional when there is only one')
        .description('print a valid access token (refreshed first when it expires within a minute)')
        .option('--timeout <seconds>', 'give up on the refresh after this long (default 30)')
        .action((name, o) => cmd('auth', o, (m, ctx) => m.authToken(ctx, name, o, loadBundle))());
      auth
        .command('logout')
        .argument('[name]', 'the login (entry name)')
        .description('forget the tokens (revoking them at the server when it offers that)')
        .option('--all', 'every login')
        .option('--timeout <seconds>', 'give up on the revocation after this long (default 30)')
        .option('--json', 'machine-readable output on stdout')
        .action((name, o) => cmd('auth', o, (m, ctx) => m.authLogout(ctx, name, o))());
    },
    tools: (root) => {
      sessionOptions(
        root
          .command('tools')
          .argument('<server>', 'a known name, a preset or an MCP URL')
          .description('an authenticated session: list the tools, or call one')
          .option('--call <tool>', 'call this tool')
          .option('--args <json>', "the tool's arguments, a JSON object"),
      ).action((server, o) => cmd('auth', o, (m, ctx) => m.toolsCommand(ctx, server, o, loadBundle))());
    },
    setup: (root) => {
      root
        .command('setup')
        .argument('[server]', SERVER_HELP)
        .description('one-shot onboarding: log in, wire every chosen client the way it connects best, check')
        .addOption(new Option('-t, --target <targets>', TARGET_HELP))
        .addOption(
          new Option('--via <mode>', "native (the client connects and logs in itself) or bridge (`mcpwire proxy` on mcpwire's login)").choices([
            'native',
            'bridge',
          ]),
        )
        .addOption(new Option('--scope <scope>', 'user or project (default user)'))
        .option('--name <name>', 'entry name (default: from the preset or the URL host)')
        .option('--account <label>', 'another account of the same server: entry NAME-LABEL, with its own login')
        .addOption(envOption())
        .option('--api-key', 'a static API key (typed hidden, or piped on stdin) kept in the keychain; clients use the bridge')
        .option('--api-key-header <name>', "with --api-key: the header that carries it (default: the preset's, else Authorization: Bearer)")
        .option('--header-env <header>', 'header from an environment variable "K=VAR", as the client sees it (repeatable)', collect)
        .option('--no-login', 'do not log in now (a bridge entry then waits for `mcpwire auth login`)')
        .option('--no-doctor', 'do not run doctor on what was written (run `mcpwire doctor NAME` later)')
        .option('--no-browser', 'only print the login URL')
        .option('--port <port>', 'fixed loopback port for the login redirect')
        .option('--timeout <seconds>', 'give up on a network step after this long (default 30)')
        .option('--browser-timeout <seconds>', 'how long to wait for the browser sign-in (default 300)')
        .option('--dry-run', 'print the plan and the diff of every file that would change; change nothing')
        .option('--json', 'machine-readable output on stdout')
        .option('-y, --yes', 'no prompts (every answer from the flags)')
        .option('--force', 'replace an entry of the same name that mcpwire did not write')
        .action((server, o) => cmd('setup', o, (m, ctx) => m.setupMain(ctx, server, o, loadBundle))());
    },
    proxy: (root) => {
      root
        .command('proxy')
        .argument('<name>', 'the entry name (as in `mcpwire mcp list`)')
        .description('the stdio bridge to a remote server, for clients that start only local servers (Claude Desktop)')
        .option('--url <url>', "the server's MCP URL (or MCPWIRE_URL in the environment; default: the URL mcpwire recorded for NAME)")
        .option('--log <file>', 'append a diagnostic line per message and per HTTP exchange to FILE (never a secret)')
        .option('--header <header>', 'literal header "K: V" (repeatable; also MCPWIRE_HEADER_1, _2, … in the environment)', collect)
        .option('--header-env <header>', 'header from an environment variable "K=VAR" (repeatable)', collect)
        .action((name, o) => cmd('proxy', {}, (m, ctx) => m.proxyCommand(ctx, name, o, () => loadBundle('mcpsdk')))());
    },
    doctor: (root) => {
      root
        .command('doctor')
        .argument('[name]', 'one server (entry name); default: every server mcpwire knows or finds in a client file')
        .description('every reason a client cannot use a server, checked concurrently, each problem with its fix')
        .option('--json', 'machine-readable output on stdout')
        .option('--fix', 'apply the safe fixes (rewrite wrong-shape entries); `mcpwire undo` reverts them')
        .option('--deep', 'also ask the installed clients (claude mcp get, codex mcp get --json)')
        .option('--timeout <seconds>', 'time limit of each check (default 5)')
        .action((name, o) => cmd('doctor', o, (m, ctx) => m.doctorCommand(ctx, name, o))());
    },
    targets: (root) => {
      root
        .command('targets')
        .description('supported clients, whether each is installed here, and their files')
        .option('--json', 'machine-readable output on stdout')
        .action((o) => cmd('targets', o, (m, ctx) => m.targetsCommand(ctx, o))());
    },
    undo: (root) => {
      root
        .command('undo')
        .description("restore the files changed by the last write command (from mcpwire's backups)")
        .option('--dry-run', 'say what would be restored')
        .option('--json', 'machine-readable output on stdout')
        .option('--force', 'restore the files nobody changed since; list the others')
        .action(undo);
    },
  };
  if (only === undefined && opts.argv !== undefined && isRootHelp(opts.argv.slice(2))) {
    for (const c of COMMANDS) defineSummary(program, define[c]);
  } else for (const c of COMMANDS) if (wanted(c)) define[c](program);
  return program;
}

/** `mcpwire`, `mcpwire --help`, `-h`, `help`, `--version` or `-V`: the top-level help or the version, and nothing else, is printed. */
function isRootHelp(args: readonly string[]): boolean {
  return args.length === 0 || (args.length === 1 && ['--help', '-h', 'help', '--version', '-V'].includes(args[0]));
}

/**
 * The top-level help shows of each command its name, arguments and description, and whether it takes
 * options; building all their options and subcommands for it cost ~2-3 ms of commander's work (A/B:
 * `--help` 1.22x -> 1.17x of `node -e 0` on Node 20, 1.31x -> 1.28x on Node 24). So for that help (and
 * for the version) a command is defined in that shape only: its own definition runs against a recorder
 * that keeps those and drops the rest, and one hidden option stands for its options. The help printed
 * is the same, character for character (test/unit/cli-help.test.ts).
 */
function defineSummary(program: Command, defineOn: (root: Command) => void): void {
  const nowhere: Command = new Proxy({} as Command, { get: () => () => nowhere });
  defineOn({
    command(name: string) {
      const cmd = program.command(name);
      let options = false;
      const summary: Command = new Proxy({} as Command, {
        get: (_, k) =>
          k === 'description'
            ? (d: string) => (cmd.description(d), summary)
            : k === 'argument'
              ? (n: string, d?: string) => (cmd.argument(n, d), summary)
              : k === 'option' || k === 'addOption'
                ? () => (options || cmd.addOption(new Option('--options').hideHelp()), (options = true), summary)
                : k === 'command'
                  ? () => nowhere
                  : () => summary,
      });
      return summary;
    },
  } as unknown as Command);
}

/**
 * Run the program on argv and return its exit code. A usage error commander finds is exit 2 (help and
 * --version: 0), and JSON on stdout too when --json was given.
 */
export async function main(argv: string[] = process.argv, opts: MainOptions = {}): Promise<number> {
  let code = 0;
  try {
    await buildProgram({ ...opts, argv, onExit: (c) => (code = c) }).parseAsync(argv);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? 0 : 2;
    if (code !== 0 && wantsJson(argv.slice(2))) {
      // commander already wrote the text to stderr; stdout gets the contract's error object.
      const [first, ...rest] = e.message.split('\n');
      const hint = rest.join(' ').replace(/^\((.*)\)$/, '$1');
      const error = { message: first.replace(/^error: /, ''), fix: `${hint ? hint + ' ' : ''}Run with --help for usage.`, exitCode: code };
      const text = JSON.stringify({ error }, null, 2);
      if (opts.context) opts.context.io.out(text);
      else writer(1, () => process.stdout)(text + '\n');
    }
  }
  return code;
}
