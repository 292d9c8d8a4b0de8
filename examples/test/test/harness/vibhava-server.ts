import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAIChatModel, startServer, type RunningServer } from '@vibhava/server';
import { startOpenAIWireServer } from '@vibhava/server/testing';

export const ADMIN = { email: 'owner@examples.test', password: 'examples-owner-password' };

export interface VibhavaServer {
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * The real server on loopback (demo tenant, key and avatar; a real libSQL file), its replies
 * written by the real `openai` package talking to a local OpenAI-wire upstream that echoes the
 * visitor ("You said: …") word by word: fast, deterministic, and streamed like the real thing.
 */
export async function startVibhavaServer(options: {
  port: number;
  allowedOrigins: readonly string[];
}): Promise<VibhavaServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vibhava-examples-data-'));
  const upstream = await startOpenAIWireServer();
  try {
    const server = await startServer({
      port: options.port,
      dataDir,
      demo: true,
      allowedOrigins: options.allowedOrigins,
      demoAdmin: ADMIN,
      model: new OpenAIChatModel({
        apiKey: 'test-key',
        baseURL: upstream.baseURL,
        model: 'gpt-4o-mini',
        maxRetries: 0,
      }),
      memoryExtractor: 'heuristic',
      log: () => {},
    });
    return {
      server,
      async close() {
        await server.close();
        await upstream.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
