import { StreamPartSchema, type StreamPart } from './stream-parts.js';

/** Encodes one part as an SSE event: `data: <json>\n\n`. JSON never contains a raw newline. */
export function encodeSseEvent(part: StreamPart): string {
  return `data: ${JSON.stringify(part)}\n\n`;
}

export class StreamDecodeError extends Error {
  override readonly name = 'StreamDecodeError';
}

/**
 * Decodes an SSE byte stream into validated stream parts. Lines are split incrementally: each
 * chunk is scanned once and only the unfinished tail is carried over, so a long reply costs
 * linear time (no re-scanning of an ever-growing buffer).
 */
export async function* decodeSseStream(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamPart, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let tail = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? tail + decoder.decode() + '\n' : tail + decoder.decode(value, { stream: true });
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
        let line = text.slice(start, nl);
        start = nl + 1;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') {
          if (data.length > 0) yield parsePart(data.join('\n'));
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
        // Other SSE fields (event:, id:, retry:) and comments (":") carry nothing we use.
      }
      tail = text.slice(start);
      if (done) break;
    }
    if (data.length > 0) yield parsePart(data.join('\n'));
  } finally {
    reader.releaseLock();
  }
}

function parsePart(json: string): StreamPart {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new StreamDecodeError(`Stream event is not JSON: ${json.slice(0, 80)}`);
  }
  const parsed = StreamPartSchema.safeParse(value);
  if (!parsed.success) {
    throw new StreamDecodeError(`Stream event does not match the protocol: ${parsed.error.message}`);
  }
  return parsed.data;
}
