/**
 * Import steps for the inventory: operator profiles and network names, SR-Nano disks, aggregators
 * (with their link tokens, model and settings) and cards (places in canonical notation, the
 * blocked-card quirk). Natural keys make every step idempotent: operator title, network name,
 * disk title + time, link-token hash, (aggregator, place), (disk, place).
 */
import { resolveSettings } from '../../models/index.ts';
import type { AggregatorSettings, ModelDescriptor, Place, ResolvedSettings } from '../../models/index.ts';
import { hashSecret } from '../../domain/auth/secrets.ts';
import {
  legacyCardNumber, legacyColor, legacyInsertedFolder, legacyLinkToken, legacyMethod, legacyMillis, legacyModel,
  legacyNetworkNames, legacyPlace, legacySettings, placeKey, SERVER_IP, SERVER_TOKEN, widenFor, widestSettings,
} from './convert.ts';
import type { CardNumber } from './convert.ts';
import { chunks, pushTo, reader, skip, warn } from './context.ts';
import type { Row, StepContext } from './context.ts';
import type { RowReader } from './legacy-source.ts';

export async function importOperators(ctx: StepContext): Promise<void> {
  const src = reader(ctx, 'operators');
  const c = ctx.report.counts.operators;
  const seenNames = new Set<string>();
  const seenTitles = new Set<string>();
  const addName = async (name: string): Promise<void> => {
    if (seenNames.has(name)) return;
    seenNames.add(name);
    const n = ctx.report.counts.networkNames;
    n.read++;
    if (await ctx.tx.selectFrom('network_names').select('name').where('name', '=', name).executeTakeFirst()) { n.present++; return; }
    await ctx.tx.insertInto('network_names').values({ name, first_seen_at: ctx.now }).execute();
    n.imported++;
  };
  if (src) {
    for (const row of src.t.rows) {
      c.read++;
      const id = src.r.int(row, 'id');
      const title = (src.r.text(row, 'title') ?? '').trim().slice(0, 100);
      if (title === '') { skip(ctx, 'operators', id, 'EMPTY', 'operator without a title'); continue; }
      if (seenTitles.has(title)) { skip(ctx, 'operators', id, 'DUPLICATE', `a second profile titled '${title}'`); continue; }
      seenTitles.add(title);
      const numberCode = (src.r.text(row, 'get_number') ?? '').trim();
      const balanceCode = (src.r.text(row, 'get_balance') ?? '').trim();
      const names = legacyNetworkNames(src.r.text(row, 'name'));
      const values = {
        title, names: JSON.stringify(names), country_prefix: (src.r.text(row, 'prefix') ?? '').replace(/\D/g, '').slice(0, 4),
        number_method: legacyMethod(src.r.text(row, 'get_number_type'), numberCode), number_code: numberCode.slice(0, 100),
        balance_method: legacyMethod(src.r.text(row, 'get_balance_type'), balanceCode), balance_code: balanceCode.slice(0, 100),
        color: legacyColor(src.r.text(row, 'color')),
      };
      const existing = await ctx.tx.selectFrom('operators').selectAll().where('title', '=', title).orderBy('id').executeTakeFirst();
      if (!existing) {
        await ctx.tx.insertInto('operators').values({ ...values, created_at: ctx.now, updated_at: ctx.now }).execute();
        c.imported++;
      } else {
        const same = existing.names === values.names && existing.country_prefix === values.country_prefix && existing.color === values.color
          && existing.number_method === values.number_method && existing.number_code === values.number_code
          && existing.balance_method === values.balance_method && existing.balance_code === values.balance_code;
        // The legacy profile (possibly customised there) replaces a seeded one nobody edited here yet.
        if (!same && existing.created_at === existing.updated_at) {
          await ctx.tx.updateTable('operators').set({ ...values, updated_at: ctx.now }).where('id', '=', existing.id).execute();
          c.updated++;
        } else {
          if (!same) warn(ctx, 'operators', id, `'${title}' was edited in simnav; that version is kept`);
          c.present++;
        }
      }
      for (const n of names) await addName(n);
    }
  }
  const uniq = reader(ctx, 'operators_uniq');
  if (uniq) {
    for (const row of uniq.t.rows) {
      const name = (uniq.r.text(row, 'name') ?? '').trim().toUpperCase();
      if (name === '' || name.length > 64) { ctx.report.counts.networkNames.read++; skip(ctx, 'networkNames', uniq.r.int(row, 'id'), 'EMPTY', 'blank or oversized network name'); continue; }
      await addName(name);
    }
  }
}

export async function importDisks(ctx: StepContext): Promise<void> {
  const src = reader(ctx, 'folders');
  if (!src) return;
  const c = ctx.report.counts.disks;
  for (const row of src.t.rows) {
    c.read++;
    const id = src.r.int(row, 'id');
    const title = (src.r.text(row, 'title') ?? '').trim().slice(0, 100);
    if (id === undefined || title === '') { skip(ctx, 'disks', id, 'EMPTY', 'disk without an id or a title'); continue; }
    const created = legacyMillis(src.r.int(row, 'time')) ?? 0;
    const existing = await ctx.tx.selectFrom('disks').select('id').where('title', '=', title).where('created_at', '=', created).executeTakeFirst();
    if (existing) { ctx.folders.set(id, existing.id); c.present++; continue; }
    const ins = await ctx.tx.insertInto('disks').values({ title, comment: (src.r.text(row, 'comment') ?? '').slice(0, 2000), created_at: created })
      .returning('id').executeTakeFirstOrThrow();
    ctx.folders.set(id, ins.id);
    c.imported++;
  }
}

function settingsOfStored(json: string): AggregatorSettings {
  try {
    const v = JSON.parse(json) as AggregatorSettings;
    return typeof v === 'object' && v !== null && resolveSettings(v).ok ? v : {};
  } catch { return {}; }
}

function resolved(s: AggregatorSettings): ResolvedSettings {
  const r = resolveSettings(s);
  return r.ok ? r.value : widestSettings();
}

interface LegacyCard { row: Row; id: number | undefined; rawPlace: string }

/** The link step counter (device-link.md §2.2), kept so the device's numbering continues; 0 when out of the column's range. */
function legacyStep(step: number | undefined): number {
  return step !== undefined && step >= 0 && step <= 2_147_483_647 ? step : 0;
}

/** Aggregators and their cards, device by device. */
export async function importAggregatorsAndCards(ctx: StepContext): Promise<void> {
  const dev = reader(ctx, 'devices');
  const cards = reader(ctx, 'cards');
  const cardsByDevice = new Map<number, LegacyCard[]>();
  if (cards) {
    for (const row of cards.t.rows) {
      const device = cards.r.int(row, 'device') ?? 0;
      pushTo(cardsByDevice, device, { row, id: cards.r.int(row, 'id'), rawPlace: (cards.r.text(row, 'place') ?? '').trim() });
    }
  }
  const tokensSeen = new Map<string, number>();
  if (dev) {
    for (const row of dev.t.rows) {
      const c = ctx.report.counts.aggregators;
      c.read++;
      const id = dev.r.int(row, 'id');
      const title = (dev.r.text(row, 'title') ?? '').trim().slice(0, 100) || `Aggregator ${id ?? ''}`.trim();
      const model = legacyModel(dev.r.text(row, 'model'));
      if (id === undefined) { skip(ctx, 'aggregators', id, 'EMPTY', 'device row without an id'); continue; }
      if (!model) { skip(ctx, 'aggregators', id, 'UNKNOWN_MODEL', `model '${(dev.r.text(row, 'model') ?? '').slice(0, 40)}' is not a SIM Roulette model we know`); continue; }
      const token = legacyLinkToken(dev.r.text(row, 'token_remote'));
      if (!token) { skip(ctx, 'aggregators', id, 'NO_LINK_TOKEN', `'${title}': token_remote is empty or not a token a device can send`); continue; }
      const hash = hashSecret(token);
      const twin = tokensSeen.get(hash);
      if (twin !== undefined) { skip(ctx, 'aggregators', id, 'TOKEN_TAKEN', `'${title}': same token_remote as device ${twin}`); continue; }
      tokensSeen.set(hash, id);
      const existing = await ctx.tx.selectFrom('aggregators').select(['id', 'model', 'settings']).where('link_token_hash', '=', hash).executeTakeFirst();
      const legacyCards = cardsByDevice.get(id) ?? [];
      if (existing) {
        const m = legacyModel(existing.model);
        if (!m || m.id !== model.id) { skip(ctx, 'aggregators', id, 'TOKEN_TAKEN', `'${title}': its token belongs to aggregator ${existing.id} (${existing.model})`); continue; }
        ctx.aggregators.set(id, { id: existing.id, model: m, settings: resolved(settingsOfStored(existing.settings)) });
        c.present++;
        continue;
      }
      const conv = legacySettings(model, dev.r.bytes(row, 'data'), dev.r.text(row, 'modems'));
      for (const w of conv.warnings) warn(ctx, 'aggregators', id, w);
      // Widen banks/rows so that every legacy card of the device fits the layout.
      const wide = widestSettings();
      const fits: Place[] = [];
      for (const lc of legacyCards) { const p = legacyPlace(model, wide, lc.rawPlace); if (p.ok) fits.push(p.value); }
      const widened = widenFor(model, conv.settings, fits);
      if (widened.note) warn(ctx, 'aggregators', id, widened.note);
      const settings = widened.settings;
      const mode = (dev.r.text(row, 'type') ?? 'client').trim().toLowerCase() === 'server' ? 'server' : 'client';
      const ip = (dev.r.text(row, 'ip') ?? '').trim();
      const local = (dev.r.text(row, 'token_local') ?? '').trim();
      const firmware = (dev.r.text(row, 'ver') ?? '').trim();
      const serial = (dev.r.text(row, 'serial') ?? '').trim();
      let diskId: number | null = null;
      if (model.id.startsWith('sr-nano')) {
        const folder = legacyInsertedFolder(dev.r.bytes(row, 'folder'));
        if (folder?.id !== undefined) diskId = ctx.folders.get(folder.id) ?? null;
        if (folder && diskId === null) warn(ctx, 'aggregators', id, `inserted disk ${folder.id ?? folder.title ?? ''} not found among the imported disks`);
      }
      const ins = await ctx.tx.insertInto('aggregators').values({
        model: model.title, title, link_token_hash: hash, link_token_hint: token.slice(-3), link_mode: mode,
        server_ip: SERVER_IP.test(ip) ? ip : null, server_token: SERVER_TOKEN.test(local) ? local : null,
        settings: JSON.stringify(settings), modems: JSON.stringify(settings.enabledChannels ?? []),
        step: legacyStep(dev.r.int(row, 'step')), serial: serial === '' ? null : serial.slice(0, 64),
        firmware: firmware === '' ? null : firmware.slice(0, 64), disk_id: diskId, enabled: 1,
        created_at: ctx.now, updated_at: ctx.now,
      }).returning('id').executeTakeFirstOrThrow();
      ctx.aggregators.set(id, { id: ins.id, model, settings: resolved(settings) });
      c.imported++;
    }
  }
  if (!cards) return;
  for (const [device, list] of cardsByDevice) {
    const agg = ctx.aggregators.get(device);
    ctx.report.counts.cards.read += list.length;
    if (!agg) {
      for (const lc of list) skip(ctx, 'cards', lc.id, 'NO_AGGREGATOR', `card '${lc.rawPlace}' of device ${device}, which was not imported`);
      continue;
    }
    await importCardsOf(ctx, cards.r, agg.id, agg.model, agg.settings, list);
  }
}

/** The cards of one aggregator: existing slots found in one query, new ones inserted in batches. */
async function importCardsOf(ctx: StepContext, r: RowReader, aggregatorId: number, model: ModelDescriptor, settings: ResolvedSettings, list: readonly LegacyCard[]): Promise<void> {
  const c = ctx.report.counts.cards;
  const existing = new Map((await ctx.tx.selectFrom('cards').select(['id', 'place', 'place_sort', 'number'])
    .where('aggregator_id', '=', aggregatorId).execute()).map((e) => [e.place, e]));
  const fresh: Array<{ lc: LegacyCard; place: string; sort: number; num: CardNumber }> = [];
  for (const lc of list) {
    const parsed = legacyPlace(model, settings, lc.rawPlace);
    if (!parsed.ok) { skip(ctx, 'cards', lc.id, 'BAD_PLACE', parsed.error.detail); continue; }
    const place = model.formatPlace(parsed.value);
    if (ctx.cardPlaces.has(`${aggregatorId}:${place}`)) { skip(ctx, 'cards', lc.id, 'DUPLICATE_PLACE', `a second row for slot ${place}`); continue; }
    ctx.cardPlaces.add(`${aggregatorId}:${place}`);
    const rawNumber = r.text(lc.row, 'number');
    const num = legacyCardNumber(model, settings, parsed.value, lc.rawPlace, rawNumber);
    if (lc.id !== undefined && rawNumber) {
      pushTo(ctx.cardsByLegacyNumber, rawNumber.trim(), lc.id);
      if (num.kind === 'number') pushTo(ctx.cardsByDigits, num.number, lc.id);
    }
    const have = existing.get(place);
    if (have) {
      if (lc.id !== undefined) ctx.cards.set(lc.id, { id: have.id, aggregatorId, placeSort: have.place_sort, number: have.number });
      c.present++;
      continue;
    }
    fresh.push({ lc, place, sort: placeKey(parsed.value), num });
  }
  // A number may be held by one card only: by a card already in the store, or by the first legacy row.
  const wanted = fresh.flatMap((f) => (f.num.kind === 'number' ? [f.num.number] : []));
  const taken = new Map<string, number>();
  for (const part of chunks([...new Set(wanted)])) {
    for (const t of await ctx.tx.selectFrom('cards').select(['id', 'number']).where('number', 'in', part).execute()) taken.set(t.number!, t.id);
  }
  const claimed = new Set<string>();
  const rows = fresh.map((f) => {
    let number: string | null = null;
    if (f.num.kind === 'number') {
      const holder = taken.get(f.num.number);
      if (holder !== undefined) warn(ctx, 'cards', f.lc.id, `number ${f.num.number} already belongs to card ${holder}; imported without a number`);
      else if (claimed.has(f.num.number)) warn(ctx, 'cards', f.lc.id, `number ${f.num.number} is on an earlier legacy card too; imported without a number`);
      else { number = f.num.number; claimed.add(number); }
    } else if (f.num.kind === 'invalid') warn(ctx, 'cards', f.lc.id, `number '${f.num.text}' is not a phone number; cleared`);
    const row = f.lc.row;
    const created = legacyMillis(r.int(row, 'time')) ?? ctx.now;
    const iccid = (r.text(row, 'iccid') ?? '').trim();
    const operator = (r.text(row, 'operator') ?? '').trim();
    return {
      aggregator_id: aggregatorId, place: f.place, place_sort: f.sort, number,
      iccid: /^[0-9A-Fa-f]{6,24}$/.test(iccid) ? iccid.toUpperCase() : null, operator: operator === '' ? null : operator.slice(0, 64),
      balance: r.num(row, 'balance') ?? null, last_balance: r.num(row, 'last_balance') ?? null,
      balance_at: legacyMillis(r.int(row, 'time_balance')), last_balance_at: legacyMillis(r.int(row, 'time_last_balance')),
      title: (r.text(row, 'title') ?? '').slice(0, 200), comment: (r.text(row, 'comment') ?? '').slice(0, 5000),
      blocked: f.num.kind === 'blocked' ? 1 : 0, number_at: number === null ? null : legacyMillis(r.int(row, 'time_number')),
      created_at: created, updated_at: created,
    };
  });
  const byPlace = new Map(fresh.map((f) => [f.place, f]));
  for (const part of chunks(rows)) {
    const ids = await ctx.tx.insertInto('cards').values(part).returning(['id', 'place', 'place_sort', 'number']).execute();
    for (const ins of ids) {
      const f = byPlace.get(ins.place)!;
      if (f.lc.id !== undefined) ctx.cards.set(f.lc.id, { id: ins.id, aggregatorId, placeSort: ins.place_sort, number: ins.number });
    }
    c.imported += ids.length;
  }
}

/** Archived cards of disks not inserted (`cards2folder`). Places are read as SR-Nano-1000 (a superset of the 500). */
export async function importDiskCards(ctx: StepContext): Promise<void> {
  const src = reader(ctx, 'cards2folder');
  if (!src) return;
  const nano = legacyModel('SR-Nano-1000')!;
  const wide = widestSettings();
  const c = ctx.report.counts.diskCards;
  const seen = new Set<string>();
  for (const row of src.t.rows) {
    c.read++;
    const id = src.r.int(row, 'id');
    const folder = src.r.int(row, 'folder_id');
    if (folder !== undefined && folder < 0) { skip(ctx, 'diskCards', id, 'DISK_SWAP_IN_PROGRESS', `folder_id ${folder}: row of an unfinished disk swap`); continue; }
    const diskId = folder === undefined ? undefined : ctx.folders.get(folder);
    if (diskId === undefined) { skip(ctx, 'diskCards', id, 'NO_DISK', `disk ${folder ?? '?'} was not imported`); continue; }
    const rawPlace = (src.r.text(row, 'place') ?? '').trim();
    const p = legacyPlace(nano, wide, rawPlace);
    if (!p.ok) { skip(ctx, 'diskCards', id, 'BAD_PLACE', p.error.detail); continue; }
    const place = nano.formatPlace(p.value);
    if (seen.has(`${diskId}:${place}`)) { skip(ctx, 'diskCards', id, 'DUPLICATE_PLACE', `a second row for ${place} on disk ${folder}`); continue; }
    seen.add(`${diskId}:${place}`);
    if (await ctx.tx.selectFrom('disk_cards').select('id').where('disk_id', '=', diskId).where('place', '=', place).executeTakeFirst()) { c.present++; continue; }
    const num = legacyCardNumber(nano, wide, p.value, rawPlace, src.r.text(row, 'number'));
    const iccid = (src.r.text(row, 'iccid') ?? '').trim();
    const operator = (src.r.text(row, 'operator') ?? '').trim();
    await ctx.tx.insertInto('disk_cards').values({
      disk_id: diskId, place, number: num.kind === 'number' ? num.number : null,
      iccid: /^[0-9A-Fa-f]{6,24}$/.test(iccid) ? iccid.toUpperCase() : null, operator: operator === '' ? null : operator.slice(0, 64),
      balance: src.r.num(row, 'balance') ?? null, title: (src.r.text(row, 'title') ?? '').slice(0, 200),
      comment: ((src.r.text(row, 'comment') ?? '') + (num.kind === 'blocked' ? (src.r.text(row, 'comment') ? '\n' : '') + 'blocked' : '')).slice(0, 5000),
    }).execute();
    c.imported++;
  }
}
