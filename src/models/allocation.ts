/**
 * Which cards can be online together — the pure allocation helpers the pool API (openNumber,
 * openNumbers, getPoolStatus) and the device runtime call. Works on any descriptor through its
 * `channelOptions`: at most one online card per physical modem, and on `sharedPosition` models
 * (SR-Train carriage, SR-Nano disk) every online card at one common position.
 *
 * Per model this gives (device-link.md §0.5, §4.1): Nano 1; Train rows r / r+3 of one carriage
 * row r; Box-Bank / Board one per column; Box-2 one in A–D and one in E–H; Organizer one per
 * line; Box-8 all eight; Smart one per modem.
 */
import { allPlaces, placeKey } from './base.ts';
import type { ChannelOption, ModelDescriptor, Place, ResolvedSettings } from './types.ts';

/**
 * A card that is online on a known channel (as the store records it). Knowing the channel pins
 * the SR-Train carriage row: `5-1` on channel 1 means row 5, on channel 9 row 2.
 */
export interface OnlineCard {
  readonly place: Place;
  /** The channel it sits in, or null when not known yet. */
  readonly channel: number | null;
}

/** What to allocate. */
export interface OnlineRequest {
  /**
   * Cards online now (or being seated); they stay online. Give `{ place, channel }` when the
   * channel is known, so the choice keeps every card on its channel.
   */
  readonly online: readonly (Place | OnlineCard)[];
  /** Cards that may be added, best first (the caller's preference order: FREE first, place order…). */
  readonly candidates: readonly Place[];
  /** How many to add at most; `'max'` = as many as possible. */
  readonly want: number | 'max';
  /**
   * Shared-position models only (SR-Train): the carriage row of the running session when the
   * caller knows it. Without it, any row consistent with `online` may be chosen, and when nothing
   * is online the row yielding the most candidates is chosen.
   */
  readonly position?: number;
}

/** Where one chosen card goes. */
export interface Seat {
  readonly place: Place;
  readonly channel: number;
  readonly modem: number;
  readonly position: number;
}

/** The outcome of {@link planOnline}. */
export interface OnlinePlan {
  /** Chosen candidates, in preference order. */
  readonly places: readonly Place[];
  /** Channel and position of each chosen card, same order as `places`. */
  readonly seats: readonly Seat[];
  /** The shared position used (SR-Train carriage row), or null when the model has none / nothing fits. */
  readonly position: number | null;
}

const EMPTY: OnlinePlan = Object.freeze({ places: [], seats: [], position: null });

function isOnlineCard(x: Place | OnlineCard): x is OnlineCard {
  return typeof (x as OnlineCard).place === 'object' && (x as OnlineCard).place !== null;
}

function toOnlineCards(online: readonly (Place | OnlineCard)[]): OnlineCard[] {
  const seen = new Set<number>();
  const out: OnlineCard[] = [];
  for (const x of online) {
    const card = isOnlineCard(x) ? x : { place: x, channel: null };
    const k = placeKey(card.place);
    if (!seen.has(k)) { seen.add(k); out.push(card); }
  }
  return out;
}

function dedupe(places: readonly Place[]): Place[] {
  const seen = new Set<number>();
  const out: Place[] = [];
  for (const p of places) {
    const k = placeKey(p);
    if (!seen.has(k)) { seen.add(k); out.push(p); }
  }
  return out;
}

function wantCount(want: number | 'max'): number {
  if (want === 'max') return Infinity;
  return Number.isFinite(want) && want > 0 ? Math.floor(want) : 0;
}

/**
 * Modems taken by `online` when every card sits at `position` (null = own position each) on its
 * known channel (if any); null if impossible.
 */
function seatOnline(
  model: ModelDescriptor, s: ResolvedSettings, online: readonly OnlineCard[], position: number | null,
): Set<number> | null {
  const used = new Set<number>();
  for (const c of online) {
    const o = model.channelOptions(c.place, s).find((x) =>
      (position === null || x.position === position) && (c.channel === null || x.channel === c.channel) && !used.has(x.modem));
    if (!o) return null;
    used.add(o.modem);
  }
  return used;
}

/** Lexicographic comparison of two ascending index lists (shorter prefix wins). */
function compareIndexes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Chooses candidates that can be put online now in addition to `online`, without taking any
 * online card offline, respecting the model's combination rule and the enabled channels.
 * Returns the plan with channels and position (the runtime seats cards with it).
 *
 * Guarantees: the union of `online` and the result is a legal combination; with `want: 'max'`
 * no further candidate could be added (and on SR-Train the carriage row gives the largest such
 * set); the result respects the candidates' order; duplicates and cards already online are
 * ignored. An illegal `online` set yields nothing. Never throws.
 */
export function planOnline(model: ModelDescriptor, s: ResolvedSettings, req: OnlineRequest): OnlinePlan {
  const want = wantCount(req.want);
  if (want === 0) return EMPTY;
  const online = toOnlineCards(req.online);
  const onlineKeys = new Set(online.map((c) => placeKey(c.place)));
  const candidates = dedupe(req.candidates).filter((p) => !onlineKeys.has(placeKey(p)));
  const usable = (o: ChannelOption): boolean => s.enabledChannels === null || s.enabledChannels.has(o.channel);

  if (!model.sharedPosition) {
    const used = seatOnline(model, s, online, null);
    if (!used) return EMPTY;
    const places: Place[] = [];
    const seats: Seat[] = [];
    for (const p of candidates) {
      if (places.length >= want) break;
      const o = model.channelOptions(p, s).find((x) => usable(x) && !used.has(x.modem));
      if (!o) continue;
      used.add(o.modem);
      places.push(p);
      seats.push({ place: p, channel: o.channel, modem: o.modem, position: o.position });
    }
    return { places, seats, position: null };
  }

  // Shared position: bucket the candidates' usable options by position, in preference order.
  const buckets = new Map<number, Array<{ index: number; place: Place; option: ChannelOption }>>();
  candidates.forEach((place, index) => {
    for (const option of model.channelOptions(place, s)) {
      if (!usable(option)) continue;
      if (req.position !== undefined && option.position !== req.position) continue;
      let b = buckets.get(option.position);
      if (!b) { b = []; buckets.set(option.position, b); }
      b.push({ index, place, option });
    }
  });

  let best: { position: number; picks: Array<{ index: number; place: Place; option: ChannelOption }> } | null = null;
  let bestIdx: number[] = [];
  for (const [position, bucket] of buckets) {
    const used = seatOnline(model, s, online, position);
    if (!used) continue;
    const picks: typeof bucket = [];
    for (const c of bucket) {
      if (used.has(c.option.modem)) continue;
      used.add(c.option.modem);
      picks.push(c);
    }
    if (picks.length === 0) continue;
    const idx = picks.slice(0, want).map((c) => c.index);
    const better = best === null
      || Math.min(picks.length, want) > Math.min(best.picks.length, want)
      || (Math.min(picks.length, want) === Math.min(best.picks.length, want) && (
        compareIndexes(idx, bestIdx) < 0
        || (compareIndexes(idx, bestIdx) === 0 && (picks.length > best.picks.length
          || (picks.length === best.picks.length && position < best.position)))));
    if (better) { best = { position, picks }; bestIdx = idx; }
  }
  if (!best) return EMPTY;
  const picks = best.picks.slice(0, want);
  return {
    places: picks.map((c) => c.place),
    seats: picks.map((c) => ({ place: c.place, channel: c.option.channel, modem: c.option.modem, position: c.option.position })),
    position: best.position,
  };
}

/** {@link planOnline}, places only: the candidates to put online, in preference order. */
export function chooseOnline(model: ModelDescriptor, s: ResolvedSettings, req: OnlineRequest): Place[] {
  return [...planOnline(model, s, req).places];
}

/**
 * How many more cards (of any slot of the layout) could be online in addition to `online`
 * (count of cards). `position` as in {@link OnlineRequest}.
 */
export function capacity(
  model: ModelDescriptor, s: ResolvedSettings, online: readonly (Place | OnlineCard)[], position?: number,
): number {
  const req: OnlineRequest = position === undefined
    ? { online, candidates: allPlaces(model, s), want: 'max' }
    : { online, candidates: allPlaces(model, s), want: 'max', position };
  return planOnline(model, s, req).places.length;
}

/** True when all `places` (distinct) could be online at the same time on enabled channels. */
export function canBeOnlineTogether(model: ModelDescriptor, s: ResolvedSettings, places: readonly Place[]): boolean {
  const distinct = dedupe(places);
  return chooseOnline(model, s, { online: [], candidates: distinct, want: 'max' }).length === distinct.length;
}

/**
 * The pool API's `channels` of an aggregator: the model's number of parallel streams, i.e. how
 * many cards can be online at once with these settings (Nano 1, Train 16, Box-2 2, …).
 */
export function apiChannels(model: ModelDescriptor, s: ResolvedSettings): number {
  return capacity(model, s, []);
}
