import { crc32, inflateSync } from 'node:zlib';
import { CardError } from './card-error.js';

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** One PNG chunk; `data` is a view into the file, not a copy. */
export interface PngChunk {
  type: string;
  data: Uint8Array;
}

export function hasPngSignature(bytes: Uint8Array): boolean {
  return bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

const CHUNK_TYPE = /^[A-Za-z]{4}$/;
/** Real PNGs have at most a few thousand chunks; millions of empty ones would only cost memory. */
const MAX_CHUNKS = 100_000;

/**
 * Splits a PNG into chunks up to and including IEND, checking the signature, that every chunk
 * fits in the file, and every CRC. Bytes after IEND are ignored (many tools append junk there).
 */
export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  if (!hasPngSignature(bytes)) throw new CardError('invalid_file', 'Not a PNG file (bad signature).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let offset = PNG_SIGNATURE.length;
  for (;;) {
    if (offset + 12 > bytes.length) throw new CardError('invalid_file', 'The PNG is truncated (no IEND chunk).');
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (!CHUNK_TYPE.test(type)) throw new CardError('invalid_file', `The PNG has a malformed chunk at byte ${offset}.`);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) {
      throw new CardError('invalid_file', `The PNG is truncated inside its ${type} chunk.`);
    }
    const expected = view.getUint32(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== expected) {
      throw new CardError('invalid_file', `The PNG's ${type} chunk fails its CRC check (the file is damaged).`);
    }
    chunks.push({ type, data: bytes.subarray(offset + 8, offset + 8 + length) });
    if (chunks.length > MAX_CHUNKS) throw new CardError('too_large', `The PNG has more than ${MAX_CHUNKS} chunks.`);
    offset = end;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw new CardError('invalid_file', 'The PNG does not start with an IHDR chunk.');
  return chunks;
}

/** Serialises chunks back into a PNG, computing each CRC. */
export function writePngChunks(chunks: readonly PngChunk[]): Uint8Array {
  const size = chunks.reduce((total, chunk) => total + 12 + chunk.data.length, PNG_SIGNATURE.length);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(PNG_SIGNATURE, 0);
  let offset = PNG_SIGNATURE.length;
  for (const chunk of chunks) {
    view.setUint32(offset, chunk.data.length);
    for (let i = 0; i < 4; i++) out[offset + 4 + i] = chunk.type.charCodeAt(i);
    out.set(chunk.data, offset + 8);
    view.setUint32(offset + 8 + chunk.data.length, crc32(out.subarray(offset + 4, offset + 8 + chunk.data.length)));
    offset += 12 + chunk.data.length;
  }
  return out;
}

/** The keyword of a tEXt/zTXt/iTXt chunk (Latin-1, up to the first NUL), or undefined for others. */
export function textChunkKeyword(chunk: PngChunk): string | undefined {
  if (chunk.type !== 'tEXt' && chunk.type !== 'zTXt' && chunk.type !== 'iTXt') return undefined;
  const nul = chunk.data.indexOf(0);
  if (nul < 1 || nul > 79) return undefined;
  return Buffer.from(chunk.data.subarray(0, nul)).toString('latin1');
}

/**
 * The text of a tEXt, zTXt or iTXt chunk. Compressed text is inflated with a hard output cap, so a
 * tiny chunk cannot expand into gigabytes.
 */
export function textChunkValue(chunk: PngChunk, maxBytes: number): string {
  const { data } = chunk;
  const nul = data.indexOf(0);
  if (chunk.type === 'tEXt') return Buffer.from(data.subarray(nul + 1)).toString('latin1');
  if (chunk.type === 'zTXt') {
    if (data[nul + 1] !== 0) throw new CardError('invalid_encoding', 'Unknown zTXt compression method.');
    return Buffer.from(inflateCapped(data.subarray(nul + 2), maxBytes)).toString('latin1');
  }
  // iTXt: keyword NUL flag method language NUL translated-keyword NUL text (UTF-8)
  const compressed = data[nul + 1] === 1;
  const languageEnd = data.indexOf(0, nul + 3);
  const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) throw new CardError('invalid_encoding', 'Malformed iTXt chunk.');
  const body = data.subarray(translatedEnd + 1);
  return Buffer.from(compressed ? inflateCapped(body, maxBytes) : body).toString('utf8');
}

function inflateCapped(data: Uint8Array, maxBytes: number): Uint8Array {
  try {
    return inflateSync(data, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new CardError('too_large', `A compressed text chunk inflates past ${maxBytes} bytes.`, { cause: error });
    }
    throw new CardError('invalid_encoding', 'A compressed text chunk does not inflate.', { cause: error });
  }
}

/** A tEXt chunk; the text must be Latin-1 (base64 always is). */
export function textChunk(keyword: string, text: string): PngChunk {
  return { type: 'tEXt', data: new Uint8Array(Buffer.from(`${keyword}\0${text}`, 'latin1')) };
}
