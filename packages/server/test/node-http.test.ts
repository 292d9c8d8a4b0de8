import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitedBody } from '../src/http/node-http.js';
import { errorHandler } from '../src/middleware/error-handler.js';

let server: ServerType;
let base: string;
/** Errors that reached the handler as server faults (500s). */
const unhandled: Error[] = [];
beforeAll(async () => {
  const app = new Hono()
    .use('*', limitedBody(1024))
    .post('/json', async (c) => c.json(await c.req.json()))
    .post('/form', async (c) => {
      const file = (await c.req.parseBody())['file'] as File;
      return c.json({ bytes: [...new Uint8Array(await file.arrayBuffer())] });
    });
  app.onError(
    errorHandler(
      () => {},
      (error) => unhandled.push(error),
    ),
  );
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('bodies read from the node request (limitedBody)', () => {
  it('hands JSON to c.req.json() and a form upload to parseBody() byte for byte', async () => {
    const json = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'wörld' }),
    });
    expect(await json.json()).toEqual({ hello: 'wörld' });
    // Bytes that are not UTF-8 must not pass through text on their way to the form parser.
    const bytes = [0xff, 0x00, 0xc3, 0x28, 0x80, 0x41];
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), 'raw.bin');
    const uploaded = await fetch(`${base}/form`, { method: 'POST', body: form });
    expect(await uploaded.json()).toEqual({ bytes });
  });

  it('refuses a body over the limit with 413, declared or not', async () => {
    const declared = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(2000) }),
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('takes a body cut off mid-way for the client’s doing, not a server fault', async () => {
    // Half of the promised bytes, then the client goes away.
    const sent = request(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '500' },
    });
    sent.on('error', () => {});
    sent.write(`{"content": "${'y'.repeat(200)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    sent.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(unhandled).toEqual([]);
    // The server goes on answering.
    const after = await fetch(`${base}/json`, {
      method: 'POST',
      body: '{"ok":true}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await after.json()).toEqual({ ok: true });
  });
});
