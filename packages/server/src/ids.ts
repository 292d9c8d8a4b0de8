import { randomBytes } from 'node:crypto';

/** Random, URL-safe ids with a readable prefix: `conv_3fJ9…`. */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}
