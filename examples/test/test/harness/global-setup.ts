import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { launchChromium } from './chromium.js';
import { freePort } from './free-port.js';
import { configureTenant, startIdentitySite } from './identity-site.js';
import { ADMIN, startVibhavaServer } from './vibhava-server.js';
import { buildAndPreview } from './vite-example.js';

const VITE_EXAMPLES = ['vite', 'react', 'vue', 'headless-sdk'] as const;

/**
 * Builds and serves every example, starts one VibhavaFusion server that allows their origins
 * (and the node-identity site's tokens), and one Chromium; the test files share them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const closers: Array<() => Promise<void>> = [];
  const teardown = async () => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => console.error(error));
  };
  try {
    const serverUrl = `http://127.0.0.1:${await freePort()}`;
    const outDir = mkdtempSync(join(tmpdir(), 'vibhava-examples-build-'));
    closers.push(async () => rmSync(outDir, { recursive: true, force: true }));

    const served: Record<string, string> = {};
    for (const name of VITE_EXAMPLES) {
      const example = await buildAndPreview(name, { serverUrl, outDir });
      closers.push(example.close);
      served[name] = example.url;
    }
    const site = await startIdentitySite(serverUrl);
    closers.push(site.close);

    const vibhava = await startVibhavaServer({
      port: Number(new URL(serverUrl).port),
      allowedOrigins: [...Object.values(served), site.url],
    });
    closers.push(vibhava.close);
    await configureTenant(serverUrl, ADMIN);

    const browser = await launchChromium();
    closers.push(() => browser.close());

    project.provide('serverUrl', serverUrl);
    project.provide('browserWSEndpoint', browser.wsEndpoint());
    project.provide('examples', {
      // The server itself serves the script-tag page at / (like `scripts/dev.sh start`).
      'script-tag': `${serverUrl}/`,
      vite: served['vite']!,
      react: served['react']!,
      vue: served['vue']!,
      'headless-sdk': served['headless-sdk']!,
      'node-identity': site.url,
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
