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
import { defaultModelsDir, OpenAIChatModel, startServer } from '@vibhava/server';
import { measureModelSpeed, modelTimeout, startOpenAIWireServer } from '@vibhava/server/testing';

const port = 8765;
const allowedOrigins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];

// The server on the real local model starts before the config is exported: the tests' timeouts
// come from this machine's measured speed and the most a reply may read (the context) and write
// (capped), not a fixed number (docs/testing.md).
const CONTEXT_TOKENS = 2048;
const REPLY_TOKENS = 128;
const dataDir = await mkdtemp(join(tmpdir(), 'vibhava-widget-test-'));
const server = await startServer({
  port: 0,
  dataDir,
  demo: true,
  allowedOrigins,
  providers: {
    provider: 'local',
    local: {
      modelsDir: process.env.VIBHAVA_MODELS_DIR ?? defaultModelsDir(),
      contextSize: CONTEXT_TOKENS,
      maxOutputTokens: REPLY_TOKENS,
    },
  },
  log: (message, error) => {
    if (error) console.error(`[server] ${message}`, error);
  },
});
const speed = await measureModelSpeed(server.model);
/** One reply of the local model, at most; the browser reads it as `replyTimeoutMs`. */
const replyTimeout = modelTimeout(speed, { promptTokens: CONTEXT_TOKENS, outputTokens: REPLY_TOKENS });
/** A test: two replies, plus the page and the widget. */
const testTimeout = 2 * replyTimeout + 15_000;

/** Starts the VibhavaFusion server with the test runner and tells the browser where it is. */
function vibhavaServer() {
  let scripted;
  let refused;
  let upstream;
  return {
    name: 'vibhava-server',
    async serverStart() {
      upstream = await startOpenAIWireServer();
      scripted = await startServer({
        port: 0,
        dataDir: await mkdtemp(join(dataDir, 'scripted-')),
        demo: true,
        allowedOrigins,
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
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
    async serve(context) {
      if (context.path === '/__vibhava_refused_requests.json') {
        return { type: 'json', body: JSON.stringify(await requestsByMethod(refused)) };
      }
      if (context.path !== '/__vibhava_test_config.json') return undefined;
      const config = (s) => ({ serverUrl: s.url, publishableKey: s.demo.publishableKey, avatarId: s.demo.avatarId });
      return {
        type: 'json',
        body: JSON.stringify({
          ...config(server),
          replyTimeoutMs: replyTimeout,
          scripted: config(scripted),
          refused: config(refused),
        }),
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
  // Model replies take from a second to a minute, by machine: timeouts from the measured speed.
  testsFinishTimeout: Math.max(300_000, 10 * testTimeout),
  testFramework: { config: { timeout: testTimeout } },
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
