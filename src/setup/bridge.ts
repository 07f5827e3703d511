/**
 * The bridge entry (`mcpwire proxy NAME --url U`) in each client's shape. The command and its
 * arguments are Claude Desktop's (absolute node and launcher, the npx-cache rules, no secret in args);
 * clients that read `type` get `"type": "stdio"` (Claude Code reads an entry without it as stdio too,
 * VS Code needs it). No credential goes in: the bridge reads the keychain under NAME.
 */
import { claudeDesktop } from '../targets/claude-desktop.js';
import type { TargetId } from '../targets/ids.js';
import type { RenderedEntry, ServerSpec, TargetContext } from '../targets/types.js';

const TYPED: ReadonlySet<TargetId> = new Set(['claude-code', 'vscode']);

export function renderBridgeEntry(target: TargetId, spec: ServerSpec, ctx: TargetContext): RenderedEntry {
  // Literal headers are never part of a setup spec; header references stay references (`--header-env K=VAR`).
  const r = claudeDesktop.render({ ...spec, headers: [] }, ctx);
  if (target === 'claude-desktop') return r;
  const value = TYPED.has(target) ? { type: 'stdio', ...r.value } : r.value;
  // The Claude Desktop wording of its warnings does not fit another client: keep the npx ones only.
  return { ...r, value, warnings: r.warnings.filter((w) => !w.startsWith('Claude Desktop')) };
}
