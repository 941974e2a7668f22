/**
 * Import steps for pools and their membership. A legacy pool keeps its key (stored as its
 * sha256, like every simnav pool key), so API clients keep working unchanged; membership is
 * keyed by phone number in the legacy schema (`card2pool.card = cards.number`, panel-features.md
 * §1.3), and May-2021 databases carry `card2pool.done` (handed out), which becomes `used`.
 */
import { hashSecret } from '../../domain/auth/secrets.ts';
import { legacyMillis, phoneDigits } from './convert.ts';
import { chunks, reader, skip } from './context.ts';
import type { ImportedCard, StepContext } from './context.ts';

/** Printable ASCII, as the pool API accepts a key (legacy keys are 32 hex digits). */
const KEY = /^[\x21-\x7e]{8,128}$/;

export async function importPools(ctx: StepContext): Promise<void> {
  const src = reader(ctx, 'pools');
  if (!src) return;
  const c = ctx.report.counts.pools;
  for (const row of src.t.rows) {
    c.read++;
    const id = src.r.int(row, 'id');
    const title = (src.r.text(row, 'title') ?? '').trim().slice(0, 200);
    const key = (src.r.text(row, 'key') ?? '').trim();
    if (id === undefined || title === '' || /[\u0000-\u001f]/.test(title)) { skip(ctx, 'pools', id, 'EMPTY', 'pool without an id or a usable title'); continue; }
    if (!KEY.test(key)) { skip(ctx, 'pools', id, 'NO_KEY', `'${title}': no usable pool_key`); continue; }
    const keyHash = hashSecret(key);
    const existing = await ctx.tx.selectFrom('pools').select(['id', 'title']).where('key_hash', '=', keyHash).executeTakeFirst();
    if (existing) { ctx.pools.set(id, existing.id); c.present++; continue; }
    if (await ctx.tx.selectFrom('pools').select('id').where('title', '=', title).executeTakeFirst()) {
      skip(ctx, 'pools', id, 'TITLE_TAKEN', `'${title}': a pool with this title and another key exists`);
      continue;
    }
    const created = legacyMillis(src.r.int(row, 'time')) ?? ctx.now;
    const ins = await ctx.tx.insertInto('pools').values({ title, key_hash: keyHash, key_hint: key.slice(0, 4), created_at: created, updated_at: created })
      .returning('id').executeTakeFirstOrThrow();
    ctx.pools.set(id, ins.id);
    c.imported++;
  }
}

/** The legacy card ids a `card2pool.card` value names: the number as stored, else its digits. */
export function legacyCardsForNumber(ctx: StepContext, text: string): number[] {
  const exact = ctx.cardsByLegacyNumber.get(text.trim());
  if (exact && exact.length > 0) return exact;
  const digits = phoneDigits(text);
  if (!digits) return [];
  const byDigits = ctx.cardsByDigits.get(digits);
  if (byDigits) return byDigits;
  // Same number with or without the country code: match on the last 10 digits when that is unique.
  if (digits.length < 10) return [];
  const tail = digits.slice(-10);
  const hits = [...ctx.cardsByDigits].filter(([d]) => d.slice(-10) === tail).flatMap(([, ids]) => ids);
  return hits;
}

/**
 * The one imported card a legacy number names (installs without the UNIQUE index on
 * `cards.number` can have several): among several, those on `aggregatorId` (calls know their
 * device), then the one simnav gave the number; 'ambiguous' when still not one.
 */
export function cardByNumber(ctx: StepContext, text: string, aggregatorId?: number): ImportedCard | 'none' | 'ambiguous' {
  const ids = [...new Set(legacyCardsForNumber(ctx, text))].filter((id) => ctx.cards.has(id));
  let cards = [...new Set(ids.map((id) => ctx.cards.get(id)!))];
  if (cards.length > 1 && aggregatorId !== undefined) {
    const onDevice = cards.filter((c) => c.aggregatorId === aggregatorId);
    if (onDevice.length >= 1) cards = onDevice;
  }
  if (cards.length > 1) {
    const digits = phoneDigits(text);
    const holder = cards.filter((c) => digits !== null && c.number === digits);
    if (holder.length === 1) cards = holder;
  }
  if (cards.length === 0) return 'none';
  return cards.length === 1 ? cards[0]! : 'ambiguous';
}

export async function importPoolCards(ctx: StepContext): Promise<void> {
  const src = reader(ctx, 'card2pool');
  if (!src) return;
  const c = ctx.report.counts.poolCards;
  const members = new Map<number, Map<number, { card: ImportedCard; used: boolean }>>();
  for (const row of src.t.rows) {
    c.read++;
    const id = src.r.int(row, 'id');
    const legacyPool = src.r.int(row, 'pool');
    const poolId = legacyPool === undefined ? undefined : ctx.pools.get(legacyPool);
    if (poolId === undefined) { skip(ctx, 'poolCards', id, 'NO_POOL', `pool ${legacyPool ?? '?'} was not imported`); continue; }
    const cardText = (src.r.text(row, 'card') ?? '').trim();
    const card = cardByNumber(ctx, cardText);
    if (card === 'none') { skip(ctx, 'poolCards', id, 'NO_CARD', `no imported card has number '${cardText.slice(0, 40)}'`); continue; }
    if (card === 'ambiguous') { skip(ctx, 'poolCards', id, 'AMBIGUOUS_CARD', `'${cardText.slice(0, 40)}' names several cards`); continue; }
    const pool = members.get(poolId) ?? new Map<number, { card: ImportedCard; used: boolean }>();
    members.set(poolId, pool);
    // Two legacy spellings of one number are one membership (handed out if either was).
    const used = (src.r.int(row, 'done') ?? 0) !== 0;
    const had = pool.get(card.id);
    if (had) { had.used ||= used; c.present++; continue; }
    pool.set(card.id, { card, used });
  }
  for (const [poolId, pool] of members) {
    const stored = new Set((await ctx.tx.selectFrom('pool_cards').select('card_id').where('pool_id', '=', poolId).execute()).map((r) => r.card_id));
    const rows = [...pool.values()].filter((m) => { if (stored.has(m.card.id)) { c.present++; return false; } return true; }).map((m) => ({
      pool_id: poolId, card_id: m.card.id, aggregator_id: m.card.aggregatorId, place_sort: m.card.placeSort,
      used: m.used ? 1 : 0, used_at: m.used ? ctx.now : null, added_at: ctx.now,
    }));
    for (const part of chunks(rows)) await ctx.tx.insertInto('pool_cards').values(part).execute();
    c.imported += rows.length;
  }
}
