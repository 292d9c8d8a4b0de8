/** Why a card was refused. Each code maps to a 4xx for whoever exposes import over HTTP. */
export type CardErrorCode =
  /** Not JSON, wrong or missing `spec`, fields of the wrong type, nesting too deep. */
  | 'invalid_card'
  /** Bytes that are not a well-formed PNG or ZIP: bad signature, truncated, CRC mismatch, encrypted. */
  | 'invalid_file'
  /** A text chunk whose base64 or compressed payload does not decode. */
  | 'invalid_encoding'
  /** An archive entry or `embeded://` URI that is absolute, climbs out (`..`) or uses backslashes. */
  | 'unsafe_path'
  /** Over a size, count or compression-ratio limit (see `CardLimits`). */
  | 'too_large'
  /** A well-formed file with no card in it: PNG without `chara`/`ccv3`, CHARX without `card.json`. */
  | 'missing_card'
  /** Neither PNG, CHARX nor JSON. */
  | 'unsupported_format';

/**
 * The only error the card functions throw: a code for programs and a message for people.
 * Lower-level failures (a `SyntaxError` from JSON, a zlib error) are wrapped, never rethrown raw.
 */
export class CardError extends Error {
  override name = 'CardError';

  constructor(
    readonly code: CardErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Runs `fn`, turning anything that is not already a `CardError` into one with `code`. */
export function wrapCardErrors<T>(code: CardErrorCode, message: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CardError) throw error;
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new CardError(code, `${message}${detail}`, { cause: error });
  }
}
