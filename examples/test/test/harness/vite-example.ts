import { join, resolve } from 'node:path';
import { build, preview } from 'vite';

export const examplesDir = resolve(import.meta.dirname, '../../..');

export interface ServedExample {
  url: string;
  close(): Promise<void>;
}

/**
 * Builds a Vite example with its own config, the server's URL passed the way a developer passes
 * it (`VITE_VIBHAVA_SERVER_URL` in the environment beats `.env`), and serves the build with
 * `vite preview` on a free loopback port.
 */
export async function buildAndPreview(
  name: string,
  options: { serverUrl: string; outDir: string },
): Promise<ServedExample> {
  const root = join(examplesDir, name);
  const outDir = join(options.outDir, name);
  const previous = process.env['VITE_VIBHAVA_SERVER_URL'];
  process.env['VITE_VIBHAVA_SERVER_URL'] = options.serverUrl;
  try {
    await build({ root, mode: 'production', logLevel: 'error', build: { outDir, emptyOutDir: true } });
  } finally {
    if (previous === undefined) delete process.env['VITE_VIBHAVA_SERVER_URL'];
    else process.env['VITE_VIBHAVA_SERVER_URL'] = previous;
  }
  const server = await preview({
    root,
    logLevel: 'error',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (typeof address !== 'object' || !address) throw new Error(`vite preview of ${name} is not listening.`);
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}
