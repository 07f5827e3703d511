/** Windsurf: `~/.codeium/windsurf/mcp_config.json`; remote entries use `serverUrl`, not `url`. */
import { appInstalled, folderInUse, onPath } from '../platform.js';
import { COMMON_TRANSPORT_KEYS, compact, headersWithRefs, holdsLiteralSecret, isObject, readCommonEntry } from './common.js';
import type { Target } from './types.js';

export const windsurf: Target = {
  id: 'windsurf',
  name: 'Windsurf',
  scopes: ['user'],
  format: 'jsonc', // read leniently; nothing mcpwire writes is ever a comment or a trailing comma
  detect(ctx) {
    const p = ctx.platform;
    return folderInUse(p, p.path.join(p.home, '.codeium', 'windsurf'), ['mcp_config.json']) || onPath(p, 'windsurf') || appInstalled(p, 'Windsurf', 'windsurf');
  },
  file(_scope, ctx) {
    const { path, home } = ctx.platform;
    return path.join(home, '.codeium', 'windsurf', 'mcp_config.json');
  },
  container: () => ['mcpServers'],
  render(spec) {
    return {
      value: compact({ serverUrl: spec.url, headers: headersWithRefs(spec, (v) => `\${env:${v}}`) }),
      literalSecret: holdsLiteralSecret(spec),
      warnings: [],
    };
  },
  read(name, raw) {
    const e = readCommonEntry(name, raw, 'serverUrl');
    if (e.kind === 'remote' && isObject(raw) && raw.serverUrl === undefined) e.problems.push('Windsurf expects "serverUrl" for a remote server, not "url"');
    return e;
  },
  transportKeys: COMMON_TRANSPORT_KEYS,
  doctor: { gui: true },
};
