/**
 * Server-side console sessions (panel-features.md §4.1 item 4: the legacy cookie was md5(password)
 * for a year, never invalidated). The cookie carries a random 256-bit id; the store keeps only its
 * SHA-256, the user, a CSRF token and two deadlines: idle (sliding) and absolute.
 */
import type { AdminCtx } from './outcome.ts';
import { hashSecret, newSecret } from './secrets.ts';
import { parsePoolScope, type Principal, type Role } from './principal.ts';

/** A session ends after 12 h without requests, and 7 days after sign-in in any case. */
export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_MAX_MS = 7 * 24 * 3600_000;
/** last_seen_at is written at most once a minute per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface NewSession { token: string; csrfToken: string; expiresAt: number }

export async function createSession(ctx: AdminCtx, userId: number): Promise<NewSession> {
  const token = newSecret('sns_');
  const csrfToken = newSecret('');
  const now = ctx.clock.now();
  const expiresAt = now + SESSION_IDLE_MS;
  await ctx.db.insertInto('sessions').values({
    id_hash: hashSecret(token), user_id: userId, csrf_token: csrfToken, created_at: now, expires_at: expiresAt, last_seen_at: now,
  }).execute();
  return { token, csrfToken, expiresAt };
}

export interface SessionPrincipal { principal: Principal; csrfToken: string; expiresAt: number }

/** The signed-in user for a session cookie value, or null (unknown, expired, user disabled). */
export async function resolveSession(ctx: AdminCtx, token: string): Promise<SessionPrincipal | null> {
  if (!token.startsWith('sns_') || token.length > 100) return null;
  const idHash = hashSecret(token);
  const row = await ctx.db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.user_id', 'sessions.csrf_token', 'sessions.created_at', 'sessions.expires_at', 'sessions.last_seen_at',
      'users.login', 'users.role', 'users.pool_scope', 'users.disabled'])
    .where('sessions.id_hash', '=', idHash).executeTakeFirst();
  if (!row) return null;
  const now = ctx.clock.now();
  if (row.expires_at <= now || row.created_at + SESSION_MAX_MS <= now || row.disabled === 1) {
    await ctx.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return null;
  }
  let expiresAt = row.expires_at;
  if (now - row.last_seen_at >= TOUCH_EVERY_MS) {
    expiresAt = Math.min(now + SESSION_IDLE_MS, row.created_at + SESSION_MAX_MS);
    await ctx.db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id_hash', '=', idHash).execute();
  }
  return {
    principal: {
      kind: 'user', id: row.user_id, userId: row.user_id, name: row.login, role: row.role as Role,
      poolScope: parsePoolScope(row.pool_scope), actor: `user:${row.user_id}`,
    },
    csrfToken: row.csrf_token,
    expiresAt,
  };
}

export async function deleteSession(ctx: AdminCtx, token: string): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('id_hash', '=', hashSecret(token)).execute();
}

/** Drops expired sessions (called opportunistically at sign-in). */
export async function pruneSessions(ctx: AdminCtx): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('expires_at', '<=', ctx.clock.now()).execute();
}
