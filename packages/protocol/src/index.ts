export * from './emotion.js';
export * from './errors.js';
export * from './memory.js';
export * from './schemas.js';
export * from './stream-parts.js';
export { encodeSseEvent, decodeSseStream, StreamDecodeError } from './sse.js';
