/** A small deterministic PRNG (mulberry32) for generated fixtures: the benchmark's own. */
export { prng } from '../scripts/bench-home.mjs';
