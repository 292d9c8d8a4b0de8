import { CardError } from './card-error.js';
import { formatBytes, resolveLimits, type CardReadOptions } from './card-limits.js';
import { parseCardJson, toV2, toV3, type CharacterCard } from './character-card.js';
import { readCharx, writeCharx } from './charx.js';
import { hasPngSignature } from './png-chunks.js';
import { readPngCard, writePngCard } from './png-card.js';
import { decodeUtf8 } from './untrusted-text.js';

/** The container a card file uses. */
export type CardFileFormat = 'png' | 'charx' | 'json';

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

/**
 * Which card format the bytes are. The bytes decide (PNG signature, ZIP signature, a JSON object);
 * the file name and content type only break ties for bytes that match nothing, so that a JSON file
 * with junk in front still gets a JSON error rather than "unsupported".
 * @returns undefined when the bytes are none of the three.
 */
export function detectCardFormat(
  bytes: Uint8Array,
  filename?: string,
  contentType?: string,
): CardFileFormat | undefined {
  if (hasPngSignature(bytes)) return 'png';
  if (ZIP_SIGNATURE.every((byte, index) => bytes[index] === byte)) return 'charx';
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < bytes.length && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[start]!)) start++;
  if (bytes[start] === 0x7b) return 'json';
  const name = filename?.toLowerCase() ?? '';
  const type = contentType?.toLowerCase().split(';')[0]?.trim() ?? '';
  if (name.endsWith('.json') || type === 'application/json') return 'json';
  return undefined;
}

/** A card imported from any supported file. */
export interface ImportedCard {
  format: CardFileFormat;
  card: CharacterCard;
  /** The avatar: the PNG itself (without the card chunks) or the CHARX main icon, if any. */
  avatar?: { bytes: Uint8Array; ext: string };
  /** Every non-card file of a CHARX archive, by archive path; empty for PNG and JSON. */
  assets: Map<string, Uint8Array>;
}

/**
 * Imports a card file of any supported format: the one entry point an upload route needs.
 * @throws {CardError} `unsupported_format` for anything that is not PNG, CHARX or JSON, and the
 *   errors of `readPngCard`, `readCharx` and `parseCardJson`.
 */
export function importCard(
  bytes: Uint8Array,
  file: { filename?: string; contentType?: string } = {},
  options?: CardReadOptions,
): ImportedCard {
  const format = detectCardFormat(bytes, file.filename, file.contentType);
  switch (format) {
    case 'png': {
      const { card, image } = readPngCard(bytes, options);
      return { format, card, avatar: { bytes: image, ext: 'png' }, assets: new Map() };
    }
    case 'charx': {
      const { card, assets } = readCharx(bytes, options);
      const icon = mainIcon(card, assets);
      return { format, card, assets, ...(icon ? { avatar: icon } : {}) };
    }
    case 'json': {
      const { maxFileBytes } = resolveLimits(options);
      if (bytes.length > maxFileBytes) {
        throw new CardError(
          'too_large',
          `The card is ${formatBytes(bytes.length)}; at most ${formatBytes(maxFileBytes)}.`,
        );
      }
      return { format, card: parseCardJson(decodeUtf8(bytes), options), assets: new Map() };
    }
    default:
      throw new CardError('unsupported_format', 'Not a character card file: expected PNG, CHARX or JSON.');
  }
}

function mainIcon(
  card: CharacterCard,
  assets: Map<string, Uint8Array>,
): { bytes: Uint8Array; ext: string } | undefined {
  const icons = (card.data.assets ?? []).filter((asset) => asset.type === 'icon');
  for (const asset of [...icons.filter((icon) => icon.name === 'main'), ...icons]) {
    const prefix = /^embedd?ed:\/\//i.exec(asset.uri)?.[0];
    const bytes = prefix ? assets.get(asset.uri.slice(prefix.length)) : undefined;
    if (bytes) return { bytes, ext: asset.ext };
  }
  return undefined;
}

/** Export targets of `exportCard`. */
export type CardExportFormat = 'json-v2' | 'json-v3' | 'png' | 'charx';

/**
 * Exports a card: V2 or V3 JSON text, a PNG (both chunks; `avatarPng` or a generated image), or a
 * CHARX archive (`avatarPng` as the main icon, plus `assets`).
 */
export function exportCard(
  card: CharacterCard,
  format: CardExportFormat,
  extras: { avatarPng?: Uint8Array; assets?: ReadonlyMap<string, Uint8Array> } = {},
): Uint8Array {
  switch (format) {
    case 'json-v2':
      return new TextEncoder().encode(JSON.stringify(toV2(card), null, 2));
    case 'json-v3':
      return new TextEncoder().encode(JSON.stringify(toV3(card), null, 2));
    case 'png':
      return writePngCard(card, extras.avatarPng);
    case 'charx':
      return writeCharx(card, extras.assets, extras.avatarPng ? { icon: { bytes: extras.avatarPng, ext: 'png' } } : {});
  }
}
