// Child process: the baseline, a bare node:http server that forwards chat requests to the
// upstream and pipes the stream back (no framework, auth, limits or storage). Prints its URL.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

const upstream = process.argv[2]!;
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const response = await fetch(`${upstream}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: Buffer.concat(chunks),
  });
  res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'text/event-stream' });
  Readable.fromWeb(response.body as WebReadableStream).pipe(res);
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`),
);
