/**
 * Password sign-in with rate limiting per client address and per login (panel-features.md §4.1
 * item 4). Unknown logins cost the same scrypt work as wrong passwords, so timing does not reveal
 * which logins exist.
 */
import type { AdminCtx } from './outcome.ts';
import type { RateLimiter } from './rate-limit.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './secrets.ts';

export type SignInResult =
  | { ok: true; userId: number }
  | { ok: false; code: 'BAD_CREDENTIALS' }
  | { ok: false; code: 'RATE_LIMITED'; retryAfterMs: number };

export async function signIn(ctx: AdminCtx, limiter: RateLimiter, address: string, login: string, password: string): Promise<SignInResult> {
  const keys = [`addr:${address}`, `login:${login.toLowerCase()}`];
  const wait = Math.max(...keys.map((k) => limiter.check(k)));
  if (wait > 0) return { ok: false, code: 'RATE_LIMITED', retryAfterMs: wait };
  const user = await ctx.db.selectFrom('users').select(['id', 'password_hash', 'disabled'])
    .where('login', '=', login).executeTakeFirst();
  const good = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!user || !good || user.disabled === 1) {
    for (const k of keys) limiter.fail(k);
    return { ok: false, code: 'BAD_CREDENTIALS' };
  }
  limiter.reset(`login:${login.toLowerCase()}`);
  return { ok: true, userId: user.id };
}
