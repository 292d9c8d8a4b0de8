import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ApiError } from '../http/api-error.js';

export interface TenantIdentitySettings {
  identitySecret: string | null;
  identityJwksUrl: string | null;
  identityIssuer: string | null;
  identityAudience: string | null;
}

export interface VerifiedIdentity {
  /** The tenant's user id (`sub`). */
  userId: string;
  name: string | null;
}

/** Clock skew tolerated between the tenant's servers and ours. */
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Verifies identity tokens minted by a tenant's backend for its signed-in users: HS256 with the
 * tenant's secret, or RS256/ES256 against the tenant's JWKS, always checking issuer, audience,
 * expiry and subject.
 */
export class IdentityVerifier {
  readonly #jwks = new Map<string, JWTVerifyGetKey>();

  async verify(token: string, tenant: TenantIdentitySettings): Promise<VerifiedIdentity> {
    if (!tenant.identityIssuer || !tenant.identityAudience || (!tenant.identitySecret && !tenant.identityJwksUrl)) {
      throw new ApiError(
        400,
        'invalid_request',
        'This tenant does not accept identity tokens (no issuer, audience and key configured).',
      );
    }
    const options = {
      issuer: tenant.identityIssuer,
      audience: tenant.identityAudience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'exp'],
    };
    let payload: JWTPayload;
    try {
      payload = tenant.identitySecret
        ? (
            await jwtVerify(token, new TextEncoder().encode(tenant.identitySecret), {
              ...options,
              algorithms: ['HS256'],
            })
          ).payload
        : (
            await jwtVerify(token, this.#keySet(tenant.identityJwksUrl!), {
              ...options,
              algorithms: ['RS256', 'ES256'],
            })
          ).payload;
    } catch (error) {
      throw new ApiError(401, 'unauthorized', `The identity token was refused: ${describe(error)}.`);
    }
    const name = typeof payload['name'] === 'string' ? payload['name'].slice(0, 200) : null;
    return { userId: payload.sub!, name };
  }

  #keySet(url: string): JWTVerifyGetKey {
    let keySet = this.#jwks.get(url);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
      this.#jwks.set(url, keySet);
    }
    return keySet;
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim "${error.claim}" is not valid (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'its algorithm is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key in the JWKS matches it';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError) return error.message;
  return 'it is malformed';
}
