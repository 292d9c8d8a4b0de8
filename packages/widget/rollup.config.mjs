import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

/** zod's sources trip two harmless rollup warnings; everything else still prints. */
function onwarn(warning, warn) {
  const inDependency = (id) => typeof id === 'string' && id.includes('node_modules');
  if (warning.code === 'INVALID_ANNOTATION' && inDependency(warning.id)) return;
  if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every(inDependency)) return;
  warn(warning);
}

const typescript = () => esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' });

export default [
  // npm build: ES modules for bundlers; lit and the SDK stay imports the app resolves.
  {
    input: { index: 'src/index.ts', define: 'src/define.ts' },
    external: [/^lit($|\/)/, /^@lit\//, /^@vibhava\/sdk($|\/)/],
    plugins: [typescript()],
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
    },
  },
  // Script-tag build: one self-contained, minified file that registers <vibhava-avatar>.
  {
    input: 'src/cdn.ts',
    onwarn,
    plugins: [
      nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }),
      typescript(),
      terser({ ecma: 2020, format: { comments: false }, compress: { passes: 2 } }),
    ],
    output: { file: 'dist/vibhava-avatar.min.js', format: 'iife', sourcemap: true, inlineDynamicImports: true },
  },
];
