/**
 * The supported clients' ids, in the order they are listed. Data only, so help text (src/cli.ts) and
 * completion can have them without loading the adapters; src/targets/index.ts builds TARGETS in this
 * order and checks at load time that each adapter's id is here.
 */
export const TARGET_IDS = ['claude-code', 'codex', 'cursor', 'claude-desktop', 'vscode', 'windsurf'] as const;

export type TargetId = (typeof TARGET_IDS)[number];
