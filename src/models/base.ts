/**
 * Defaults every model inherits, `defineModel` (fills them in and freezes the descriptor),
 * settings resolution, and `validateModel`, the boot-time self check run by the registry
 * (STYLE.md §4: defaults come from a base, every descriptor is validated at boot).
 */
import type {
  AggregatorSettings, ModelDescriptor, ModelSpec, Place, ResolvedSettings, Result, SmartType,
} from './types.ts';

/** Defaults of the aggregator settings (device-link.md §4: rows 0…19, one bank, type 55). */
export const DEFAULT_SETTINGS: ResolvedSettings = Object.freeze({
  rowBegin: 0,
  rowEnd: 19,
  bankMap: '10000000',
  smartType: 55 as SmartType,
  enabledChannels: null,
});

/** Largest SR-Train row we accept (the firmware's `row:max` is far below). */
export const MAX_ROW = 999;

/** Why aggregator settings were refused. */
export interface SettingsError {
  readonly code: 'SETTINGS_INVALID';
  /** The field that is wrong (`rowEnd`, `bankMap`, …). */
  readonly field: keyof AggregatorSettings;
  readonly message: string;
}

function bad(field: keyof AggregatorSettings, message: string): { ok: false; error: SettingsError } {
  return { ok: false, error: { code: 'SETTINGS_INVALID', field, message } };
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * Applies the defaults and checks every value. Settings come from the store or the admin API,
 * so anything unexpected is a typed error rather than a silent fix-up.
 */
export function resolveSettings(raw: AggregatorSettings = {}): Result<ResolvedSettings, SettingsError> {
  const rowBegin = raw.rowBegin ?? DEFAULT_SETTINGS.rowBegin;
  const rowEnd = raw.rowEnd ?? DEFAULT_SETTINGS.rowEnd;
  if (!isInt(rowBegin) || rowBegin < 0 || rowBegin > MAX_ROW) return bad('rowBegin', `integer 0…${MAX_ROW} expected`);
  if (!isInt(rowEnd) || rowEnd < rowBegin || rowEnd > MAX_ROW) return bad('rowEnd', `integer ${rowBegin}…${MAX_ROW} expected`);
  const bankMap = raw.bankMap ?? DEFAULT_SETTINGS.bankMap;
  if (typeof bankMap !== 'string' || !/^[01]{1,8}$/.test(bankMap) || !bankMap.includes('1')) {
    return bad('bankMap', 'one to eight characters 0/1 with at least one 1 expected');
  }
  const smartType = raw.smartType ?? DEFAULT_SETTINGS.smartType;
  if (smartType !== 52 && smartType !== 54 && smartType !== 55) return bad('smartType', '52, 54 or 55 expected');
  let enabledChannels: ReadonlySet<number> | null = null;
  if (raw.enabledChannels !== undefined) {
    if (!Array.isArray(raw.enabledChannels) || !raw.enabledChannels.every((c) => isInt(c) && c >= 1 && c <= 64)) {
      return bad('enabledChannels', 'a list of channel numbers 1…64 expected');
    }
    enabledChannels = new Set(raw.enabledChannels);
  }
  return { ok: true, value: Object.freeze({ rowBegin, rowEnd, bankMap, smartType, enabledChannels }) };
}

/** Every place of the layout, in layout order (which is also sort order). */
export function allPlaces(model: ModelDescriptor, s: ResolvedSettings): Place[] {
  const out: Place[] = [];
  for (const l of model.layout(s)) for (const slot of l.slots) out.push({ line: l.line, slot });
  return out;
}

/**
 * Total sort key of a place within its model: line first, then slot (`A0 < A1 < B0`,
 * `0-8 < 1-1`, `A64 < B1`). Unique per place, so it is also an identity key.
 */
export function placeKey(p: Place): number {
  return p.line * 1000 + p.slot;
}

/** Default `placeAt`: the layout place whose options include (channel, position). */
function searchPlaceAt(this: ModelDescriptor, channel: number, position: number, s: ResolvedSettings): Place | null {
  for (const p of allPlaces(this, s)) {
    if (this.channelOptions(p, s).some((o) => o.channel === channel && o.position === position)) return p;
  }
  return null;
}

/** Fills the base defaults into a model spec and freezes the result. */
export function defineModel(spec: ModelSpec): ModelDescriptor {
  const d: ModelDescriptor = {
    protocol: 'classic',
    sharedPosition: false,
    reportsCalls: false,
    placeAt: searchPlaceAt,
    ...spec,
  };
  return Object.freeze(d);
}

/** Settings variants a descriptor must be consistent under (the default and the extremes). */
const CHECK_SETTINGS: AggregatorSettings[] = [
  {}, { bankMap: '11111111' }, { bankMap: '01000000' }, { smartType: 52 }, { smartType: 54 }, { rowBegin: 2, rowEnd: 7 },
];

/**
 * Self check of one descriptor; returns the problems found (empty = valid). Checks: ids and
 * titles, channel counts, and for every place of the layout: format → parse round trip, at
 * least one channel option within the model's channels, and `placeAt` inverting each option.
 */
export function validateModel(m: ModelDescriptor): string[] {
  const problems: string[] = [];
  if (!/^sr-[a-z0-9-]+$/.test(m.id)) problems.push(`${m.id}: id must be kebab-case starting with sr-`);
  if (!/^SR-[A-Za-z0-9-]+$/.test(m.title)) problems.push(`${m.id}: title must look like SR-Name`);
  if (m.title.toLowerCase() !== m.id) problems.push(`${m.id}: id must be the lower-cased title`);
  for (const raw of CHECK_SETTINGS) {
    const r = resolveSettings(raw);
    if (!r.ok) { problems.push(`${m.id}: check settings refused: ${r.error.message}`); continue; }
    const s = r.value;
    const channels = m.modemChannels(s);
    if (!isInt(channels) || channels < 1) problems.push(`${m.id}: modemChannels must be ≥ 1`);
    const places = allPlaces(m, s);
    if (places.length === 0) problems.push(`${m.id}: empty layout`);
    const seen = new Set<number>();
    for (const p of places) {
      const text = m.formatPlace(p);
      if (seen.has(placeKey(p))) problems.push(`${m.id}: ${text} listed twice`);
      seen.add(placeKey(p));
      const back = m.parsePlace(text, s);
      if (!back.ok || back.value.line !== p.line || back.value.slot !== p.slot) problems.push(`${m.id}: ${text} does not round-trip`);
      const opts = m.channelOptions(p, s);
      if (opts.length === 0) problems.push(`${m.id}: ${text} has no channel`);
      for (const o of opts) {
        if (o.channel < 1 || o.channel > channels) problems.push(`${m.id}: ${text} on channel ${o.channel} of ${channels}`);
        const at = m.placeAt(o.channel, o.position, s);
        if (!at || at.line !== p.line || at.slot !== p.slot) problems.push(`${m.id}: placeAt(${o.channel}, ${o.position}) is not ${text}`);
      }
      if (problems.length > 20) return problems;
    }
  }
  return problems;
}
