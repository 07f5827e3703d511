/** Cursor: `~/.cursor/mcp.json` (all OSes, under %USERPROFILE% on Windows), `.cursor/mcp.json` per project. */
import { appInstalled, folderInUse, onPath } from '../platform.js';
import { COMMON_TRANSPORT_KEYS, compact, headersWithRefs, holdsLiteralSecret, readCommonEntry } from './common.js';
import type { Target } from './types.js';

export const cursor: Target = {
  id: 'cursor',
  name: 'Cursor',
  scopes: ['user', 'project'],
  format: 'jsonc', // Cursor accepts comments; we keep them and never add one
  detect(ctx) {
    // ~/.cursor holds extensions and argv.json once Cursor ran; the app keeps its data in its own folder.
    const p = ctx.platform;
    return folderInUse(p, p.path.join(p.home, '.cursor'), ['mcp.json']) || onPath(p, 'cursor') || appInstalled(p, 'Cursor', 'cursor');
  },
  file(scope, ctx) {
    const { path, home } = ctx.platform;
    return scope === 'project' ? path.join(ctx.projectRoot, '.cursor', 'mcp.json') : path.join(home, '.cursor', 'mcp.json');
  },
  container: () => ['mcpServers'],
  render(spec) {
    return {
      value: compact({ url: spec.url, headers: headersWithRefs(spec, (v) => `\${env:${v}}`) }),
      literalSecret: holdsLiteralSecret(spec),
      warnings: [],
    };
  },
  read: (name, raw) => readCommonEntry(name, raw),
  transportKeys: COMMON_TRANSPORT_KEYS,
  doctor: { gui: true, ignoresHeadersWithOAuth: true },
};
