import { parseFlags } from '../../config/config.ts';
import { openMigratedStore } from '../../store/open-store.ts';
import { realClock } from '../../lib/clock.ts';
import { createUser, listUsers } from '../../domain/users/users.ts';
import { isRole } from '../../domain/auth/principal.ts';
import { writeAudit } from '../../domain/audit/audit.ts';

export const summary = 'add or list console / admin API users';
export const usage = `usage: simnav user add --login L --role admin|operator|viewer [--password P] [--pools 1,2] [--db URL]
       simnav user list [--db URL]

add   creates a user. Without --password a random password is generated and printed once.
      --pools limits the user to those pool ids (default: every pool).
list  prints id, login, role, pool scope and whether the user is disabled.
  --db URL   sqlite:<path> or postgres://… (env SIMNAV_DB; default sqlite:./data/simnav.db)`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const p = parseFlags(rest, []);
  const err = (m: string) => { process.stderr.write(`simnav user: ${m}\n`); return 2; };
  if (p.error) return err(p.error);
  if (sub !== 'add' && sub !== 'list') return err(`expected 'add' or 'list'\n\n${usage}`);
  const allowed = sub === 'add' ? ['login', 'role', 'password', 'pools', 'db'] : ['db'];
  for (const k of p.flags.keys()) if (!allowed.includes(k)) return err(`unknown option --${k}`);
  if (p.rest.length > 0) return err(`unexpected argument '${p.rest[0]}'`);
  const role = p.flags.get('role');
  const login = p.flags.get('login');
  if (sub === 'add' && (!login || !isRole(role))) return err('add needs --login and --role admin|operator|viewer');
  const poolsText = p.flags.get('pools');
  if (poolsText !== undefined && !/^\d{1,9}(,\d{1,9})*$/.test(poolsText)) return err('--pools: a comma-separated list of pool ids');

  let store;
  try { store = await openMigratedStore(p.flags.get('db') ?? process.env.SIMNAV_DB ?? 'sqlite:./data/simnav.db'); } catch (e) {
    process.stderr.write(`simnav user: ${(e as Error).message}\n`); return 2;
  }
  const ctx = { db: store.db, clock: realClock() };
  try {
    if (sub === 'list') {
      for (const u of await listUsers(ctx)) {
        process.stdout.write(`${String(u.id).padStart(4)}  ${u.login.padEnd(20)} ${u.role.padEnd(8)} pools:${u.poolScope ? u.poolScope.join(',') : 'all'}${u.disabled ? '  (disabled)' : ''}\n`);
      }
      return 0;
    }
    const password = p.flags.get('password');
    const r = await createUser(ctx, {
      login: login!, role: role as 'admin' | 'operator' | 'viewer',
      ...(password !== undefined ? { password } : {}),
      ...(poolsText !== undefined ? { poolScope: poolsText.split(',').map(Number) } : {}),
    });
    if (!r.ok) { process.stderr.write(`simnav user: ${r.error.code}: ${r.error.message ?? ''}\n`); return 1; }
    await writeAudit(ctx, { actor: 'system:cli', action: 'user.create', target: String(r.value.user.id), details: { login: r.value.user.login, role: r.value.user.role } });
    process.stdout.write(`created user ${r.value.user.login} (id ${r.value.user.id}, ${r.value.user.role})\n`);
    if (r.value.password) process.stdout.write(`password (shown once): ${r.value.password}\n`);
    return 0;
  } finally { await store.close(); }
}
