import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One server, one Chromium and every example, built and served once for all files.
    globalSetup: ['test/harness/global-setup.ts'],
    // The files share that server and browser: one at a time keeps a 2-core machine responsive.
    fileParallelism: false,
    // Generous: a reply from the local upstream takes milliseconds, but a busy machine is slow.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
