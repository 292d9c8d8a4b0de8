import { CardError } from './card-error.js';

/** C0 controls and DEL: never in a legitimate path, and NUL truncates paths in some consumers. */
const hasControlCharacter = (path: string) =>
  [...path].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
const MAX_PATH_LENGTH = 512;

/**
 * Checks a path inside a CHARX archive (or from an `embeded://` URI) before anything uses it:
 * relative, `/`-separated, no `.`/`..` segments, no backslashes, drive letters or control
 * characters, and the same after percent-decoding (a later consumer might decode it).
 * Directory entries may end with `/` when `allowDirectory` is set.
 * @throws {CardError} `unsafe_path`
 */
export function assertSafeArchivePath(path: string, what: string, allowDirectory = false): void {
  const refuse = (why: string): never => {
    throw new CardError('unsafe_path', `${what} ${JSON.stringify(path.slice(0, 120))} ${why}.`);
  };
  if (path.length === 0) refuse('is empty');
  if (path.length > MAX_PATH_LENGTH) refuse(`is longer than ${MAX_PATH_LENGTH} characters`);
  for (const candidate of [path, percentDecoded(path)]) {
    if (candidate.includes('\\')) refuse('contains a backslash');
    if (hasControlCharacter(candidate)) refuse('contains control characters');
    if (candidate.startsWith('/') || /^[A-Za-z]:/.test(candidate)) refuse('is absolute');
    const segments = candidate.split('/');
    if (allowDirectory && segments.length > 1 && segments.at(-1) === '') segments.pop();
    if (segments.some((segment) => segment === '..')) refuse('climbs out of the archive');
    if (segments.some((segment) => segment === '' || segment === '.')) refuse('has an empty or "." segment');
  }
}

function percentDecoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** URI schemes that point inside a CHARX archive ("embeded" is the V3 spec's own spelling). */
const EMBEDDED_PREFIXES = ['embeded://', 'embedded://'];

/**
 * The archive path an asset URI points to, or undefined when the URI is not an embedded one
 * (`ccdefault:`, https, data URLs).
 * @throws {CardError} `unsafe_path` for an embedded URI with an unsafe path.
 */
export function embeddedAssetPath(uri: string): string | undefined {
  const prefix = EMBEDDED_PREFIXES.find((candidate) => uri.toLowerCase().startsWith(candidate));
  if (!prefix) return undefined;
  const path = uri.slice(prefix.length);
  assertSafeArchivePath(path, 'The asset URI path');
  return path;
}
