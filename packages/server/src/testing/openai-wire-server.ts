import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenAIWireServer {
  /** Base URL to give the `openai` package, e.g. `http://127.0.0.1:1234/v1`. */
  baseURL: string;
  /** Every chat request body received, in order. */
  requests: Array<{
    model: string;
    messages: Array<{ role: string; content: string }>;
    stream?: boolean;
    max_completion_tokens?: number;
    max_tokens?: number;
    response_format?: {
      type: string;
      json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> };
    };
  }>;
  close(): Promise<void>;
}

/**
 * A local server that speaks OpenAI's Chat Completions wire format (SSE `chat.completion.chunk`
 * events, `data: [DONE]`, usage in the last chunk, JSON error bodies), for tests and benchmarks.
 * The reply is scripted by the last user message:
 * - `fail:500` / `fail:429` → that HTTP error before streaming;
 * - `fail:midstream` → a few deltas (`You said:` of the text), then the connection is destroyed;
 * - `slow:<ms>` → each delta (the first too) after that many ms;
 * - a request for a model named `fail-…` → HTTP 500, whatever the message;
 * - anything else → echoes `You said: <message>` word by word.
 *
 * Like OpenAI, it stops at `max_completion_tokens` (or `max_tokens`), a word counting as a token,
 * with `finish_reason: "length"`, and answers a request without `stream: true` with one
 * `chat.completion` JSON body.
 *
 * With `response_format: { type: 'json_schema' }` the reply is the JSON object the schema asks
 * for, streamed a few characters at a time (chunks end inside keys and escapes, like real
 * streams): `emotion` is `joy`, or the one named by a `feel:<emotion> …` message, and the string
 * property after it holds the echo.
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
    const slow = /^slow:(\d+)$/.exec(last);
    const feel = /^feel:(\w+)\s*/.exec(last);
    const said = `You said: ${feel ? last.slice(feel[0].length) : last}`;
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? Infinity;
    const saidWords = said.split(/(?<= )/);
    const truncated = saidWords.length > maxTokens;
    const echo = truncated ? saidWords.slice(0, maxTokens).join('') : said;
    const schema = body.response_format?.type === 'json_schema' ? body.response_format.json_schema?.schema : undefined;
    const content = schema ? structuredEcho(schema, echo, feel?.[1] ?? 'joy') : echo;
    const promptTokens = body.messages.reduce((n, m) => n + Math.ceil(m.content.length / 4), 0);
    // A token per word of the reply text, however it was chunked.
    const completionTokens = echo.split(/(?<= )/).length;
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0 },
    };
    if (body.stream !== true) {
      // The whole reply in one `chat.completion` (after the same total delay a stream would take).
      if (last === 'fail:midstream') {
        res.destroy();
        return;
      }
      if (slow) await new Promise((r) => setTimeout(r, Number(slow[1]) * saidWords.length));
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          choices: [
            { index: 0, message: { role: 'assistant', content }, finish_reason: truncated ? 'length' : 'stop' },
          ],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(chunk({ role: 'assistant', content: '' }, null));
    const words = schema ? chunkText(content, 5) : echo.split(/(?<= )/);
    for (const [index, word] of words.entries()) {
      if (last === 'fail:midstream' && index === (schema ? 7 : 2)) {
        // Let the first deltas reach the client, then drop the connection like a crashed upstream.
        await new Promise((r) => setTimeout(r, 50));
        res.destroy();
        return;
      }
      if (slow) await new Promise((r) => setTimeout(r, Number(slow[1])));
      res.write(chunk({ content: word }, null));
    }
    res.write(chunk({}, truncated ? 'length' : 'stop'));
    res.write(chunk({}, null, usage));
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

/** The object a `{ emotion, <text> }`-style schema asks for: enums get `emotion`, strings the echo. */
function structuredEcho(schema: Record<string, unknown>, echo: string, emotion: string): string {
  const properties = (schema.properties ?? {}) as Record<string, { enum?: string[] }>;
  const value = Object.fromEntries(
    Object.entries(properties).map(([key, property]) => [
      key,
      property.enum ? (property.enum.includes(emotion) ? emotion : property.enum[0]) : echo,
    ]),
  );
  return JSON.stringify(value);
}

function chunkText(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
