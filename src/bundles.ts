/**
 * The command bundles: dist/<name>.cjs is built from `entry` (scripts/build.mjs reads this table) and
 * loaded only when one of its commands runs (src/cli.ts). Data only: imported by the build and the CLI.
 */
export const BUNDLES = {
  cli: { entry: 'src/cli.ts', exitWhenDone: false },
  mcp: { entry: 'src/commands/mcp.ts', exitWhenDone: false },
  targets: { entry: 'src/commands/targets.ts', exitWhenDone: false },
  undo: { entry: 'src/commands/undo.ts', exitWhenDone: false },
  // Long-running network commands (login waits on a browser, then talks HTTP): idle keep-alive sockets
  // must not hold the process open once the command is done, so the CLI exits explicitly.
  auth: { entry: 'src/commands/auth.ts', exitWhenDone: true },
  // doctor talks HTTP to every server at once: idle sockets must not hold the process open.
  doctor: { entry: 'src/commands/doctor.ts', exitWhenDone: true },
  // One-shot onboarding: may log in (browser, HTTP) and run doctor, so it exits explicitly too.
  setup: { entry: 'src/commands/setup.ts', exitWhenDone: true },
  // The stdio bridge: runs until stdin ends, then exits (the HTTP side's sockets must not keep it alive).
  proxy: { entry: 'src/commands/proxy.ts', exitWhenDone: true },
  // The MCP SDK's HTTP client transport, loaded by the bridge only once the first message has arrived.
  mcpsdk: { entry: 'src/mcp/sdk.ts', exitWhenDone: false },
  // setup's questions (@inquirer/prompts, a third of setup's code): loaded only when one is asked.
  prompts: { entry: 'src/setup/prompt.ts', exitWhenDone: false },
  // The OAuth session (the MCP SDK), for setup and `auth login`/`tools`: loaded only when a sign-in, a
  // session or a refresh is needed (`auth status`, `auth token` with a valid token, `auth logout`: never).
  authsession: { entry: 'src/auth/session.ts', exitWhenDone: false },
} as const satisfies Record<string, { entry: string; exitWhenDone: boolean }>;

export type BundleName = keyof typeof BUNDLES;
