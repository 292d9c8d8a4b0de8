import { zipSync, type Zippable } from 'fflate';
import { assertSafeArchivePath, embeddedAssetPath } from './archive-path.js';
import { CardError } from './card-error.js';
import { formatBytes, resolveLimits, type CardReadOptions } from './card-limits.js';
import type { CardAsset } from './card-schema.js';
import { parseCardJson, toV3, type CharacterCard } from './character-card.js';
import { decodeUtf8 } from './untrusted-text.js';
import { readZipArchive } from './zip-reader.js';

/** A CHARX archive read back: the card and every other file in the archive, by path. */
export interface CharxResult {
  card: CharacterCard;
  /** Archive path (`assets/icon/images/main.png`) to bytes; `embeded://` URIs name these paths. */
  assets: Map<string, Uint8Array>;
}

const CARD_PATH = 'card.json';

/**
 * Reads a CHARX file: a ZIP with `card.json` at the root and assets referenced by
 * `embeded://path` URIs. Hostile archives are refused before or while inflating (see
 * `CardLimits`); every entry name and every embedded URI must be a safe relative path.
 * @throws {CardError} `too_large`, `invalid_file`, `unsafe_path`, `missing_card`, `invalid_card`.
 */
export function readCharx(bytes: Uint8Array, options?: CardReadOptions): CharxResult {
  const limits = resolveLimits(options);
  if (bytes.length > limits.maxArchiveBytes) {
    throw new CardError(
      'too_large',
      `The CHARX file is ${formatBytes(bytes.length)}; at most ${formatBytes(limits.maxArchiveBytes)}.`,
    );
  }
  const files = readZipArchive(bytes, limits);
  const cardBytes = files.get(CARD_PATH);
  if (!cardBytes) throw new CardError('missing_card', 'The CHARX archive has no card.json at its root.');
  if (cardBytes.length > limits.maxTextChunkBytes) {
    throw new CardError(
      'too_large',
      `card.json is ${formatBytes(cardBytes.length)}; at most ${formatBytes(limits.maxTextChunkBytes)}.`,
    );
  }
  const card = parseCardJson(decodeUtf8(cardBytes), options);
  for (const asset of card.data.assets ?? []) embeddedAssetPath(asset.uri);
  files.delete(CARD_PATH);
  return { card, assets: files };
}

/** Options for `writeCharx`. */
export interface WriteCharxOptions {
  /**
   * The main icon. Stored as `assets/icon/images/main.<ext>` and listed in `data.assets` as the
   * `main` icon, unless the card already lists a main icon.
   */
  icon?: { bytes: Uint8Array; ext: string };
}

const STORED_EXTENSIONS = /\.(png|jpe?g|webp|gif|avif|mp3|ogg|mp4|webm|zip)$/i;

/**
 * Writes a CHARX file: `card.json` (V3) plus the given assets at their archive paths. Already
 * compressed media are stored, everything else deflated.
 * @throws {CardError} `unsafe_path` for an unsafe asset path, `invalid_card` for a path `card.json`.
 */
export function writeCharx(
  card: CharacterCard,
  assets: ReadonlyMap<string, Uint8Array> = new Map(),
  options: WriteCharxOptions = {},
): Uint8Array {
  const files: Zippable = {};
  for (const [path, bytes] of assets) {
    assertSafeArchivePath(path, 'The asset path');
    if (path === CARD_PATH) throw new CardError('invalid_card', 'An asset cannot be stored as card.json.');
    files[path] = [bytes, { level: STORED_EXTENSIONS.test(path) ? 0 : 6 }];
  }
  const v3 = toV3(card);
  const listed: CardAsset[] = [...(v3.data.assets ?? [])];
  if (options.icon && !listed.some((asset) => asset.type === 'icon' && asset.name === 'main')) {
    const ext = options.icon.ext.toLowerCase().replace(/^\./, '');
    const path = `assets/icon/images/main.${ext}`;
    assertSafeArchivePath(path, 'The icon path');
    files[path] = [options.icon.bytes, { level: 0 }];
    listed.unshift({ type: 'icon', uri: `embeded://${path}`, name: 'main', ext });
    v3.data.assets = listed;
  }
  for (const asset of listed) embeddedAssetPath(asset.uri);
  files[CARD_PATH] = new TextEncoder().encode(JSON.stringify(v3));
  return zipSync(files, { level: 6 });
}
