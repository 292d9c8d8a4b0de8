import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenAIWireServer {
  /** Base URL to give the `openai` package, e.g. `http://127.0.0.1:1234/v1`. */
  baseURL: string;
  /** Every chat request body received, in order. */
  requests: Array<{ model: string; messages: Array<{ role: string; content: string }>; stream?: boolean }>;
  close(): Promise<void>;
}

/**
 * A local server that speaks OpenAI's Chat Completions wire format (SSE `chat.completion.chunk`
 * events, `data: [DONE]`, usage in the last chunk, JSON error bodies), for tests and benchmarks.
 * The reply is scripted by the last user message:
 * - `fail:500` / `fail:429` → that HTTP error before streaming;
 * - `fail:midstream` → a few deltas, then the connection is destroyed;
 * - `slow:<ms>` → each delta (the first too) after that many ms;
 * - a request for a model named `fail-…` → HTTP 500, whatever the message;
 * - anything else → echoes `You said: <message>` word by word.
 */
export async function startOpenAIWireServer(options: { port?: number } = {}): Promise<OpenAIWireServer> {
  const requests: OpenAIWireServer['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      return;
    }
    const body = JSON.parse(await readBody(req)) as OpenAIWireServer['requests'][number];
    requests.push(body);
    const last = [...body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    // A model named `fail-…` always answers 500: a broken primary for fallback tests.
    const failure = body.model.startsWith('fail-') ? ['', '500'] : /^fail:(\d{3})$/.exec(last);
    if (failure) {
      const status = Number(failure[1]);
      res.writeHead(status, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: {
            message: `scripted failure ${status}`,
            type: status === 429 ? 'rate_limit_error' : 'server_error',
            code: null,
          },
        }),
      );
      return;
    }
    const id = `chatcmpl-${requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: object, finish: string | null, usage?: object) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(chunk({ role: 'assistant', content: '' }, null));
    const slow = /^slow:(\d+)$/.exec(last);
    const words = `You said: ${last}`.split(/(?<= )/);
    for (const [index, word] of words.entries()) {
      if (last === 'fail:midstream' && index === 2) {
        // Let the first deltas reach the client, then drop the connection like a crashed upstream.
        await new Promise((r) => setTimeout(r, 50));
        res.destroy();
        return;
      }
      if (slow) await new Promise((r) => setTimeout(r, Number(slow[1])));
      res.write(chunk({ content: word }, null));
    }
    res.write(chunk({}, 'stop'));
    const promptTokens = body.messages.reduce((n, m) => n + Math.ceil(m.content.length / 4), 0);
    res.write(
      chunk({}, null, {
        prompt_tokens: promptTokens,
        completion_tokens: words.length,
        total_tokens: promptTokens + words.length,
        prompt_tokens_details: { cached_tokens: 0 },
      }),
    );
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
