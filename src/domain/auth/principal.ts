/**
 * Who is calling the admin API, and what their role allows (issue #6 item 1): admin (everything),
 * operator (inventory, pools, online, SMS; no users, tokens or audit), viewer (read only). A user
 * may be limited to some pools (`poolScope`); null means every pool.
 */
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs: `read` any signed-in role, `write` operator or admin, `admin` admin only. */
export type Access = 'read' | 'write' | 'admin';

export interface Principal {
  kind: 'user' | 'token';
  /** users.id or api_tokens.id. */
  id: number;
  /** The user behind a session or a user-bound token. */
  userId: number | null;
  /** Login or token name, for display. */
  name: string;
  role: Role;
  poolScope: readonly number[] | null;
  /** Audit actor: `user:<id>` or `token:<id>`. */
  actor: string;
}

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

export function allows(role: Role, access: Access): boolean {
  if (access === 'read') return true;
  if (access === 'write') return role === 'admin' || role === 'operator';
  return role === 'admin';
}

/** Reads a stored pool scope (JSON array of ids, or null); anything malformed scopes to nothing. */
export function parsePoolScope(json: string | null): number[] | null {
  if (json === null) return null;
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x) && x > 0) : [];
  } catch {
    return [];
  }
}

/** True when the principal may see / act on the pool. */
export function inScope(p: Principal, poolId: number): boolean {
  return p.poolScope === null || p.poolScope.includes(poolId);
}
