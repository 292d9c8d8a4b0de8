import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSseStream, type StreamPart } from '@vibhava/protocol';
import { DEFAULT_LOCAL_MODEL } from '../src/providers/local/model-catalog.js';
import { defaultModelsDir, modelPath } from '../src/providers/local/model-files.js';
import { OpenAIChatModel } from '../src/providers/openai/openai-chat-model.js';
import { startServer, type RunningServer, type StartServerOptions } from '../src/server.js';
import { startOpenAIWireServer, type OpenAIWireServer } from '../src/testing/openai-wire-server.js';

export { measureModelSpeed, modelTimeout, type ModelSpeed } from '../src/testing/model-speed.js';

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
    // Fact extraction by the hosted model would add its own calls to the upstream's request log;
    // tests that check extraction choose it (`memoryExtractor: 'llm'`).
    memoryExtractor: 'heuristic',
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

/** The rest of a streamed body, as text. */
export async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) return rest + decoder.decode();
    rest += decoder.decode(chunk.value, { stream: true });
  }
}

/** A console session: the httpOnly cookie and the CSRF token the login returned. */
export interface ConsoleSession {
  cookie: string;
  csrf: string;
}

/** Signs in to the console through the real login route. */
export async function signInAdmin(server: RunningServer, email: string, password: string): Promise<ConsoleSession> {
  const response = await fetch(`${server.url}/admin/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrf: csrfToken };
}

/**
 * One admin API call as a console session or a secret key. A `Uint8Array` body is sent as is
 * (with `contentType`), anything else as JSON.
 */
export function adminRequest(
  server: RunningServer,
  as: ConsoleSession | { key: string },
  method: string,
  path: string,
  body?: unknown,
  options: { csrf?: boolean; contentType?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if ('key' in as) headers['authorization'] = `Bearer ${as.key}`;
  else {
    headers['cookie'] = as.cookie;
    if (options.csrf !== false) headers['x-csrf-token'] = as.csrf;
  }
  const raw = body instanceof Uint8Array;
  if (body !== undefined)
    headers['content-type'] = options.contentType ?? (raw ? 'application/octet-stream' : 'application/json');
  return fetch(`${server.url}/admin/v1${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: raw ? new Blob([new Uint8Array(body)]) : JSON.stringify(body) }),
  });
}

/** The local model's file, as the setup script pulls it; a missing file is a failed setup, not a skip. */
export function localModelFile(): string {
  const path =
    process.env['VIBHAVA_MODEL_PATH'] ??
    modelPath(DEFAULT_LOCAL_MODEL, process.env['VIBHAVA_MODELS_DIR'] ?? defaultModelsDir());
  if (!existsSync(path)) throw new Error(`The local model is missing at ${path}: run \`pnpm models pull\` first.`);
  return path;
}
