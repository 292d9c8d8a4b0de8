import type { Role } from './permissions.js';

export type AdminPrincipal =
  { kind: 'user'; userId: string; csrfToken: string } | { kind: 'key'; keyId: string; tenantId: string; role: Role };

/** Typed `c.var` of the admin API. */
export interface AdminEnv {
  Variables: {
    principal: AdminPrincipal;
    /** Set by `tenantAccess` on `/tenants/:tenantId/*` routes. */
    tenantId: string;
    role: Role;
  };
}
