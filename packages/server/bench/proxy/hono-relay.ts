// Child process: the floor of our stack, a Hono + @hono/node-server app that relays a chat
// request through the `openai` package and streams the deltas back as SSE (no auth, limits,
// storage or prompt). Prints its URL.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import OpenAI from 'openai';
import type { AddressInfo } from 'node:net';

const client = new OpenAI({ apiKey: 'sk-test', baseURL: process.argv[2]!, maxRetries: 0 });
const app = new Hono().post('/', async (c) => {
  const { messages } = await c.req.json<{ messages: Array<{ role: 'user'; content: string }> }>();
  const upstream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
  c.header('content-type', 'text/event-stream; charset=utf-8');
  return stream(c, async (out) => {
    for await (const chunk of upstream) {
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) await out.write(`data: ${JSON.stringify({ type: 'text-delta', delta })}\n\n`);
    }
  });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`),
);
