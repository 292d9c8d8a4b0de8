import { copyFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // The native addon and its platform packages must stay external (loaded at run time).
  external: ['node-llama-cpp'],
  // The emotion classifier's weights sit beside the bundled chunks, where its loaders look.
  async onSuccess() {
    await copyFile('src/emotion/goemotions-linear.bin', 'dist/goemotions-linear.bin');
    await copyFile('src/emotion/goemotions-embedding-head.bin', 'dist/goemotions-embedding-head.bin');
  },
});
