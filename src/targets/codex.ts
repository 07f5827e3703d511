/** OpenAI Codex: `$CODEX_HOME/config.toml` (default ~/.codex), `.codex/config.toml` for trusted projects. */
import { envOr, folderInUse, onPath } from '../platform.js';
import { compact, holdsLiteralSecret, isAuthorization, isObject, readCommandEntry, stringRecord } from './common.js';
import type { JsonObject } from '../edit/types.js';
import type { ReadEntry, Target, TargetContext } from './types.js';

function codexHome(ctx: TargetContext): string {
  return envOr(ctx.platform, 'CODEX_HOME') ?? ctx.platform.path.join(ctx.platform.home, '.codex');
}

/** Keys that make every codex command fail when they sit under a url server (seen with codex 0.169). */
const FATAL_UNDER_URL = ['bearer_token', 'env', 'args', 'cwd', 'command'];

export const codex: Target = {
  id: 'codex',
  name: 'Codex',
  scopes: ['user', 'project'],
  format: 'toml',
  detect(ctx) {
    // Codex keeps auth.json, sessions and logs beside config.toml.
    return folderInUse(ctx.platform, codexHome(ctx), ['config.toml']) || onPath(ctx.platform, 'codex');
  },
  file(scope, ctx) {
    const { path } = ctx.platform;
    return scope === 'project' ? path.join(ctx.projectRoot, '.codex', 'config.toml') : path.join(codexHome(ctx), 'config.toml');
  },
  container: () => ['mcp_servers'],
  privateFile: true, // the client writes it 0600
  render(spec) {
    // Never a `type` key; secrets from the environment by variable name, which Codex resolves itself.
    const literal: JsonObject = {};
    for (const h of spec.headers) literal[h.name] = h.value;
    const envHeaders: JsonObject = {};
    let bearer: string | undefined;
    for (const h of spec.headerEnvs) {
      if (isAuthorization(h.name) && bearer === undefined) bearer = h.variable;
      else envHeaders[h.name] = h.variable;
    }
    const value = compact({
      url: spec.url,
      bearer_token_env_var: bearer,
      http_headers: Object.keys(literal).length ? literal : undefined,
      env_http_headers: Object.keys(envHeaders).length ? envHeaders : undefined,
    });
    return { value, literalSecret: holdsLiteralSecret(spec), warnings: [] };
  },
  read(name, raw): ReadEntry {
    if (!isObject(raw)) return { name, kind: 'unknown', problems: ['the entry is not a table'] };
    if (typeof raw.url === 'string') {
      const headers: Record<string, string> = { ...stringRecord(raw.http_headers) };
      for (const [k, v] of Object.entries(stringRecord(raw.env_http_headers) ?? {})) headers[k] = `$${v}`;
      if (typeof raw.bearer_token_env_var === 'string') headers.Authorization = `Bearer $${raw.bearer_token_env_var}`;
      const problems = FATAL_UNDER_URL.filter((k) => raw[k] !== undefined).map(
        (k) => `"${k}" under a url server makes every codex command fail (remove it${k === 'bearer_token' ? '; use bearer_token_env_var' : ''})`,
      );
      // Ignored by current Codex, rejected by some versions.
      if (raw.type !== undefined) problems.push('"type" under a url server is rejected by some Codex versions (remove it)');
      return { name, kind: 'remote', url: raw.url, headers: Object.keys(headers).length ? headers : undefined, problems };
    }
    if (typeof raw.command === 'string') return readCommandEntry(name, raw.command, raw.args);
    return { name, kind: 'unknown', problems: ['neither url nor command'] };
  },
  doctor: {
    // Codex loads .codex/config.toml only for a project marked trusted in the user's config.
    projectApproval(ctx, _name, read) {
      const file = codex.file('user', ctx);
      const projects = (read(file, 'toml') as { projects?: Record<string, unknown> } | undefined)?.projects;
      const entry = projects && Object.hasOwn(projects, ctx.projectRoot) ? projects[ctx.projectRoot] : undefined;
      const level = isObject(entry) ? entry.trust_level : undefined;
      if (level === 'trusted') return { state: 'approved', file };
      if (level === 'untrusted')
        return {
          state: 'declined',
          file,
          fix: `Set trust_level = "trusted" under [projects."${ctx.projectRoot}"] in ${file} (or answer codex's question again)`,
        };
      return undefined;
    },
    parseErrorCost: 'Codex reads the whole file first: every codex command fails until it parses (the ChatGPT app and the Codex IDE extension share it)',
  },
  transportKeys: ['url', 'command', 'args', 'env', 'cwd', 'type', 'bearer_token', 'bearer_token_env_var', 'http_headers', 'env_http_headers'],
  scopeNote: (scope) => (scope === 'project' ? 'Codex reads .codex/config.toml only when the project is trusted (codex asks on first start).' : undefined),
};
