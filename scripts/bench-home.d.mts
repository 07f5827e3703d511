/** Types for the parts of bench-home.mjs the tests use (test/integration/cli-harness.ts). */
export function prng(seed: number): () => number;
export function claudeJson(bytes: number, seed?: number): { text: string; projects: number };
export const USER_FILES: Record<string, string>;
export function buildRealisticHome(home: string, claudeBytes?: number): unknown;
