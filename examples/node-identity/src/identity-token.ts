import { SignJWT } from 'jose';
import type { SiteConfig } from './config.js';
import type { User } from './sign-in.js';

/**
 * The short-lived JWT that tells VibhavaFusion who the visitor is: HS256 with the tenant's
 * identity secret, `sub` = your user id, issuer and audience as configured on the tenant. The
 * optional `name` lets the avatar greet the visitor by name.
 */
export function mintIdentityToken(user: User, identity: SiteConfig['identity']): Promise<string> {
  return new SignJWT({ name: user.name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(identity.issuer)
    .setAudience(identity.audience)
    .setIssuedAt()
    .setExpirationTime(`${identity.ttlSeconds}s`)
    .sign(new TextEncoder().encode(identity.secret));
}
