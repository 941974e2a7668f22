/**
 * Aggregators (SIM Roulette boxes) as the admin sees them: create (returns the device link token
 * once), edit, delete (its cards go with it, as in the legacy panel), list with last heard /
 * online. The link token is 192 random bits stored as SHA-256 (panel-features.md §4.1 item 7:
 * the legacy token was 10 digits from rand()); a legacy 10-digit token can be carried over when
 * migrating a box, so the device keeps working without being reconfigured (§5.1 item 1).
 */
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AggregatorsTable } from '../../store/schema.ts';
import { getModel, resolveSettings, type AggregatorSettings, type ModelDescriptor, type ResolvedSettings } from '../../models/index.ts';
import { type AdminCtx, done, failed, isUniqueViolation, type Outcome } from '../auth/outcome.ts';
import { hashSecret } from '../auth/secrets.ts';
import { OFFLINE_AFTER_MS } from '../pools/status.ts';

/** A device is shown online when it polled within the pool API's OFFLINE window (api.md §2). */
export const ONLINE_WINDOW_MS = OFFLINE_AFTER_MS;

export const LEGACY_TOKEN = /^[1-9]\d{9}$/;

export interface AggregatorView {
  id: number;
  model: string;
  title: string;
  linkMode: 'client' | 'server';
  serverIp: string | null;
  /** Whether a server-mode local token is stored; the token itself is never answered. */
  serverTokenSet: boolean;
  settings: AggregatorSettings;
  modemChannels: number;
  tokenHint: string;
  lastHeardAt: number | null;
  online: boolean;
  enabled: boolean;
  serial: string | null;
  firmware: string | null;
  cards: number;
  createdAt: number;
  updatedAt: number;
}

export interface AggregatorInput {
  model?: string;
  title?: string;
  settings?: AggregatorSettings;
  linkMode?: 'client' | 'server';
  serverIp?: string | null;
  serverToken?: string | null;
  enabled?: boolean;
}

/** The stored settings JSON as the model's settings (unknown keys dropped, bad values defaulted). */
export function storedSettings(json: string): AggregatorSettings {
  let raw: unknown;
  try { raw = JSON.parse(json); } catch { return {}; }
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const s: { -readonly [K in keyof AggregatorSettings]: AggregatorSettings[K] } = {};
  if (typeof r.rowBegin === 'number') s.rowBegin = r.rowBegin;
  if (typeof r.rowEnd === 'number') s.rowEnd = r.rowEnd;
  if (typeof r.bankMap === 'string') s.bankMap = r.bankMap;
  if (r.smartType === 52 || r.smartType === 54 || r.smartType === 55) s.smartType = r.smartType;
  if (Array.isArray(r.enabledChannels)) s.enabledChannels = r.enabledChannels.filter((x): x is number => typeof x === 'number');
  return resolveSettings(s).ok ? s : {};
}

/** Model and resolved settings of a stored aggregator (undefined for an unknown model). */
export function modelOf(a: { model: string; settings: string }): { model: ModelDescriptor; settings: ResolvedSettings } | undefined {
  const model = getModel(a.model);
  const r = resolveSettings(storedSettings(a.settings));
  return model && r.ok ? { model, settings: r.value } : undefined;
}

function view(a: Selectable<AggregatorsTable>, cards: number, now: number): AggregatorView {
  const settings = storedSettings(a.settings);
  const m = modelOf(a);
  return {
    id: a.id, model: a.model, title: a.title, linkMode: a.link_mode === 'server' ? 'server' : 'client', serverIp: a.server_ip,
    serverTokenSet: a.server_token !== null && a.server_token !== '', settings, modemChannels: m ? m.model.modemChannels(m.settings) : 0, tokenHint: a.link_token_hint,
    lastHeardAt: a.last_heard_at, online: a.last_heard_at !== null && now - a.last_heard_at <= ONLINE_WINDOW_MS,
    enabled: a.enabled === 1, serial: a.serial, firmware: a.firmware, cards, createdAt: a.created_at, updatedAt: a.updated_at,
  };
}

function newLinkToken(): string {
  return randomBytes(24).toString('base64url');
}

const SERVER_IP = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$/;
const SERVER_TOKEN = /^[A-Za-z0-9]{1,5}$/;

function checkInput(input: AggregatorInput): Outcome<{ model?: ModelDescriptor; settingsJson?: string; modemsJson?: string }> {
  const out: { model?: ModelDescriptor; settingsJson?: string; modemsJson?: string } = {};
  if (input.model !== undefined) {
    const m = getModel(input.model);
    if (!m) return failed('UNKNOWN_MODEL', `unknown model '${input.model}'`);
    out.model = m;
  }
  if (input.title !== undefined && (input.title.trim() === '' || input.title.length > 100)) return failed('VALIDATION', 'title: 1–100 characters');
  if (input.settings !== undefined) {
    const r = resolveSettings(input.settings);
    if (!r.ok) return failed('VALIDATION', `settings.${r.error.field}: ${r.error.message}`);
    out.settingsJson = JSON.stringify(input.settings);
    out.modemsJson = JSON.stringify(input.settings.enabledChannels ?? []);
  }
  if (input.serverIp != null && !SERVER_IP.test(input.serverIp)) return failed('VALIDATION', 'serverIp: host[:port]');
  if (input.serverToken != null && !SERVER_TOKEN.test(input.serverToken)) return failed('VALIDATION', 'serverToken: 1–5 letters or digits');
  return done(out);
}

export interface CreatedAggregator { aggregator: AggregatorView; token: string }

/**
 * Creates an aggregator. `legacyToken` (10 digits) keeps a migrated box's existing link URL;
 * otherwise a new random token is made. The token is returned once and stored hashed.
 */
export async function createAggregator(ctx: AdminCtx, input: AggregatorInput & { model: string; title: string; legacyToken?: string }): Promise<Outcome<CreatedAggregator>> {
  const c = checkInput(input);
  if (!c.ok) return c;
  if (input.legacyToken !== undefined && !LEGACY_TOKEN.test(input.legacyToken)) return failed('VALIDATION', 'legacyToken: 10 digits, no leading zero');
  const token = input.legacyToken ?? newLinkToken();
  const now = ctx.clock.now();
  try {
    const row = await ctx.db.insertInto('aggregators').values({
      model: c.value.model!.title, title: input.title.trim(), link_token_hash: hashSecret(token), link_token_hint: token.slice(-3),
      link_mode: input.linkMode ?? 'client', server_ip: input.serverIp ?? null, server_token: input.serverToken ?? null,
      settings: c.value.settingsJson ?? '{}', modems: c.value.modemsJson ?? '[]', enabled: input.enabled === false ? 0 : 1,
      created_at: now, updated_at: now,
    }).returningAll().executeTakeFirstOrThrow();
    return done({ aggregator: view(row, 0, now), token });
  } catch (err) {
    if (isUniqueViolation(err)) return failed('CONFLICT', 'this link token is already used by another aggregator');
    throw err;
  }
}

export async function updateAggregator(ctx: AdminCtx, id: number, input: AggregatorInput): Promise<Outcome<AggregatorView>> {
  const c = checkInput(input);
  if (!c.ok) return c;
  const set: Partial<Selectable<AggregatorsTable>> = { updated_at: ctx.clock.now() };
  if (c.value.model) set.model = c.value.model.title;
  if (input.title !== undefined) set.title = input.title.trim();
  if (c.value.settingsJson !== undefined) { set.settings = c.value.settingsJson; set.modems = c.value.modemsJson!; }
  if (input.linkMode !== undefined) set.link_mode = input.linkMode;
  if (input.serverIp !== undefined) set.server_ip = input.serverIp;
  if (input.serverToken !== undefined) set.server_token = input.serverToken;
  if (input.enabled !== undefined) set.enabled = input.enabled ? 1 : 0;
  const row = await ctx.db.updateTable('aggregators').set(set).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row) return failed('NOT_FOUND', `aggregator ${id}`);
  return done(view(row, await countCards(ctx, id), ctx.clock.now()));
}

/** Replaces the link token (the device must be given the new URL); returns the new token once. */
export async function rotateLinkToken(ctx: AdminCtx, id: number): Promise<Outcome<CreatedAggregator>> {
  const token = newLinkToken();
  const row = await ctx.db.updateTable('aggregators')
    .set({ link_token_hash: hashSecret(token), link_token_hint: token.slice(-3), updated_at: ctx.clock.now() })
    .where('id', '=', id).returningAll().executeTakeFirst();
  if (!row) return failed('NOT_FOUND', `aggregator ${id}`);
  return done({ aggregator: view(row, await countCards(ctx, id), ctx.clock.now()), token });
}

/** Deletes an aggregator with its cards (and, through them, their SMS, calls and pool links). */
export async function deleteAggregator(ctx: AdminCtx, id: number): Promise<Outcome<AggregatorView>> {
  return ctx.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('aggregators').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return failed<AggregatorView>('NOT_FOUND', `aggregator ${id}`);
    const cards = await countCards({ db: tx, clock: ctx.clock }, id);
    await tx.deleteFrom('cards').where('aggregator_id', '=', id).execute();
    await tx.deleteFrom('aggregators').where('id', '=', id).execute();
    return done(view(row, cards, ctx.clock.now()));
  });
}

async function countCards(ctx: AdminCtx, id: number): Promise<number> {
  const r = await ctx.db.selectFrom('cards').select((eb) => eb.fn.countAll<number>().as('n')).where('aggregator_id', '=', id).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function getAggregator(ctx: AdminCtx, id: number): Promise<Outcome<AggregatorView>> {
  const row = await ctx.db.selectFrom('aggregators').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? done(view(row, await countCards(ctx, id), ctx.clock.now())) : failed('NOT_FOUND', `aggregator ${id}`);
}

export async function listAggregators(ctx: AdminCtx): Promise<AggregatorView[]> {
  const rows = await ctx.db.selectFrom('aggregators').selectAll().orderBy('id').execute();
  const counts = await ctx.db.selectFrom('cards').select(['aggregator_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('aggregator_id').execute();
  const byId = new Map(counts.map((c) => [c.aggregator_id, Number(c.n)]));
  const now = ctx.clock.now();
  return rows.map((r) => view(r, byId.get(r.id) ?? 0, now));
}

/** The URL to paste into the device: `<base>/link.php?token=<token>` (device-link.md §2.1). */
export function linkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/link.php?token=${encodeURIComponent(token)}`;
}
