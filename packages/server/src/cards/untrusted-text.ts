import { CardError } from './card-error.js';

const utf8 = new TextDecoder('utf-8', { ignoreBOM: false });

/** UTF-8 bytes to text. Malformed sequences become U+FFFD, as SillyTavern's `Buffer#toString` does. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/**
 * Strict base64 (standard or URL-safe alphabet, whitespace ignored). Node's decoder skips bad
 * characters silently, which would turn a damaged chunk into a confusing JSON error later.
 */
export function decodeBase64(value: string, what: string): Uint8Array {
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) {
    throw new CardError('invalid_encoding', `${what} is not valid base64.`);
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/**
 * Parses untrusted JSON: a size cap before parsing, `SyntaxError` turned into a `CardError`, and a
 * nesting-depth cap after (deep nesting would overflow the recursive code that later clones,
 * stringifies or compares the value).
 */
export function parseUntrustedJson(
  text: string,
  what: string,
  limits: { maxBytes: number; maxDepth: number },
): unknown {
  if (text.length > limits.maxBytes) {
    throw new CardError('too_large', `${what} is larger than the ${limits.maxBytes}-byte limit.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new CardError('invalid_card', `${what} is not valid JSON.`, { cause: error });
  }
  assertJsonDepth(value, limits.maxDepth, what);
  return value;
}

/** Iterative (never recursive) check that `value` nests no deeper than `maxDepth`. */
export function assertJsonDepth(value: unknown, maxDepth: number, what: string): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) {
      throw new CardError('invalid_card', `${what} nests deeper than ${maxDepth} levels.`);
    }
    for (const child of Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
