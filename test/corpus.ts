/**
 * Where the real-config corpus is (../shared/corpus/real-configs, beside the repository), and what a test
 * does when it is not there: in CI it is a failure (shared/ is part of the set-up); on a newcomer's clone
 * the corpus tests skip, and say why.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';

export const CORPUS = new URL('../../shared/corpus/real-configs/', import.meta.url);
export const CORPUS_DIR = fileURLToPath(CORPUS);
export const haveCorpus = fs.existsSync(CORPUS_DIR);

/** Call at the top of a corpus test file: registers the failing test under CI=true when the corpus is missing. */
export function requireCorpusInCi(): void {
  if (haveCorpus) return;
  const why = `the real-config corpus is missing at ${CORPUS_DIR} (the project's shared/ folder must sit beside the repository)`;
  if (process.env.CI === 'true') {
    test('the real-config corpus is present', () => {
      throw new Error(why);
    });
  } else {
    test.skip(`corpus tests skipped: ${why}`, () => {});
  }
}
