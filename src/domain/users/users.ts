/**
 * People who sign in to the console and the admin API (panel-features.md §5.2 item 1). Passwords
 * are scrypt-hashed (../auth/secrets.ts); there is always at least one active admin once one exists.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Db, UsersTable } from '../../store/schema.ts';
import { type Clock, realClock } from '../../lib/clock.ts';
import { hashPassword, newPassword } from '../auth/secrets.ts';
import { type AdminCtx, done, failed, isUniqueViolation, type Outcome } from '../auth/outcome.ts';
import { parsePoolScope, type Role } from '../auth/principal.ts';

export interface UserView {
  id: number;
  login: string;
  role: Role;
  lang: string;
  poolScope: number[] | null;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export const LOGIN_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;

export function toUserView(u: Selectable<UsersTable>): UserView {
  return {
    id: u.id, login: u.login, role: u.role as Role, lang: u.lang, poolScope: parsePoolScope(u.pool_scope),
    disabled: u.disabled === 1, createdAt: u.created_at, updatedAt: u.updated_at,
  };
}

function checkPassword(p: string): string | undefined {
  if (p.length < PASSWORD_MIN) return `password must have at least ${PASSWORD_MIN} characters`;
  if (p.length > PASSWORD_MAX) return 'password is too long';
  return undefined;
}

export interface NewUserInput { login: string; role: Role; password?: string; poolScope?: number[] | null; lang?: string }

/** Creates a user; without a password, a random one is generated and returned (shown once). */
export async function createUser(ctx: AdminCtx, input: NewUserInput): Promise<Outcome<{ user: UserView; password: string | null }>> {
  if (!LOGIN_PATTERN.test(input.login)) return failed('VALIDATION', 'login: 1–64 letters, digits, . _ @ -');
  const generated = input.password === undefined ? newPassword() : null;
  const password = input.password ?? generated ?? '';
  const bad = checkPassword(password);
  if (bad) return failed('VALIDATION', bad);
  const now = ctx.clock.now();
  try {
    const row = await ctx.db.insertInto('users').values({
      login: input.login, role: input.role, password_hash: await hashPassword(password),
      pool_scope: input.poolScope ? JSON.stringify(input.poolScope) : null, lang: input.lang ?? 'ru',
      created_at: now, updated_at: now,
    }).returningAll().executeTakeFirstOrThrow();
    return done({ user: toUserView(row), password: generated });
  } catch (err) {
    if (isUniqueViolation(err)) return failed('CONFLICT', `login '${input.login}' exists`);
    throw err;
  }
}

export async function listUsers(ctx: AdminCtx): Promise<UserView[]> {
  const rows = await ctx.db.selectFrom('users').selectAll().orderBy('id').execute();
  return rows.map(toUserView);
}

export async function getUser(ctx: AdminCtx, id: number): Promise<Outcome<UserView>> {
  const row = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? done(toUserView(row)) : failed('NOT_FOUND', `user ${id}`);
}

export async function countUsers(ctx: AdminCtx): Promise<number> {
  const r = await ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function otherActiveAdmins(ctx: AdminCtx, exceptId: number): Promise<number> {
  const r = await ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin').where('disabled', '=', 0).where('id', '!=', exceptId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface UserPatch { role?: Role; password?: string; poolScope?: number[] | null; disabled?: boolean; lang?: string }

/**
 * Changes a user. Changing the password or disabling the user ends their sessions. The last
 * active admin cannot be demoted or disabled.
 */
export async function updateUser(ctx: AdminCtx, id: number, patch: UserPatch): Promise<Outcome<UserView>> {
  const cur = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!cur) return failed('NOT_FOUND', `user ${id}`);
  const losesAdmin = cur.role === 'admin' && cur.disabled === 0 && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
  if (losesAdmin && (await otherActiveAdmins(ctx, id)) === 0) return failed('LAST_ADMIN');
  if (patch.password !== undefined) {
    const bad = checkPassword(patch.password);
    if (bad) return failed('VALIDATION', bad);
  }
  const set: Partial<Selectable<UsersTable>> = { updated_at: ctx.clock.now() };
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.lang !== undefined) set.lang = patch.lang;
  if (patch.poolScope !== undefined) set.pool_scope = patch.poolScope === null ? null : JSON.stringify(patch.poolScope);
  if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
  if (patch.password !== undefined) set.password_hash = await hashPassword(patch.password);
  const row = await ctx.db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  if (patch.password !== undefined || patch.disabled === true || patch.role !== undefined || patch.poolScope !== undefined) {
    await ctx.db.deleteFrom('sessions').where('user_id', '=', id).execute();
  }
  return done(toUserView(row));
}

/** Deletes a user (their sessions and user-bound tokens go with them); never the last admin. */
export async function deleteUser(ctx: AdminCtx, id: number): Promise<Outcome<UserView>> {
  const cur = await ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!cur) return failed('NOT_FOUND', `user ${id}`);
  if (cur.role === 'admin' && cur.disabled === 0 && (await otherActiveAdmins(ctx, id)) === 0) return failed('LAST_ADMIN');
  await ctx.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await tx.deleteFrom('api_tokens').where('user_id', '=', id).execute();
    await tx.deleteFrom('users').where('id', '=', id).execute();
  });
  return done(toUserView(cur));
}

/** Minimal logger shape (pino's), so this module does not depend on a logger implementation. */
export interface InfoLog { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void }

/**
 * First run: when no user exists, creates `admin` with a random password and writes the password
 * once to `out` (the terminal, not the log: logs must not hold secrets). Returns the password, or
 * null when users already exist. `simnav serve` calls this after migrating.
 */
export async function ensureFirstAdmin(
  store: { readonly db: Kysely<Db> }, log: InfoLog, opts: { clock?: Clock; out?: (line: string) => void } = {},
): Promise<string | null> {
  const ctx: AdminCtx = { db: store.db, clock: opts.clock ?? realClock() };
  const out = opts.out ?? ((l: string) => { process.stderr.write(l + '\n'); });
  if ((await countUsers(ctx)) > 0) return null;
  const r = await createUser(ctx, { login: 'admin', role: 'admin' });
  if (!r.ok) {
    if (r.error.code === 'CONFLICT') return null; // another node created it first
    log.warn({ code: r.error.code }, 'first admin not created');
    return null;
  }
  log.info({ login: 'admin' }, 'first run: created user admin; its password is printed once on the terminal');
  out(`simnav: first run — created user 'admin' with password: ${r.value.password ?? ''}`);
  out('simnav: sign in and change it, or create users with `simnav user add`.');
  return r.value.password;
}
