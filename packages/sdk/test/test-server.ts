import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAIChatModel, startServer, type RunningServer, type StartServerOptions } from '@vibhava/server';
import { startOpenAIWireServer, type OpenAIWireServer } from '@vibhava/server/testing';
import { createVibhavaClient, type VibhavaClient, type VibhavaClientOptions } from '../src/index.js';

export const ORIGIN = 'https://docs.example';

/**
 * A real server on loopback (temp libSQL file, the demo tenant) whose model is the real `openai`
 * package talking to a local OpenAI-wire upstream: replies echo the message (`You said: …`).
 */
export interface TestServers {
  upstream: OpenAIWireServer;
  server: RunningServer;
  start(options?: Partial<StartServerOptions>): Promise<RunningServer>;
  /** A client of `server` (or `overrides.serverUrl`), a new visitor unless given the same cache. */
  client(overrides?: Partial<VibhavaClientOptions>): VibhavaClient;
  close(): Promise<void>;
}

export async function startTestServers(): Promise<TestServers> {
  const upstream = await startOpenAIWireServer();
  const start = (options: Partial<StartServerOptions> = {}) =>
    startServer({
      port: 0,
      dataDir: mkdtempSync(join(tmpdir(), 'vibhava-sdk-')),
      demo: true,
      allowedOrigins: [ORIGIN],
      model: new OpenAIChatModel({ apiKey: 'sk-test', baseURL: upstream.baseURL, model: 'gpt-4o-mini', maxRetries: 0 }),
      log: () => {},
      ...options,
    });
  const server = await start();
  return {
    upstream,
    server,
    start,
    client: (overrides = {}) =>
      createVibhavaClient({
        serverUrl: server.url,
        publishableKey: server.demo!.publishableKey,
        avatarId: server.demo!.avatarId,
        origin: ORIGIN,
        retry: { initialDelayMs: 20, maxDelayMs: 100 },
        ...overrides,
      }),
    close: async () => {
      await server.close();
      await upstream.close();
    },
  };
}
