/** Every supported client. A new client is one file in this folder and one line here. */
import { claudeCode } from './claude-code.js';
import { claudeDesktop } from './claude-desktop.js';
import { codex } from './codex.js';
import { cursor } from './cursor.js';
import { vscode } from './vscode.js';
import { windsurf } from './windsurf.js';
import type { Target } from './types.js';

export const TARGETS: readonly Target[] = [claudeCode, codex, cursor, claudeDesktop, vscode, windsurf];

export function targetById(id: string): Target | undefined {
  return TARGETS.find((t) => t.id === id);
}

export type { Target } from './types.js';
