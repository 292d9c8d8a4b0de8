import { CardError } from './card-error.js';
import { formatBytes, resolveLimits, type CardReadOptions } from './card-limits.js';
import { parseCardJson, toV2, toV3, type CharacterCard } from './character-card.js';
import { defaultAvatarPng } from './default-avatar.js';
import {
  readPngChunks,
  textChunk,
  textChunkKeyword,
  textChunkValue,
  writePngChunks,
  type PngChunk,
} from './png-chunks.js';
import { decodeBase64, decodeUtf8 } from './untrusted-text.js';

/** What `readPngCard` found. */
export interface PngCardResult {
  card: CharacterCard;
  /** The chunk the card came from: `ccv3` wins over `chara` when both are present (V3 spec). */
  chunk: 'ccv3' | 'chara';
  /** The image itself, with the card chunks removed: the character's avatar. */
  image: Uint8Array;
}

const CARD_KEYWORDS = new Set(['chara', 'ccv3']);
const isCardChunk = (chunk: PngChunk) => CARD_KEYWORDS.has(textChunkKeyword(chunk)?.toLowerCase() ?? '');

/**
 * Reads a card embedded in a PNG the way SillyTavern and RisuAI write it: a tEXt chunk named
 * `ccv3` (V3) or `chara` (V2) holding base64 of the JSON. zTXt/iTXt chunks of the same names are
 * read too, and a chunk holding plain JSON instead of base64 is tolerated.
 * @throws {CardError} `invalid_file` (not a PNG, damaged), `too_large`, `invalid_encoding`,
 *   `invalid_card`, or `missing_card` when the PNG holds no card.
 */
export function readPngCard(bytes: Uint8Array, options?: CardReadOptions): PngCardResult {
  const limits = resolveLimits(options);
  if (bytes.length > limits.maxFileBytes) {
    throw new CardError(
      'too_large',
      `The PNG is ${formatBytes(bytes.length)}; at most ${formatBytes(limits.maxFileBytes)}.`,
    );
  }
  const chunks = readPngChunks(bytes);
  const cardChunks = new Map<string, PngChunk>();
  for (const chunk of chunks) {
    const keyword = textChunkKeyword(chunk)?.toLowerCase();
    if (keyword && CARD_KEYWORDS.has(keyword) && !cardChunks.has(keyword)) cardChunks.set(keyword, chunk);
  }
  const name = cardChunks.has('ccv3') ? 'ccv3' : 'chara';
  const chunk = cardChunks.get(name);
  if (!chunk) throw new CardError('missing_card', 'The PNG has no character card in it (no chara or ccv3 chunk).');
  if (chunk.data.length > limits.maxTextChunkBytes) {
    throw new CardError(
      'too_large',
      `The ${name} chunk is ${formatBytes(chunk.data.length)}; at most ${formatBytes(limits.maxTextChunkBytes)}.`,
    );
  }

  const value = textChunkValue(chunk, limits.maxTextChunkBytes).trim();
  const json = value.startsWith('{') ? value : decodeUtf8(decodeBase64(value, `The PNG's ${name} chunk`));
  const card = parseCardJson(json, options);
  return { card, chunk: name, image: writePngChunks(chunks.filter((c) => !isCardChunk(c))) };
}

/**
 * Embeds the card in a PNG as SillyTavern does: a `chara` chunk with the V2 JSON and a `ccv3`
 * chunk with the V3 JSON, both base64 tEXt just before IEND, replacing any card chunks already in
 * the image. Without an image, a generated avatar is used so export always works.
 * @throws {CardError} `invalid_file` when `imagePng` is not a well-formed PNG.
 */
export function writePngCard(card: CharacterCard, imagePng?: Uint8Array): Uint8Array {
  const chunks = readPngChunks(imagePng ?? defaultAvatarPng(card.data.name)).filter((chunk) => !isCardChunk(chunk));
  const encode = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
  const iend = chunks.length - 1;
  chunks.splice(iend, 0, textChunk('chara', encode(toV2(card))), textChunk('ccv3', encode(toV3(card))));
  return writePngChunks(chunks);
}
