/**
 * setup's plan: for each chosen client, how it connects to the server and why. A pure function of the
 * server, the chosen clients, the other accounts of the same server already wired, and the flags; no
 * file or network is read here, so every rule below is tested on its own (test/unit/setup-plan.test.ts).
 *
 *   native  the client's own remote entry; a client with built-in OAuth logs in by itself
 *   bridge  a stdio entry running `mcpwire proxy NAME`, on mcpwire's keychain login (or API key)
 */
import { UserError } from '../errors.js';
import type { TargetId } from '../targets/ids.js';
import type { Scope } from '../targets/types.js';

export type Mode = 'native' | 'bridge';

export interface PlanTarget {
  id: TargetId;
  name: string;
  file: string;
}

/** An entry of the same URL under another name, already in a client file (another account). */
export interface OtherAccount {
  target: string;
  scope: string;
  name: string;
  mode: Mode;
}

export interface PlanInput {
  name: string;
  url: string;
  scope: Scope;
  targets: readonly PlanTarget[];
  /** `--via`: undefined lets each client take its best mode. */
  via?: Mode;
  /** The credential is a static API key kept in mcpwire's keychain (`--api-key`). */
  apiKey: boolean;
  /** `--header-env K=VAR`: the header comes from the client's environment. */
  headerEnv: boolean;
  others: readonly OtherAccount[];
  /** The mode each client got at the last setup of this name (state), kept when it was the bridge and no --via says otherwise. */
  previous?: Readonly<Partial<Record<string, Mode>>>;
}

export interface PlannedEntry {
  target: TargetId;
  targetName: string;
  scope: Scope;
  file: string;
  name: string;
  mode: Mode;
  why: string;
}

/**
 * Clients that keep one login (or one entry) per URL in a scope: two accounts of one server there would
 * cross, so a second account goes through the bridge (see docs/cli.md and clients.md's field notes).
 * Claude Code: a project's `.mcp.json` keeps one of two HTTP entries with the same URL.
 */
const ONE_LOGIN_PER_URL: ReadonlyArray<{ target: TargetId; scope: Scope; why: string }> = [
  { target: 'claude-code', scope: 'project', why: "Claude Code keeps one entry per URL in a project's .mcp.json" },
];

/** Whether another account's entry in this client and scope can change the plan (only then are its files read for them). */
export function accountsMatter(target: TargetId, scope: Scope): boolean {
  return ONE_LOGIN_PER_URL.some((s) => s.target === target && s.scope === scope);
}

/** Clients whose files cannot hold a remote server at all. */
const STDIO_ONLY: ReadonlySet<TargetId> = new Set(['claude-desktop']);

export function planSetup(input: PlanInput): PlannedEntry[] {
  if (input.via === 'native' && input.apiKey && !input.headerEnv) {
    throw new UserError('--via native with --api-key would put the key into every client file.', {
      fix: 'Leave out --via native (the bridge sends the key from the keychain), or give the clients the key through their environment: --header-env "X-API-Key=VARIABLE".',
    });
  }
  return input.targets.map((t) => {
    const entry = (mode: Mode, why: string): PlannedEntry => ({
      target: t.id,
      targetName: t.name,
      scope: input.scope,
      file: t.file,
      name: input.name,
      mode,
      why,
    });
    if (STDIO_ONLY.has(t.id)) return entry('bridge', `${t.name} starts only local (stdio) servers: the bridge reaches the URL with mcpwire's login`);
    const shared = ONE_LOGIN_PER_URL.find((s) => s.target === t.id && s.scope === input.scope);
    const crossing = shared && input.others.find((o) => o.target === t.id && o.scope === input.scope && o.name !== input.name && o.mode === 'native');
    if (shared && crossing) return entry('bridge', `${shared.why} and ${crossing.name} is there already: the bridge keeps the accounts apart`);
    if (input.via === 'bridge') return entry('bridge', "--via bridge: the client uses mcpwire's one login");
    if (input.via === undefined && input.previous?.[t.id] === 'bridge') return entry('bridge', 'as set up before (--via native changes it)');
    if (input.via === 'native')
      return entry('native', `--via native: ${t.name} ${input.headerEnv ? 'sends the header from its environment' : 'logs in by itself'}`);
    if (input.apiKey && !input.headerEnv) return entry('bridge', 'API key in the keychain: no client file holds it, the bridge sends it');
    if (input.headerEnv) return entry('native', `${t.name} takes remote servers; the header comes from its environment`);
    return entry('native', `${t.name} takes remote servers and logs in by itself`);
  });
}

/** What the user still does in each client after the write (the summary's "next" lines). */
export function nextStep(e: PlannedEntry, apiKey: boolean): string {
  const approve =
    e.scope === 'project'
      ? e.target === 'claude-code'
        ? ' Approve the project server when Claude Code asks.'
        : e.target === 'codex'
          ? ' Codex loads .codex/config.toml only once you trust the project.'
          : e.target === 'vscode'
            ? ' VS Code asks you to trust the server on first start.'
            : ''
      : '';
  if (e.mode === 'bridge') {
    const restart = e.target === 'claude-desktop' ? 'Quit and reopen Claude Desktop' : `Restart ${e.targetName} (or reload its MCP servers)`;
    return `${restart}; it uses mcpwire's ${apiKey ? 'stored API key' : 'login'}.${approve}`;
  }
  if (apiKey) return `Start ${e.targetName} with the header's variable in its environment.${approve}`;
  const login: Partial<Record<TargetId, string>> = {
    'claude-code': `In Claude Code: /mcp → ${e.name} → Authenticate.`,
    codex: `Run \`codex mcp login ${e.name}\`.`,
    cursor: `In Cursor: Settings → MCP → ${e.name} → Connect (Cursor opens the sign-in).`,
    vscode: `In VS Code: open mcp.json, Start ${e.name}, and allow the sign-in it asks for.`,
    windsurf: `In Windsurf: refresh the MCP servers; it opens the sign-in for ${e.name}.`,
  };
  return (login[e.target] ?? `${e.targetName} asks you to sign in the first time it connects.`) + approve;
}

/** Clients mcpwire cannot write (their servers live in the vendor's cloud): the steps, with the URL to paste. */
export function unwritableClients(url: string): Array<{ name: string; steps: string }> {
  const local = /^https?:\/\/(localhost|127\.|\[::1\])/i.test(url);
  const note = local ? ' (it connects from the vendor cloud, so this local address is unreachable from there)' : '';
  return [
    { name: 'claude.ai / Claude Desktop connectors', steps: `Settings → Connectors → Add custom connector → paste ${url}${note}` },
    { name: 'ChatGPT', steps: `Settings → Apps & Connectors → Advanced → Developer mode, then Create → paste ${url}${note}` },
  ];
}
