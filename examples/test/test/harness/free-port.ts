import { createServer } from 'node:net';

/**
 * A loopback port nobody listens on right now. Only the VibhavaFusion server needs one chosen
 * ahead: its URL is built into the examples before it starts, since it must start knowing their
 * origins (the demo key's allowed origins are set at start, like VIBHAVA_ALLOWED_ORIGINS).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
