/**
 * Limits applied to every untrusted card. The defaults fit the largest real cards seen in the wild
 * (a few MB of PNG, CHARX packs with dozens of expression images) with room to spare.
 */
export interface CardLimits {
  /** A PNG or JSON card file. */
  maxFileBytes: number;
  /** A CHARX archive, compressed. */
  maxArchiveBytes: number;
  /** The decoded text of one `chara`/`ccv3` chunk, and `card.json` inside a CHARX. */
  maxTextChunkBytes: number;
  /** All CHARX entries together once inflated: the zip-bomb cap, checked while inflating. */
  maxUncompressedBytes: number;
  /** Entries in a CHARX archive. */
  maxArchiveEntries: number;
  /**
   * Inflated/compressed ratio allowed for one entry bigger than `ratioCheckMinBytes`. Real JSON
   * compresses 5-20x and images about 1x; a run of zeros compresses about 1000x.
   */
  maxCompressionRatio: number;
  ratioCheckMinBytes: number;
  /** Nesting of arrays and objects in card JSON (deep nesting overflows recursive code later). */
  maxJsonDepth: number;
  /** Lorebook entries in one book. */
  maxLorebookEntries: number;
}

export const DEFAULT_CARD_LIMITS: Readonly<CardLimits> = Object.freeze({
  maxFileBytes: 20 * 1024 * 1024,
  maxArchiveBytes: 50 * 1024 * 1024,
  maxTextChunkBytes: 8 * 1024 * 1024,
  maxUncompressedBytes: 50 * 1024 * 1024,
  maxArchiveEntries: 1000,
  maxCompressionRatio: 100,
  ratioCheckMinBytes: 1024 * 1024,
  maxJsonDepth: 64,
  maxLorebookEntries: 5000,
});

/** Options accepted by every reader: override any limit (tests use small ones, operators larger). */
export interface CardReadOptions {
  limits?: Partial<CardLimits>;
}

export function resolveLimits(options?: CardReadOptions): CardLimits {
  return { ...DEFAULT_CARD_LIMITS, ...options?.limits };
}

export const formatBytes = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
