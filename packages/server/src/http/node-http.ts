import { IncomingMessage, ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './api-error.js';

/**
 * The hot routes' shortcuts around the Fetch API objects that `@hono/node-server` builds on
 * demand: reading a body through a `Request` costs a `Headers`, a web stream and an undici
 * `Request` per call, and sending a stream through a `Response` costs a web-stream read per part.
 * Under another runtime (or `app.request()` in tests) the standard path runs instead.
 */

/** The node request and response behind a Hono context, when it runs on `@hono/node-server`'s HTTP/1 server. */
export function nodeExchange(c: Context): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  const env = c.env as { incoming?: unknown; outgoing?: unknown } | undefined;
  return env?.incoming instanceof IncomingMessage && env.outgoing instanceof ServerResponse
    ? { incoming: env.incoming, outgoing: env.outgoing }
    : undefined;
}

/**
 * Reads the request body (at most `maxBytes`, else a 413 `payload_too_large`) straight from the
 * node request into Hono's body cache, so `c.req.json()` and the validators never build a
 * `Request`. Elsewhere it is Hono's `bodyLimit`.
 */
export function limitedBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => new ApiError(413, 'payload_too_large', `The request body is over ${maxBytes} bytes.`);
  const fallback = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    const node = nodeExchange(c);
    if (!node) return fallback(c, next);
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const declared = Number(node.incoming.headers['content-length'] ?? 0);
    if (declared > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of node.incoming as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge();
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof ApiError) throw error;
      // The client went away (or its connection broke) while sending: its request, not our fault.
      throw new ApiError(400, 'invalid_request', 'The request body was cut off before its end.');
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    const cache = c.req.bodyCache as unknown as Record<string, Promise<unknown>>;
    // The bytes first: Hono converts from the first cached form (a form upload must not pass
    // through text), and they are copied only for a route that asks for them.
    let bytes: Promise<ArrayBuffer> | undefined;
    Object.defineProperty(cache, 'arrayBuffer', {
      enumerable: true,
      configurable: true,
      get: () =>
        (bytes ??= Promise.resolve(
          body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
        )),
    });
    cache['text'] = Promise.resolve(body.toString('utf8'));
    return next();
  };
}

/** Where a streamed response's text goes: the node response, or a web stream's controller. */
export interface TextSink {
  write(text: string): void;
  end(): void;
  /** Aborted when the client goes away before the end. */
  readonly closed: AbortSignal;
}

/**
 * A streamed response: on node, `run` writes straight to the socket (after the headers Hono has
 * gathered for this response: rate limits, CORS); elsewhere through a `ReadableStream` body.
 * `run` must end the sink.
 */
export function streamText(
  c: Context,
  headers: Record<string, string>,
  run: (sink: TextSink) => Promise<void>,
): Response {
  const node = nodeExchange(c);
  if (!node) {
    const encoder = new TextEncoder();
    const closed = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const sink: TextSink = {
          write(text) {
            try {
              controller.enqueue(encoder.encode(text));
            } catch {
              // The client went away; `closed` tells the writer.
            }
          },
          end() {
            try {
              controller.close();
            } catch {
              // Already closed by a disconnect.
            }
          },
          closed: closed.signal,
        };
        // `run` ends the sink itself; a bug that makes it throw must still end the response.
        run(sink).catch(() => controller.error(new Error('The stream failed')));
      },
      cancel(reason) {
        closed.abort(reason);
      },
    });
    return c.body(body, 200, headers);
  }
  const { outgoing } = node;
  const all: Record<string, string | string[]> = {};
  c.res.headers.forEach((value, name) => (all[name] = value));
  const cookies = c.res.headers.getSetCookie();
  if (cookies.length > 0) all['set-cookie'] = cookies;
  Object.assign(all, headers);
  const closed = new AbortController();
  const goneAway = () => closed.abort(new DOMException('The client went away', 'AbortError'));
  // Gone already (while the turn was being prepared), or later.
  if (outgoing.destroyed || node.incoming.socket?.destroyed) goneAway();
  else
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) goneAway();
    });
  outgoing.writeHead(200, all);
  outgoing.flushHeaders();
  run({
    write(text) {
      if (!outgoing.destroyed) outgoing.write(text);
    },
    end() {
      if (!outgoing.destroyed) outgoing.end();
    },
    closed: closed.signal,
  }).catch(() => outgoing.destroy());
  return RESPONSE_ALREADY_SENT;
}
