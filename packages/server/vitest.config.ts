import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The local model is real and the machine has 2 cores: one file at a time. Tests on the local
    // model set their own timeouts from its measured speed (test/support.ts, docs/testing.md);
    // this one is for everything else.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
