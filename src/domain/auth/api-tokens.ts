/**
 * API tokens for scripts (`Authorization: Bearer snt_…`). A token is 256 random bits shown once at
 * creation; the store keeps its SHA-256 (looked up by hash: an index probe, not a comparison of
 * secrets). A token has its own role, optionally bound to a user whose pool scope it inherits and
 * whose removal revokes it.
 */
import type { Selectable } from 'kysely';
import type { ApiTokensTable } from '../../store/schema.ts';
import { type AdminCtx, done, failed, type Outcome } from './outcome.ts';
import { hashSecret, newSecret } from './secrets.ts';
import { isRole, parsePoolScope, ROLES, type Principal, type Role } from './principal.ts';

/** The less powerful of two roles (ROLES is ordered admin → viewer). */
function lesserRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) >= ROLES.indexOf(b) ? a : b;
}

export interface ApiTokenView {
  id: number; name: string; role: Role; userId: number | null;
  createdAt: number; lastUsedAt: number | null; expiresAt: number | null; revokedAt: number | null;
}

function view(t: Selectable<ApiTokensTable>): ApiTokenView {
  return {
    id: t.id, name: t.name, role: t.role as Role, userId: t.user_id, createdAt: t.created_at,
    lastUsedAt: t.last_used_at, expiresAt: t.expires_at, revokedAt: t.revoked_at,
  };
}

export const TOKEN_NAME = /^[\p{L}\p{N} ._:@-]{1,64}$/u;
const LAST_USED_EVERY_MS = 60_000;

export interface NewTokenInput { name: string; role: Role; userId?: number | null; expiresAt?: number | null }

export async function createApiToken(ctx: AdminCtx, input: NewTokenInput): Promise<Outcome<{ token: string; info: ApiTokenView }>> {
  if (!TOKEN_NAME.test(input.name)) return failed('VALIDATION', 'name: 1–64 letters, digits, space . _ : @ -');
  if (input.userId != null) {
    const u = await ctx.db.selectFrom('users').select('id').where('id', '=', input.userId).executeTakeFirst();
    if (!u) return failed('NOT_FOUND', `user ${input.userId}`);
  }
  const token = newSecret('snt_');
  const row = await ctx.db.insertInto('api_tokens').values({
    token_hash: hashSecret(token), name: input.name, role: input.role, user_id: input.userId ?? null,
    created_at: ctx.clock.now(), expires_at: input.expiresAt ?? null,
  }).returningAll().executeTakeFirstOrThrow();
  return done({ token, info: view(row) });
}

export async function listApiTokens(ctx: AdminCtx): Promise<ApiTokenView[]> {
  return (await ctx.db.selectFrom('api_tokens').selectAll().orderBy('id').execute()).map(view);
}

/** Revokes a token (kept for the audit trail; it no longer authenticates). */
export async function revokeApiToken(ctx: AdminCtx, id: number): Promise<Outcome<ApiTokenView>> {
  const row = await ctx.db.updateTable('api_tokens').set({ revoked_at: ctx.clock.now() })
    .where('id', '=', id).where('revoked_at', 'is', null).returningAll().executeTakeFirst();
  if (row) return done(view(row));
  const exists = await ctx.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return exists ? done(view(exists)) : failed('NOT_FOUND', `token ${id}`);
}

/** The principal for a bearer token, or null (unknown, revoked, expired, or its user disabled). */
export async function resolveApiToken(ctx: AdminCtx, token: string): Promise<Principal | null> {
  if (!token.startsWith('snt_') || token.length > 100) return null;
  const row = await ctx.db.selectFrom('api_tokens').leftJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.role', 'api_tokens.user_id', 'api_tokens.expires_at',
      'api_tokens.revoked_at', 'api_tokens.last_used_at', 'users.pool_scope', 'users.disabled', 'users.role as user_role'])
    .where('api_tokens.token_hash', '=', hashSecret(token)).executeTakeFirst();
  if (!row) return null;
  const now = ctx.clock.now();
  if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now) || row.disabled === 1) return null;
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_EVERY_MS) {
    await ctx.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  // A user-bound token never exceeds its user's current role (a demoted user's tokens shrink too).
  const role = row.user_role != null && isRole(row.user_role) ? lesserRole(row.role as Role, row.user_role) : row.role as Role;
  return {
    kind: 'token', id: row.id, userId: row.user_id, name: row.name, role,
    poolScope: row.user_id === null ? null : parsePoolScope(row.pool_scope ?? null), actor: `token:${row.id}`,
  };
}
