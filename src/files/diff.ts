/**
 * The diff `--dry-run` shows, as values: hunks of the masked texts (see mask.ts). Loaded only for a
 * dry run (the `diff` library is not needed to write).
 */
import { structuredPatch } from 'diff';
import { maskSecrets } from './mask.js';

export interface FileDiff {
  newFile: boolean;
  deleted: boolean;
  /** `@@ -a,b +c,d @@` then lines starting with ' ', '+', '-' or '\' (no newline at end of file). */
  hunks: Array<{ header: string; lines: string[] }>;
}

export function fileDiff(file: string, before: string | null, after: string | null): FileDiff {
  const format = /\.toml$/i.test(file) ? 'toml' : 'json';
  const a = before === null ? '' : maskSecrets(before, format);
  const b = after === null ? '' : maskSecrets(after, format);
  const patch = structuredPatch(file, file, a, b, '', '', { context: 3 });
  return {
    newFile: before === null,
    deleted: after === null,
    hunks: patch.hunks.map((h) => ({
      // As diff(1) writes it: an empty side starts at line 0 (`@@ -0,0 +1,8 @@` for a new file).
      header: `@@ -${h.oldLines === 0 ? h.oldStart - 1 : h.oldStart},${h.oldLines} +${h.newLines === 0 ? h.newStart - 1 : h.newStart},${h.newLines} @@`,
      lines: h.lines.map((l) => l.replace(/\r$/, '')),
    })),
  };
}
