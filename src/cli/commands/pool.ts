import { parseFlags } from '../../config/config.ts';
import { openMigratedStore } from '../../store/open-store.ts';
import { realClock } from '../../lib/clock.ts';
import { createPoolService } from '../../domain/pools/service.ts';
import { selectCardIds, type CardFilter } from '../../domain/inventory/card-query.ts';
import { listPoolOverviews } from '../../domain/inventory/pool-overview.ts';
import type { Principal } from '../../domain/auth/principal.ts';
import { writeAudit } from '../../domain/audit/audit.ts';

export const summary = 'create or list pools';
export const usage = `usage: simnav pool create --name N [--filter QUERY] [--cards 1,2,3] [--db URL]
       simnav pool list [--db URL]

create  makes a pool and prints its pool_key once (what API clients send to /api/handler.php).
        Cards come from --cards (ids) and/or --filter, a query string over the inventory with the
        admin API's card filters, e.g. --filter 'operator=MTS&aggregatorId=3&placePrefix=A&balance=>10'.
        Without either the pool starts empty.
list    prints id, title, cards, FREE, USED, online and the key's first characters.
  --db URL   sqlite:<path> or postgres://… (env SIMNAV_DB; default sqlite:./data/simnav.db)`;

const FILTER_KEYS = ['number', 'iccid', 'title', 'operator', 'placePrefix', 'balance', 'comment', 'aggregatorId', 'poolId'] as const;

/** Parses `--filter` text into a card filter, or an error message. */
export function parseFilter(text: string): CardFilter | string {
  const f: CardFilter = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (!(FILTER_KEYS as readonly string[]).includes(k)) return `unknown filter '${k}' (known: ${FILTER_KEYS.join(', ')})`;
    if (k === 'aggregatorId' || k === 'poolId') {
      if (!/^\d{1,9}$/.test(v)) return `${k} must be an id`;
      f[k] = Number(v);
    } else {
      if (v.length > 100) return `${k} is too long`;
      f[k as Exclude<(typeof FILTER_KEYS)[number], 'aggregatorId' | 'poolId'>] = v;
    }
  }
  return f;
}

const CLI: Principal = { kind: 'user', id: 0, userId: null, name: 'cli', role: 'admin', poolScope: null, actor: 'system:cli' };

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const p = parseFlags(rest, []);
  const err = (m: string) => { process.stderr.write(`simnav pool: ${m}\n`); return 2; };
  if (p.error) return err(p.error);
  const allowed: Record<string, string[]> = { create: ['name', 'filter', 'cards', 'db'], list: ['db'] };
  if (sub === undefined || !allowed[sub]) return err(`expected 'create' or 'list'\n\n${usage}`);
  for (const k of p.flags.keys()) if (!allowed[sub]!.includes(k)) return err(`unknown option --${k}`);
  if (p.rest.length > 0) return err(`unexpected argument '${p.rest[0]}'`);
  const name = p.flags.get('name');
  if (sub === 'create' && !name) return err('create needs --name');
  const filterText = p.flags.get('filter');
  const filter = filterText === undefined ? undefined : parseFilter(filterText);
  if (typeof filter === 'string') return err(`--filter: ${filter}`);
  const cardsText = p.flags.get('cards');
  if (cardsText !== undefined && !/^\d{1,9}(,\d{1,9})*$/.test(cardsText)) return err('--cards: a comma-separated list of card ids');

  let store;
  try { store = await openMigratedStore(p.flags.get('db') ?? process.env.SIMNAV_DB ?? 'sqlite:./data/simnav.db'); } catch (e) {
    process.stderr.write(`simnav pool: ${(e as Error).message}\n`); return 2;
  }
  const ctx = { db: store.db, clock: realClock() };
  try {
    if (sub === 'list') {
      for (const x of await listPoolOverviews(ctx, CLI)) {
        process.stdout.write(`${String(x.id).padStart(4)}  ${x.title.padEnd(24)} cards:${x.cards} free:${x.free} used:${x.used} online:${x.online} key:${x.keyHint}…\n`);
      }
      return 0;
    }
    const ids = new Set<number>(cardsText ? cardsText.split(',').map(Number) : []);
    if (filter) {
      const sel = await selectCardIds(ctx, CLI, filter);
      if (!sel.ok) return err(`--filter: ${sel.error.message ?? sel.error.code}`);
      for (const id of sel.value) ids.add(id);
    }
    const pools = createPoolService({ store, clock: ctx.clock });
    const r = await pools.create({ title: name!, cardIds: [...ids] });
    if (!r.ok) { process.stderr.write(`simnav pool: ${r.error.code}: ${r.error.message}\n`); return 1; }
    await writeAudit(ctx, { actor: 'system:cli', action: 'pool.create', target: String(r.value.pool.id), details: { title: r.value.pool.title, cards: ids.size } });
    const [view] = await listPoolOverviews(ctx, CLI, { ids: [r.value.pool.id] });
    process.stderr.write(`created pool ${r.value.pool.id} '${r.value.pool.title}' with ${view?.cards ?? 0} cards; its key is shown once:\n`);
    process.stdout.write(`${r.value.key}\n`);
    return 0;
  } finally { await store.close(); }
}
