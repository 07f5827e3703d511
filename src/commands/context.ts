/** What every command gets: the platform, the terminal, mcpwire's state and the target context. */
import { UserError } from '../errors.js';
import { currentPlatform, projectRoot, type Platform } from '../platform.js';
import { State } from '../state.js';
import { nearest } from '../suggest.js';
import { TARGETS, targetById } from '../targets/index.js';
import type { Scope, Target, TargetContext } from '../targets/types.js';
import { createIO, printable, type IO } from '../ui.js';

export interface Context {
  platform: Platform;
  io: IO;
  state: State;
  targets: TargetContext;
  verbose: boolean;
}

export function createContext(opts: { verbose?: boolean; platform?: Platform; io?: IO } = {}): Context {
  const platform = opts.platform ?? currentPlatform();
  return {
    platform,
    io: opts.io ?? createIO(platform),
    state: new State(platform),
    targets: { platform, projectRoot: projectRoot(platform) },
    verbose: Boolean(opts.verbose),
  };
}

/** The words --target takes besides the ids: `all` = every supported client, `detected` = every one installed here. */
export const TARGET_GROUPS = ['all', 'detected'] as const;

/** `all` and `detected` choose for the user: a client among them that cannot take a scope is skipped, not refused. */
export function isTargetGroup(spec: string | undefined): boolean {
  return spec !== undefined && spec.split(',').some((s) => (TARGET_GROUPS as readonly string[]).includes(s.trim()));
}

/** `claude-code,cursor` / `all` / `detected` → targets. Unknown ids are bad usage (exit 2), with the near one. */
export function resolveTargets(spec: string | undefined, required: boolean, ctx: TargetContext): Target[] {
  const ids = TARGETS.map((t) => t.id);
  const choices = `${ids.join(', ')}, detected (every client installed here) or all`;
  if (!spec) {
    if (required) throw new UserError('Which clients? --target is required here.', { fix: `Pass --target with one or more of: ${choices}.` });
    return [...TARGETS];
  }
  const words = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (words.includes('all')) return [...TARGETS];
  const chosen = new Set<Target>();
  for (const word of words) {
    if (word === 'detected') {
      const installed = TARGETS.filter((t) => t.detect(ctx));
      if (installed.length === 0) {
        throw new UserError(
          "No supported client is installed here (mcpwire looks for each client's program on PATH, its app folder, and its own files in its config folder).",
          {
            fix: 'Name the clients to write: --target cursor,codex (see `mcpwire targets`), or --target all.',
          },
        );
      }
      installed.forEach((t) => chosen.add(t));
      continue;
    }
    const t = targetById(word);
    if (!t) {
      const near = nearest(word, [...ids, ...TARGET_GROUPS]);
      throw new UserError(`Unknown target "${printable(word)}".${near ? ` Did you mean ${near}?` : ''}`, { fix: `Use one or more of: ${choices}.` });
    }
    chosen.add(t);
  }
  // In the order given, each once.
  return [...chosen];
}

export function parseScope(raw: string | undefined): Scope {
  const s = raw ?? 'user';
  if (s !== 'user' && s !== 'project' && s !== 'local') {
    throw new UserError(`Unknown scope "${printable(s)}".`, { fix: 'Use --scope user, project or local.' });
  }
  return s;
}
