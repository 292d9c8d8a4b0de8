import { SignJWT, errors, jwtVerify } from 'jose';
import { ApiError } from '../http/api-error.js';

export interface VisitorClaims {
  visitorId: string;
  tenantId: string;
  avatarId: string;
  /** The page origin the token was minted for; requests from any other origin are refused. */
  origin: string;
}

const ISSUER = 'vibhava';
const AUDIENCE = 'vibhava:visitor';

/** Verified tokens remembered per process (a token is a few hundred bytes). */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Short-lived HS256 visitor tokens, bound to one tenant, avatar and origin. A token that passed
 * verification is remembered until it expires, so a visitor's later requests skip the HMAC (an
 * async WebCrypto job) and the claim checks; forged or expired tokens are never remembered.
 */
export class VisitorTokens {
  readonly #key: Uint8Array;
  /** token → its claims and expiry (s); in insertion order, the oldest dropped first. */
  readonly #verified = new Map<string, { claims: VisitorClaims; exp: number }>();

  constructor(
    secret: string,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = new TextEncoder().encode(secret);
  }

  async sign(claims: VisitorClaims): Promise<{ token: string; expiresAt: number }> {
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    const token = await new SignJWT({ tid: claims.tenantId, aid: claims.avatarId, org: claims.origin })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.visitorId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.#key);
    return { token, expiresAt: expiresAt * 1000 };
  }

  async verify(token: string): Promise<VisitorClaims> {
    const known = this.#verified.get(token);
    // The same expiry rule as jose's: expired once `exp` <= now (in whole seconds).
    if (known && known.exp > Math.floor(this.now() / 1000)) return known.claims;
    if (known) this.#verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
      });
      const { sub, tid, aid, org, exp } = payload;
      if (typeof sub !== 'string' || typeof tid !== 'string' || typeof aid !== 'string' || typeof org !== 'string') {
        throw new ApiError(401, 'unauthorized', 'The visitor token is missing claims.');
      }
      const claims: VisitorClaims = { visitorId: sub, tenantId: tid, avatarId: aid, origin: org };
      if (typeof exp === 'number') this.#remember(token, claims, exp);
      return claims;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof errors.JWTExpired) {
        throw new ApiError(401, 'token_expired', 'The visitor token has expired; start a new session.');
      }
      throw new ApiError(401, 'unauthorized', 'The visitor token is not valid.');
    }
  }

  #remember(token: string, claims: VisitorClaims, exp: number): void {
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.delete(this.#verified.keys().next().value!);
    this.#verified.set(token, { claims, exp });
  }
}
