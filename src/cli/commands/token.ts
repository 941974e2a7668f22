import { parseFlags } from '../../config/config.ts';
import { openMigratedStore } from '../../store/open-store.ts';
import { realClock } from '../../lib/clock.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../../domain/auth/api-tokens.ts';
import { isRole } from '../../domain/auth/principal.ts';
import { writeAudit } from '../../domain/audit/audit.ts';

export const summary = 'create, list or revoke admin API tokens';
export const usage = `usage: simnav token create --name N --role admin|operator|viewer [--user LOGIN] [--expires-days D] [--db URL]
       simnav token list [--db URL]
       simnav token revoke --id ID [--db URL]

create  prints a new bearer token once (use it as 'Authorization: Bearer <token>' on /api/v1).
        --user binds it to a user: it inherits their pool scope and dies with them.
list    prints id, name, role, user, last use and state; never the tokens themselves.
revoke  stops a token from working.
  --db URL   sqlite:<path> or postgres://… (env SIMNAV_DB; default sqlite:./data/simnav.db)`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const p = parseFlags(rest, []);
  const err = (m: string) => { process.stderr.write(`simnav token: ${m}\n`); return 2; };
  if (p.error) return err(p.error);
  const allowed: Record<string, string[]> = { create: ['name', 'role', 'user', 'expires-days', 'db'], list: ['db'], revoke: ['id', 'db'] };
  if (sub === undefined || !allowed[sub]) return err(`expected 'create', 'list' or 'revoke'\n\n${usage}`);
  for (const k of p.flags.keys()) if (!allowed[sub]!.includes(k)) return err(`unknown option --${k}`);
  if (p.rest.length > 0) return err(`unexpected argument '${p.rest[0]}'`);
  const role = p.flags.get('role');
  if (sub === 'create' && (!p.flags.get('name') || !isRole(role))) return err('create needs --name and --role admin|operator|viewer');
  const days = p.flags.get('expires-days');
  if (days !== undefined && !/^\d{1,5}$/.test(days)) return err('--expires-days: a whole number of days');
  const id = p.flags.get('id');
  if (sub === 'revoke' && (!id || !/^\d{1,9}$/.test(id))) return err('revoke needs --id ID');

  let store;
  try { store = await openMigratedStore(p.flags.get('db') ?? process.env.SIMNAV_DB ?? 'sqlite:./data/simnav.db'); } catch (e) {
    process.stderr.write(`simnav token: ${(e as Error).message}\n`); return 2;
  }
  const ctx = { db: store.db, clock: realClock() };
  try {
    if (sub === 'list') {
      const now = ctx.clock.now();
      for (const t of await listApiTokens(ctx)) {
        const state = t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && t.expiresAt <= now ? 'expired' : 'active';
        const used = t.lastUsedAt === null ? 'never used' : `last used ${new Date(t.lastUsedAt).toISOString()}`;
        process.stdout.write(`${String(t.id).padStart(4)}  ${t.name.padEnd(24)} ${t.role.padEnd(8)} user:${t.userId ?? '-'}  ${state}, ${used}\n`);
      }
      return 0;
    }
    if (sub === 'revoke') {
      const r = await revokeApiToken(ctx, Number(id));
      if (!r.ok) { process.stderr.write(`simnav token: no token ${id}\n`); return 1; }
      await writeAudit(ctx, { actor: 'system:cli', action: 'token.revoke', target: id! });
      process.stdout.write(`revoked token ${id} (${r.value.name})\n`);
      return 0;
    }
    let userId: number | null = null;
    const login = p.flags.get('user');
    if (login !== undefined) {
      const u = await store.db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst();
      if (!u) { process.stderr.write(`simnav token: no user '${login}'\n`); return 1; }
      userId = u.id;
    }
    const r = await createApiToken(ctx, {
      name: p.flags.get('name')!, role: role as 'admin' | 'operator' | 'viewer', userId,
      expiresAt: days === undefined ? null : ctx.clock.now() + Number(days) * 86_400_000,
    });
    if (!r.ok) { process.stderr.write(`simnav token: ${r.error.code}: ${r.error.message ?? ''}\n`); return 1; }
    await writeAudit(ctx, { actor: 'system:cli', action: 'token.create', target: String(r.value.info.id), details: { name: r.value.info.name, role: r.value.info.role } });
    process.stderr.write(`created token ${r.value.info.id} '${r.value.info.name}' (${r.value.info.role}); it is shown once:\n`);
    process.stdout.write(`${r.value.token}\n`);
    return 0;
  } finally { await store.close(); }
}
