/** What every command gets: the platform, the terminal, mcpwire's state and the target context. */
import { UserError } from '../errors.js';
import { currentPlatform, projectRoot, type Platform } from '../platform.js';
import { State } from '../state.js';
import { TARGETS, targetById } from '../targets/index.js';
import type { Scope, Target, TargetContext } from '../targets/types.js';
import { createIO, type IO } from '../ui.js';

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

/** `claude-code,cursor` / `all` → targets. Unknown ids are bad usage (exit 2). */
export function resolveTargets(spec: string | undefined, required: boolean): Target[] {
  if (!spec) {
    if (required) {
      throw new UserError('Which clients? --target is required here.', {
        fix: `Pass --target with one or more of: ${TARGETS.map((t) => t.id).join(', ')}, or all.`,
      });
    }
    return [...TARGETS];
  }
  const ids = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.includes('all')) return [...TARGETS];
  return ids.map((id) => {
    const t = targetById(id);
    if (!t) throw new UserError(`Unknown target "${id}".`, { fix: `Use one or more of: ${TARGETS.map((x) => x.id).join(', ')}, or all.` });
    return t;
  });
}

export function parseScope(raw: string | undefined): Scope {
  const s = raw ?? 'user';
  if (s !== 'user' && s !== 'project' && s !== 'local') {
    throw new UserError(`Unknown scope "${s}".`, { fix: 'Use --scope user, project or local.' });
  }
  return s;
}
