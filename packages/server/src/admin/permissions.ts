export type Role = 'owner' | 'admin' | 'analyst' | 'viewer';

export type Permission =
  | 'tenant:read'
  | 'tenant:write'
  | 'members:read'
  | 'members:write'
  | 'keys:read'
  | 'keys:write'
  | 'avatars:read'
  | 'avatars:write'
  | 'quotas:read'
  | 'quotas:write'
  | 'usage:read'
  | 'errors:read'
  /** Visitors' conversations, reply traces and memories: personal data, for admins and owners. */
  | 'conversations:read';

const viewer: Permission[] = ['tenant:read', 'avatars:read', 'quotas:read'];
const analyst: Permission[] = [...viewer, 'usage:read', 'errors:read', 'keys:read', 'members:read'];
const admin: Permission[] = [...analyst, 'avatars:write', 'quotas:write', 'keys:write', 'conversations:read'];
const owner: Permission[] = [...admin, 'tenant:write', 'members:write'];

/** What each role may do. Every admin route names the one permission it needs. */
export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(owner),
  admin: new Set(admin),
  analyst: new Set(analyst),
  viewer: new Set(viewer),
};

/** Secret keys act with the permissions of a role: `write` as an admin, `read` as an analyst. */
export function roleForScopes(scopes: readonly string[]): Role {
  return scopes.includes('write') ? 'admin' : 'analyst';
}
