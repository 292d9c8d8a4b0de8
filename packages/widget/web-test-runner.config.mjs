// Runs the widget tests in real Chromium against the real server (in-process, on loopback, with
// a temp data dir, the demo tenant and the real local model). The browser reads the server's URL,
// key and avatar id from /__vibhava_test_config.json, served by the plugin below. A second real
// server talks to a local OpenAI-wire upstream through the `openai` package, for tests that need
// a reply they can predict (an expression named by the message). A third allows no origin the
// test page has, for what a page the publishable key does not allow sees.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { OpenAIChatModel, startServer } from '@vibhava/server';
import { startOpenAIWireServer } from '@vibhava/server/testing';

const port = 8765;

/** Starts the VibhavaFusion server with the test runner and tells the browser where it is. */
function vibhavaServer() {
  let server;
  let scripted;
  let refused;
  let upstream;
  let dataDir;
  return {
    name: 'vibhava-server',
    async serverStart() {
      dataDir = await mkdtemp(join(tmpdir(), 'vibhava-widget-test-'));
      server = await startServer({
        port: 0,
        dataDir,
        demo: true,
        allowedOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
        log: (message, error) => {
          if (error) console.error(`[server] ${message}`, error);
        },
      });
      upstream = await startOpenAIWireServer();
      scripted = await startServer({
        port: 0,
        dataDir: await mkdtemp(join(dataDir, 'scripted-')),
        demo: true,
        allowedOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
        model: new OpenAIChatModel({ apiKey: 'sk-test', baseURL: upstream.baseURL, model: 'gpt-4o-mini' }),
        log: () => {},
      });
      refused = await startServer({
        port: 0,
        dataDir: await mkdtemp(join(dataDir, 'refused-')),
        demo: true,
        allowedOrigins: ['https://shop.example'],
        model: new OpenAIChatModel({ apiKey: 'sk-test', baseURL: upstream.baseURL, model: 'gpt-4o-mini' }),
        log: () => {},
      });
    },
    async serverStop() {
      await refused?.close();
      await scripted?.close();
      await upstream?.close();
      await server?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
    async serve(context) {
      if (context.path === '/__vibhava_refused_requests.json') {
        return { type: 'json', body: JSON.stringify(await requestsByMethod(refused)) };
      }
      if (context.path !== '/__vibhava_test_config.json') return undefined;
      const config = (s) => ({ serverUrl: s.url, publishableKey: s.demo.publishableKey, avatarId: s.demo.avatarId });
      return {
        type: 'json',
        body: JSON.stringify({ ...config(server), scripted: config(scripted), refused: config(refused) }),
      };
    },
  };
}

/** How many requests a server answered, by method, from its own metrics (what reached it, retries included). */
async function requestsByMethod(running) {
  const text = await (await running.app.request('/metrics')).text();
  const counts = {};
  for (const [, method, count] of text.matchAll(/^vibhava_http_requests_total\{method="(\w+)"[^}]*\} (\d+)$/gm)) {
    counts[method] = (counts[method] ?? 0) + Number(count);
  }
  return counts;
}

export default {
  files: ['test/**/*.test.ts'],
  port,
  nodeResolve: true,
  concurrency: 1,
  // Model replies take a few seconds on a small CPU.
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 90_000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
      },
    }),
  ],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }), vibhavaServer()],
};
