import { describe, expect, it } from 'vitest';
import { StreamDecodeError, decodeSseStream, encodeSseEvent, type StreamPart } from '../src/index.js';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function decode(chunks: string[]): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of decodeSseStream(streamOf(chunks))) parts.push(part);
  return parts;
}

const parts: StreamPart[] = [
  { type: 'text-start', id: 'msg_1' },
  { type: 'text-delta', id: 'msg_1', delta: 'Hé\nllo 👋' },
  { type: 'usage', inputTokens: 10, outputTokens: 2 },
  { type: 'error', error: { code: 'upstream_error', message: 'boom' } },
];

describe('SSE codec', () => {
  it('round-trips parts however the bytes are split', async () => {
    const wire = parts.map(encodeSseEvent).join('');
    expect(await decode([wire])).toEqual(parts);
    // One byte at a time, splitting multi-byte characters too.
    const bytes = new TextEncoder().encode(wire);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const decoded: StreamPart[] = [];
    for await (const part of decodeSseStream(stream)) decoded.push(part);
    expect(decoded).toEqual(parts);
  });

  it('accepts CRLF, comments and a last event without a blank line', async () => {
    expect(
      await decode([
        ': keep-alive\r\n',
        'data: {"type":"text-start","id":"a"}\r\n\r\n',
        'data: {"type":"text-end","id":"a"}',
      ]),
    ).toEqual([
      { type: 'text-start', id: 'a' },
      { type: 'text-end', id: 'a' },
    ]);
  });

  it('refuses events that are not protocol parts', async () => {
    await expect(decode(['data: {"type":"nope"}\n\n'])).rejects.toBeInstanceOf(StreamDecodeError);
    await expect(decode(['data: {not json\n\n'])).rejects.toThrow(/not JSON/);
  });
});
