/** VS Code: profile `mcp.json` (`servers` + `inputs`), `.vscode/mcp.json` per workspace. */
import { appData, folderInUse, onPath, xdgConfigHome } from '../platform.js';
import { COMMON_TRANSPORT_KEYS, compact, headersWithRefs, holdsLiteralSecret, isObject, readCommonEntry } from './common.js';
import type { JsonObject } from '../edit/types.js';
import type { Target, TargetContext } from './types.js';

function userDir(ctx: TargetContext): string {
  const p = ctx.platform;
  if (p.os === 'darwin') return p.path.join(p.home, 'Library', 'Application Support', 'Code', 'User');
  if (p.os === 'win32') return p.path.join(appData(p), 'Code', 'User');
  return p.path.join(xdgConfigHome(p), 'Code', 'User');
}

/** `${input:ID}` id for a header of a server: stable, so adding twice is a no-op. */
export function inputId(server: string, header: string): string {
  return `${server}-${header
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

export const vscode: Target = {
  id: 'vscode',
  name: 'VS Code',
  scopes: ['user', 'project'],
  format: 'jsonc',
  detect(ctx) {
    // VS Code fills its folder (caches, logs, User/settings.json); mcpwire may have created Code/User/ for mcp.json.
    const p = ctx.platform;
    const dir = userDir(ctx);
    return (
      folderInUse(p, dir, ['mcp.json']) ||
      folderInUse(p, p.path.dirname(dir), ['User']) ||
      onPath(p, 'code') ||
      (p.os === 'darwin' && p.fs.existsSync('/Applications/Visual Studio Code.app'))
    );
  },
  file(scope, ctx) {
    const { path } = ctx.platform;
    return scope === 'project' ? path.join(ctx.projectRoot, '.vscode', 'mcp.json') : path.join(userDir(ctx), 'mcp.json');
  },
  container: () => ['servers'],
  render(spec) {
    // Secrets from the environment become a password prompt VS Code asks once and keeps in its secret storage.
    const inputs: JsonObject[] = spec.headerEnvs.map((h) => ({
      type: 'promptString',
      id: inputId(spec.name, h.name),
      description: `${h.name === 'Authorization' || h.name.toLowerCase() === 'authorization' ? 'Access token' : h.name} for ${spec.name} (the value of $${h.variable})`,
      password: true,
    }));
    return {
      value: compact({ type: 'http', url: spec.url, headers: headersWithRefs(spec, (_v, header) => `\${input:${inputId(spec.name, header)}}`) }),
      inputs: inputs.length ? inputs : undefined,
      literalSecret: holdsLiteralSecret(spec),
      warnings: [],
    };
  },
  read(name, raw) {
    const e = readCommonEntry(name, raw);
    if (e.kind === 'remote' && isObject(raw) && raw.type === undefined) e.problems.push('no "type": VS Code needs "type": "http" for a remote server');
    return e;
  },
  transportKeys: COMMON_TRANSPORT_KEYS,
  doctor: { misplaced: [['mcpServers']], gui: true },
  scopeNote: (scope) => (scope === 'project' ? 'VS Code asks to trust servers from .vscode/mcp.json when it first starts them.' : undefined),
};
