import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startHarness, startSession, type Harness } from './support.js';

// What `vibhava start` prints per request, over real HTTP on loopback.
let harness: Harness;
const lines: string[] = [];
beforeAll(async () => {
  harness = await startHarness({ requestLog: (line) => lines.push(line) });
});
afterAll(() => harness?.close());

describe('the request log', () => {
  it('writes one line per request: method, path, status and milliseconds, never the query or a token', async () => {
    const { token } = await startSession(harness.server);
    await api(harness.server, '/v1/conversations', { token });
    await fetch(`${harness.server.url}/health?access_token=s3cr3t-in-query`);
    await api(harness.server, '/v1/nowhere', { token });
    expect(lines).toEqual([
      expect.stringMatching(/^POST \/v1\/sessions 201 \d+ms$/),
      expect.stringMatching(/^GET \/v1\/conversations 200 \d+ms$/),
      expect.stringMatching(/^GET \/health 200 \d+ms$/),
      expect.stringMatching(/^GET \/v1\/nowhere 404 \d+ms$/),
    ]);
    expect(lines.join('\n')).not.toContain('s3cr3t');
    expect(lines.join('\n')).not.toContain(token);
  });
});
