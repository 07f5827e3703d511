import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests spawn real processes; two workers on a 2-core machine.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/integration/crash.test.ts'], sequence: { groupOrder: 0 } } },
      // The crash test kills hundreds of processes for ~50 s and takes both cores: run alone, after the
      // rest, it neither starves the tests that measure time (doctor's limits, lock recovery) nor is
      // starved itself ("only 168 kills fit in the 46 s budget (machine busy?)" when they overlapped).
      { extends: true, test: { name: 'crash', include: ['test/integration/crash.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
