import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSseStream, type StreamPart } from '@vibhava/protocol';
import { OpenAIChatModel } from '../src/providers/openai/openai-chat-model.js';
import { startServer, type RunningServer, type StartServerOptions } from '../src/server.js';
import { startOpenAIWireServer, type OpenAIWireServer } from '../src/testing/openai-wire-server.js';

export const PAGE_ORIGIN = 'https://shop.example';

export interface Harness {
  server: RunningServer;
  upstream: OpenAIWireServer;
  dataDir: string;
  close(): Promise<void>;
}

/** The real server on loopback with a real libSQL file, talking to a local OpenAI-wire upstream. */
export async function startHarness(options: Partial<StartServerOptions> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vibhava-test-'));
  const upstream = await startOpenAIWireServer();
  const server = await startServer({
    port: 0,
    dataDir,
    demo: true,
    allowedOrigins: [PAGE_ORIGIN],
    model: new OpenAIChatModel({ apiKey: 'test-key', baseURL: upstream.baseURL, model: 'gpt-4o-mini', maxRetries: 0 }),
    log: () => {},
    ...options,
  });
  return {
    server,
    upstream,
    dataDir,
    async close() {
      await server.close();
      await upstream.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api(
  server: RunningServer,
  path: string,
  init: { method?: string; body?: unknown; rawBody?: string; token?: string; origin?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.origin !== null) headers['origin'] = init.origin ?? PAGE_ORIGIN;
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  if (init.body !== undefined || init.rawBody !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers,
    ...(init.rawBody !== undefined
      ? { body: init.rawBody }
      : init.body !== undefined
        ? { body: JSON.stringify(init.body) }
        : {}),
  });
}

export async function startSession(
  server: RunningServer,
  origin = PAGE_ORIGIN,
): Promise<{ token: string; visitorId: string }> {
  const response = await api(server, '/v1/sessions', {
    body: { publishableKey: server.demo!.publishableKey, avatarId: server.demo!.avatarId },
    origin,
  });
  if (response.status !== 201) throw new Error(`session failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { token: string; visitorId: string };
}

export async function newConversation(server: RunningServer, token: string): Promise<string> {
  const response = await api(server, '/v1/conversations', { body: {}, token });
  return ((await response.json()) as { id: string }).id;
}

export async function collectParts(response: Response): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of decodeSseStream(response.body!)) parts.push(part);
  return parts;
}
