/**
 * How the bridge keeps its memory small: it idles for hours between small requests, and now and then
 * passes one large result (a file's contents, a 10 MB tool result). Issue 8 asks ≤ 60 MB idle and a
 * peak growth ≤ 3× a large message (scripts/bench-proxy.mjs measures both).
 */

/**
 * Set once the SDK loads (the first message), not at start: `node:v8` costs ~3 ms to load.
 *
 * - A bridge's messages die young. V8 doubles the young generation (up to 16 MB on 64-bit Node, 2 × 8
 *   MB semi-spaces) each time many objects survive a scavenge, as loading the SDK makes them do, and
 *   never gives those pages back while the process keeps running small requests. Kept at its initial
 *   size, the idle bridge is ~10 MB smaller; the flag is read when V8 would grow the space, so setting
 *   it at run time takes effect.
 * - No optimizing compiler (TurboFan; Maglev on Node 22+): the bridge's own work per message is a few
 *   microseconds of JavaScript between two sockets, and the heavy parts (JSON, the socket, TLS) are
 *   native. Optimized code, and above all the compile jobs' memory on V8's worker threads (each
 *   thread's malloc arena keeps what it freed), cost the idle bridge 4–6 MB: 58.4 → 52 MB on Node 20,
 *   62 → 59.5 MB on Node 24 (scripts/bench-proxy.mjs), with no measurable change per request (+0.4–0.6
 *   ms over a direct client either way) nor on a 3,000-tool `tools/list`. Both flags are read when V8
 *   decides to optimize a function, so setting them at run time takes effect; Ignition and Sparkplug
 *   still run everything.
 */
let keptSmall = false;
export function keepTheBridgeSmall(): void {
  if (keptSmall) return;
  keptSmall = true;
  const v8 = process.getBuiltinModule('node:v8');
  for (const flag of ['--semi-space-growth-factor=1', '--no-turbofan', '--no-maglev']) {
    try {
      v8.setFlagsFromString(flag);
    } catch {
      /* an engine without the flag: its default */
    }
  }
}

/**
 * A garbage collection, on a large message's path only, between one copy of it and the next: V8
 * collects when its heap grows, but a body's bytes live outside the heap and a 10 MB string is one
 * object, so without it every copy of a large result (bytes, text, value, the text written out) stays
 * until long after the next is made. Sweeping is made synchronous for this collection, so the memory is
 * back with the system when it returns (V8 would otherwise free the pages a moment later, on a worker
 * thread, after the next copy is made: measured, no drop at all). A minor one (the young generation)
 * frees the socket's chunks while a large body is read.
 *
 * `gc` is exposed at run time for a new context (the process's own global keeps none). Called with no
 * argument for a full collection: on Node 20, `gc({ type: 'major' })` from that context measured no
 * collection at all. Where any of this fails, nothing is collected early.
 */
let gc: ((o?: { type: 'minor' }) => void) | null | undefined;
export function collectGarbage(type: 'full' | 'minor' = 'full'): void {
  const v8 = process.getBuiltinModule('node:v8');
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = process.getBuiltinModule('node:vm').runInNewContext('gc') as typeof gc;
    } catch {
      gc = null;
    }
  }
  if (!gc) return;
  v8.setFlagsFromString('--no-concurrent-sweeping');
  try {
    if (type === 'minor') gc({ type: 'minor' });
    else gc();
  } finally {
    v8.setFlagsFromString('--concurrent-sweeping');
  }
}
