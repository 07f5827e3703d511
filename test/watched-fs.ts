/** node:fs with some of its functions wrapped, for tests that watch (or fail) what a transaction does. */
import fs from 'node:fs';
import type { Fs } from '../src/platform.js';

type Wrap = (original: (...args: never[]) => unknown) => (...args: never[]) => unknown;

/** node:fs, its functions named in `wrap` replaced by what each wrapper makes of the original. */
export function watchedFs(wrap: Record<string, Wrap>): Fs {
  return new Proxy(fs, {
    get(target, k: string) {
      const v = (target as unknown as Record<string, unknown>)[k];
      return wrap[k] ? wrap[k](v as (...args: never[]) => unknown) : v;
    },
  }) as unknown as Fs;
}
