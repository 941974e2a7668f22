/**
 * What allocation needs to know about every aggregator: its model descriptor and resolved
 * settings (from `aggregators.model`, `.settings`, `.modems`), plus the country codes known from
 * operator profiles. Loaded in one query and kept for a short time; `invalidate()` drops it.
 */
import { apiChannels, getModel, resolveSettings, DEFAULT_SETTINGS } from '../../models/index.ts';
import type { AggregatorSettings, ModelDescriptor, Place, ResolvedSettings } from '../../models/index.ts';
import type { Store } from '../../store/open-store.ts';
import type { Clock } from '../../lib/clock.ts';

export interface AggregatorInfo {
  readonly id: number;
  /** The model as stored (the API prints it). */
  readonly modelTitle: string;
  /** Undefined for a model simnav does not know: such an aggregator never gets cards online. */
  readonly model: ModelDescriptor | undefined;
  readonly settings: ResolvedSettings;
}

export interface FleetView {
  readonly aggregators: ReadonlyMap<number, AggregatorInfo>;
  /** Distinct country calling codes of the operator profiles, longest first. */
  readonly countryCodes: readonly string[];
}

/**
 * Settings of an aggregator from its stored JSON. Keys follow `AggregatorSettings` of models/
 * (rowBegin, rowEnd, bankMap, smartType); the `modems` column (JSON array, `[]` = all) gives the
 * enabled channels. Anything unreadable falls back to the model defaults.
 */
export function settingsFromRow(settingsJson: string, modemsJson: string): ResolvedSettings {
  let raw: AggregatorSettings = {};
  try {
    const parsed: unknown = JSON.parse(settingsJson);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      raw = {
        ...(typeof o.rowBegin === 'number' ? { rowBegin: o.rowBegin } : {}),
        ...(typeof o.rowEnd === 'number' ? { rowEnd: o.rowEnd } : {}),
        ...(typeof o.bankMap === 'string' ? { bankMap: o.bankMap } : {}),
        ...(o.smartType === 52 || o.smartType === 54 || o.smartType === 55 ? { smartType: o.smartType } : {}),
      };
    }
  } catch { /* unreadable settings: defaults */ }
  try {
    const modems: unknown = JSON.parse(modemsJson);
    if (Array.isArray(modems) && modems.length > 0 && modems.every((m) => Number.isInteger(m))) {
      raw = { ...raw, enabledChannels: modems as number[] };
    }
  } catch { /* all channels */ }
  const r = resolveSettings(raw);
  return r.ok ? r.value : DEFAULT_SETTINGS;
}

/** Parses a stored place for its aggregator; null when the model does not know it. */
export function placeOf(info: AggregatorInfo, place: string): Place | null {
  if (!info.model) return null;
  const r = info.model.parsePlace(place, info.settings);
  return r.ok ? r.value : null;
}

export interface Fleet {
  get(): Promise<FleetView>;
  invalidate(): void;
  /** The model's parallel streams with these settings (`apiChannels`), memoised per model and settings. */
  channelsOf(info: AggregatorInfo): number;
}

/** How long the fleet view is reused without an invalidate (settings edited elsewhere show up after this). */
export const FLEET_TTL_MS = 2_000;

export function createFleet(store: Store, clock: Clock): Fleet {
  let cached: { at: number; view: Promise<FleetView> } | null = null;
  const channels = new Map<string, number>();

  async function load(): Promise<FleetView> {
    const rows = await store.db.selectFrom('aggregators').select(['id', 'model', 'settings', 'modems']).execute();
    const aggregators = new Map<number, AggregatorInfo>();
    for (const r of rows) {
      aggregators.set(r.id, { id: r.id, modelTitle: r.model, model: getModel(r.model), settings: settingsFromRow(r.settings, r.modems) });
    }
    const ccRows = await store.db.selectFrom('operators').select('country_prefix').distinct().execute();
    const countryCodes = ccRows.map((r) => r.country_prefix).filter((c) => /^\d{1,4}$/.test(c)).sort((a, b) => b.length - a.length);
    return { aggregators, countryCodes };
  }

  return {
    get() {
      const now = clock.now();
      if (!cached || now - cached.at > FLEET_TTL_MS) {
        const view = load();
        cached = { at: now, view };
        view.catch(() => { if (cached?.view === view) cached = null; });
      }
      return cached.view;
    },
    invalidate() { cached = null; },
    channelsOf(info) {
      if (!info.model) return 0;
      const key = `${info.model.id} ${JSON.stringify({ ...info.settings, enabledChannels: info.settings.enabledChannels ? [...info.settings.enabledChannels] : null })}`;
      let n = channels.get(key);
      if (n === undefined) {
        n = apiChannels(info.model, info.settings);
        if (channels.size > 1000) channels.clear();
        channels.set(key, n);
      }
      return n;
    },
  };
}
