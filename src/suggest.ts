/** "Did you mean …?" for a mistyped id: the nearest candidate by edit distance, or one it abbreviates. */

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps, as commander uses). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

export function nearest(input: string, candidates: readonly string[]): string | undefined {
  const word = input.toLowerCase();
  if (!word) return undefined;
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(word, c);
    // A prefix (`claude` for claude-code) counts whatever its length; otherwise about a third of the word may differ.
    const near = c.startsWith(word) || d <= Math.max(1, Math.floor(c.length / 3));
    if (near && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}
