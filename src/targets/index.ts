/**
 * Every supported client. A new client is one file in this folder, its id in ids.ts (the list help and
 * completion read without loading the adapters) and one line here; the compiler refuses an id without
 * an adapter.
 */
import { claudeCode } from './claude-code.js';
import { claudeDesktop } from './claude-desktop.js';
import { codex } from './codex.js';
import { cursor } from './cursor.js';
import { TARGET_IDS, type TargetId } from './ids.js';
import { vscode } from './vscode.js';
import { windsurf } from './windsurf.js';
import type { Target } from './types.js';

const ADAPTERS: Record<TargetId, Target> = {
  'claude-code': claudeCode,
  codex,
  cursor,
  'claude-desktop': claudeDesktop,
  vscode,
  windsurf,
};

/** In the order of TARGET_IDS. */
export const TARGETS: readonly Target[] = TARGET_IDS.map((id) => ADAPTERS[id]);

export function targetById(id: string): Target | undefined {
  return TARGETS.find((t) => t.id === id);
}

export { TARGET_IDS } from './ids.js';
export type { Target } from './types.js';
