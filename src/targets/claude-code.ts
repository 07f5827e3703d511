/** Claude Code: `~/.claude.json` (user: top-level mcpServers; local: projects[root].mcpServers), `.mcp.json` (project). */
import { envOr, folderInUse, onPath } from '../platform.js';
import { COMMON_TRANSPORT_KEYS, compact, headersWithRefs, holdsLiteralSecret, isObject, readCommonEntry } from './common.js';
import type { Target, TargetContext } from './types.js';

function claudeJson(ctx: TargetContext): string {
  const { platform: p } = ctx;
  const dir = envOr(p, 'CLAUDE_CONFIG_DIR') ?? p.home;
  return p.path.join(dir, '.claude.json');
}

export const claudeCode: Target = {
  id: 'claude-code',
  name: 'Claude Code',
  scopes: ['user', 'project', 'local'],
  format: 'json', // strict: one comment and Claude Code declares the file corrupted and replaces it
  detect(ctx) {
    // Claude Code keeps settings, sessions and todos in ~/.claude (or CLAUDE_CONFIG_DIR, where
    // .claude.json lives too); ~/.claude.json alone may be the file mcpwire created.
    const { platform: p } = ctx;
    const dir = envOr(p, 'CLAUDE_CONFIG_DIR') ?? p.path.join(p.home, '.claude');
    return folderInUse(p, dir, ['.claude.json']) || onPath(p, 'claude') || p.fs.existsSync(p.path.join(p.home, '.local', 'bin', 'claude'));
  },
  file(scope, ctx) {
    return scope === 'project' ? ctx.platform.path.join(ctx.projectRoot, '.mcp.json') : claudeJson(ctx);
  },
  container(scope, ctx) {
    return scope === 'local' ? ['projects', ctx.projectRoot, 'mcpServers'] : ['mcpServers'];
  },
  // Claude Code locks ~/.claude.json with a proper-lockfile directory lock; take the same one.
  sharedLock: (file) => file + '.lock',
  privateFile: true, // the client writes it 0600
  render(spec) {
    // `type` is required: an entry without it is read as stdio and skipped.
    return {
      value: compact({ type: 'http', url: spec.url, headers: headersWithRefs(spec, (v) => `\${${v}}`) }),
      literalSecret: holdsLiteralSecret(spec),
      warnings: [],
    };
  },
  read(name, raw) {
    const e = readCommonEntry(name, raw);
    if (e.kind === 'remote' && isObject(raw)) {
      if (raw.type === undefined) e.problems.push('no "type": Claude Code reads it as a stdio server and skips it (add "type": "http")');
      else if (raw.type !== 'http' && raw.type !== 'sse') e.problems.push(`"type": ${JSON.stringify(raw.type)} is not a remote transport (use "http")`);
    }
    return e;
  },
  transportKeys: COMMON_TRANSPORT_KEYS,
  doctor: {
    // Approvals of .mcp.json servers: in ~/.claude.json's project entry, or enabledMcpjsonServers /
    // disabledMcpjsonServers / enableAllProjectMcpServers in the project's and the user's settings.
    projectApproval(ctx, name, read) {
      const { path } = ctx.platform;
      const dir = envOr(ctx.platform, 'CLAUDE_CONFIG_DIR') ?? path.join(ctx.platform.home, '.claude');
      const project = (read(claudeJson(ctx), 'json') as { projects?: Record<string, unknown> } | undefined)?.projects?.[ctx.projectRoot];
      const sources: Array<[string, unknown]> = [
        [claudeJson(ctx), project],
        [path.join(ctx.projectRoot, '.claude', 'settings.local.json'), read(path.join(ctx.projectRoot, '.claude', 'settings.local.json'), 'jsonc')],
        [path.join(ctx.projectRoot, '.claude', 'settings.json'), read(path.join(ctx.projectRoot, '.claude', 'settings.json'), 'jsonc')],
        [path.join(dir, 'settings.json'), read(path.join(dir, 'settings.json'), 'jsonc')],
      ];
      const has = (v: unknown, key: string) => isObject(v) && Array.isArray(v[key]) && (v[key] as unknown[]).includes(name);
      for (const [file, v] of sources)
        if (has(v, 'disabledMcpjsonServers'))
          return { state: 'declined', file, fix: 'claude mcp reset-project-choices (in the project), then start claude and approve it' };
      for (const [file, v] of sources)
        if (has(v, 'enabledMcpjsonServers') || (isObject(v) && v.enableAllProjectMcpServers === true)) return { state: 'approved', file };
      return undefined;
    },
    keysLoginsByUrl: true,
    parseErrorCost: 'Claude Code declares a file that is not strict JSON corrupted and its next write replaces it: every server and setting in it is lost',
  },
  scopeNote: (scope) =>
    scope === 'project' ? 'Claude Code asks each user to approve servers from .mcp.json the first time it starts in this project.' : undefined,
};
