/**
 * Pure conversions of legacy SR-Navigator values into simnav's (panel-features.md §1,
 * device-link.md §4): model names, `devices.data` settings, place notations, phone numbers
 * (including the blocked-card quirk), link tokens, operator profiles and the SR-Nano disk blob.
 * No I/O; every function returns a value or a typed refusal.
 */
import { getModel, placeKey, resolveSettings } from '../../models/index.ts';
import type { AggregatorSettings, ModelDescriptor, Place, ResolvedSettings } from '../../models/index.ts';
import { isPhpArray, phpGet, phpInt, phpScalarText, unserializePhp } from './php-unserialize.ts';
import type { PhpError, PhpValue } from './php-unserialize.ts';
import { decodeLegacyText, unmangledBytes } from './legacy-text.ts';

/** Latest legacy time we believe (seconds; year 2100): anything later is garbage, not a time. */
export const MAX_LEGACY_SECONDS = 4_102_444_800;

/** Seconds (legacy Unix int) → milliseconds; 0, negative, absent or implausibly late → null. */
export function legacyMillis(seconds: number | undefined): number | null {
  return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_LEGACY_SECONDS ? Math.round(seconds * 1000) : null;
}

/**
 * Reads a serialized blob: strictly, and once more from the bytes PHP had before a latin1
 * connection re-encoded them (the `s:<n>:` lengths only match the original bytes).
 */
export function readBlob(bytes: Uint8Array): { ok: true; value: PhpValue } | { ok: false; error: PhpError } {
  const decodeString = (b: Uint8Array) => decodeLegacyText(b).text;
  const first = unserializePhp(bytes, { decodeString });
  if (first.ok) return first;
  const original = unmangledBytes(bytes);
  if (original) {
    const again = unserializePhp(original, { decodeString });
    if (again.ok) return again;
  }
  return first;
}

// ---------------------------------------------------------------- aggregators

/** The model of a legacy `devices.model` value, or undefined (unknown models are skipped). */
export function legacyModel(text: string | null | undefined): ModelDescriptor | undefined {
  return text ? getModel(text.trim()) : undefined;
}

/** A legacy link token (`devices.token_remote`) we can keep: what a device may have in its URL. */
export function legacyLinkToken(text: string | null | undefined): string | null {
  const t = (text ?? '').trim();
  return /^[A-Za-z0-9]{6,64}$/.test(t) ? t : null;
}

export const SERVER_TOKEN = /^[A-Za-z0-9]{1,5}$/;
export const SERVER_IP = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$/;

/**
 * Settings JSON keys beyond the model's, carried over from `devices.data` (times in seconds, as
 * legacy; `carrierLimit` is what the link hub reads).
 */
export interface LegacyExtras {
  timeLimit?: number;
  carrierLimit?: number;
  modemType?: string;
  activation?: boolean;
  storage?: boolean;
  review?: number;
  reviewStart?: number;
}

export interface ConvertedSettings {
  /** The model settings (validated by `resolveSettings`) plus the legacy extras, as stored. */
  readonly settings: AggregatorSettings & LegacyExtras;
  readonly warnings: readonly string[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `1,2, 3` → [1, 2, 3]; empty → undefined (= all channels). */
export function parseModemList(csv: string | null | undefined): number[] | undefined {
  const items = (csv ?? '').split(/[,;\s]+/).filter((s) => s !== '');
  const out = items.map(Number).filter((n) => Number.isInteger(n) && n >= 1 && n <= 64);
  return out.length > 0 ? [...new Set(out)].sort((a, b) => a - b) : undefined;
}

/**
 * `devices.data` (serialized map: row_begin, rows, time_limit, carrier_limit, modem, activation,
 * storage, review, review_start, map, lines, modems — device-link.md §4) and `devices.modems`
 * (CSV of enabled channels) → settings. Values the model refuses are dropped with a warning.
 */
export function legacySettings(model: ModelDescriptor, data: Uint8Array | null | undefined, modemsCsv: string | null | undefined): ConvertedSettings {
  const warnings: string[] = [];
  const s: Mutable<AggregatorSettings & LegacyExtras> = {};
  if (data && data.length > 0) {
    const blob = readBlob(data);
    if (!blob.ok) warnings.push(`devices.data unreadable (${blob.error.code} at byte ${blob.error.offset}: ${blob.error.detail}); defaults used`);
    else if (!isPhpArray(blob.value)) warnings.push('devices.data is not a serialized array; defaults used');
    else {
      const d = blob.value;
      const int = (k: string) => phpInt(phpGet(d, k));
      const rowBegin = int('row_begin'); if (rowBegin !== undefined) s.rowBegin = rowBegin;
      const rows = int('rows'); if (rows !== undefined && rows > 0) s.rowEnd = rows;
      const map = phpScalarText(phpGet(d, 'map'));
      if (map !== undefined && map !== '') s.bankMap = map;
      if (model.id === 'sr-organizer-smart') {
        const modems = int('modems'); const lines = int('lines');
        if (modems === 3) s.smartType = 55;
        else if (modems === 1 && lines === 3) s.smartType = 54;
        else if (modems === 1 && lines === 2) s.smartType = 52;
      }
      const timeLimit = int('time_limit'); if (timeLimit !== undefined && timeLimit > 0) s.timeLimit = timeLimit;
      const carrier = int('carrier_limit'); if (carrier !== undefined && carrier > 0) s.carrierLimit = carrier;
      const modemType = phpScalarText(phpGet(d, 'modem'));
      if (modemType !== undefined && /^[A-Za-z0-9]{1,16}$/.test(modemType)) s.modemType = modemType.toUpperCase();
      const activation = int('activation'); if (activation !== undefined) s.activation = activation !== 0;
      const storage = int('storage'); if (storage !== undefined) s.storage = storage !== 0;
      const review = int('review'); if (review !== undefined && review >= 0) s.review = review;
      const reviewStart = int('review_start'); if (reviewStart !== undefined && reviewStart >= 0) s.reviewStart = reviewStart;
    }
  }
  const channels = parseModemList(modemsCsv);
  if (channels) s.enabledChannels = channels;
  // Drop, one by one, whatever the model's settings check refuses.
  for (let i = 0; i < 5; i++) {
    const r = resolveSettings(s);
    if (r.ok) break;
    warnings.push(`setting ${r.error.field} = ${JSON.stringify(s[r.error.field])} refused (${r.error.message}); default used`);
    delete s[r.error.field];
  }
  return { settings: s, warnings };
}

// ---------------------------------------------------------------- places

const GRID_MODELS = new Set(['sr-box-bank', 'sr-board', 'sr-box-2', 'sr-box-2-bank']);
const LETTERS = 'ABCDEFGH';

/** The widest settings a model's places can be checked against (every bank, every row). */
export function widestSettings(): ResolvedSettings {
  const r = resolveSettings({ rowBegin: 0, rowEnd: 999, bankMap: '11111111', smartType: 55 });
  if (!r.ok) throw new Error('widest settings refused'); // a constant: cannot happen
  return r.value;
}

export type PlaceRefusal = { code: 'PLACE_SYNTAX' | 'PLACE_OUT_OF_RANGE'; detail: string };

/**
 * A legacy `cards.place` in the model's canonical notation. Accepts what the model accepts
 * (case, blanks, Nano `A05`/`A005`) and, for the letter+row models, the older `row-col` form
 * (`12-3` = `C12`) the legacy API's Box-Bank branch still expected (device-link.md §9.2).
 */
export function legacyPlace(model: ModelDescriptor, settings: ResolvedSettings, text: string): { ok: true; value: Place } | { ok: false; error: PlaceRefusal } {
  const direct = model.parsePlace(text, settings);
  if (direct.ok) return direct;
  if (GRID_MODELS.has(model.id)) {
    const m = /^\s*(\d{1,2})\s*-\s*(\d)\s*$/.exec(text);
    const letter = m ? LETTERS[Number(m[2]) - 1] : undefined;
    if (m && letter) {
      const again = model.parsePlace(`${letter}${Number(m[1])}`, settings);
      if (again.ok) return again;
      return { ok: false, error: { code: again.error.code, detail: `'${text.slice(0, 40)}' (row-col) is not a ${model.title} place here` } };
    }
  }
  return { ok: false, error: { code: direct.error.code, detail: `'${text.slice(0, 40)}' is not a ${model.title} place${direct.error.code === 'PLACE_OUT_OF_RANGE' ? ' of this layout' : ''}` } };
}

/**
 * Widens settings so that every given place fits: more banks (Box-Bank, Box-2-Bank) or more rows
 * (SR-Train). Returns the settings and a note, or the same settings when nothing was needed.
 */
export function widenFor(model: ModelDescriptor, settings: AggregatorSettings, places: readonly Place[]): { settings: AggregatorSettings; note?: string } {
  if (places.length === 0) return { settings };
  if (model.id === 'sr-train') {
    const rows = places.map((p) => p.line);
    const lo = Math.min(...rows); const hi = Math.max(...rows);
    const r = resolveSettings(settings);
    if (!r.ok) return { settings };
    if (lo >= r.value.rowBegin && hi <= r.value.rowEnd) return { settings };
    const next = { ...settings, rowBegin: Math.min(lo, r.value.rowBegin), rowEnd: Math.max(hi, r.value.rowEnd) };
    return { settings: next, note: `rows widened to ${next.rowBegin}…${next.rowEnd} to hold the legacy cards` };
  }
  if (model.id === 'sr-box-bank' || model.id === 'sr-box-2-bank') {
    const r = resolveSettings(settings);
    if (!r.ok) return { settings };
    const bits = r.value.bankMap.padEnd(8, '0').split('');
    let changed = false;
    for (const p of places) {
      const bank = Math.floor((p.slot - 1) / 8);
      if (bank >= 0 && bank < 8 && bits[bank] !== '1') { bits[bank] = '1'; changed = true; }
    }
    if (!changed) return { settings };
    const bankMap = bits.join('');
    return { settings: { ...settings, bankMap }, note: `bank map widened to ${bankMap} to hold the legacy cards` };
  }
  return { settings };
}

export { placeKey };

// ---------------------------------------------------------------- numbers

export type CardNumber =
  | { kind: 'number'; number: string }
  | { kind: 'none' }
  /** The legacy quirk: a blocked SIM was recorded by writing its place into `number` (§1.2). */
  | { kind: 'blocked' }
  | { kind: 'invalid'; text: string };

/** Digits of a phone number as stored (`+`, blanks, brackets and dashes removed); null if not one. */
export function phoneDigits(text: string): string | null {
  const t = text.trim();
  if (!/^\+?[\d\s()-]+$/.test(t)) return null;
  const digits = t.replace(/\D/g, '');
  return digits.length >= 3 && digits.length <= 20 ? digits : null;
}

/** Classifies a legacy `cards.number` of a card at `place` (canonical) of `model`. */
export function legacyCardNumber(model: ModelDescriptor | undefined, settings: ResolvedSettings, place: Place | undefined, rawPlace: string, text: string | null | undefined): CardNumber {
  const t = (text ?? '').trim();
  if (t === '') return { kind: 'none' };
  const digits = phoneDigits(t);
  if (digits !== null && !/-/.test(t.replace(/^\+/, ''))) return { kind: 'number', number: digits };
  if (t.toUpperCase() === rawPlace.trim().toUpperCase()) return { kind: 'blocked' };
  if (model && place) {
    const p = legacyPlace(model, settings, t);
    if (p.ok && placeKey(p.value) === placeKey(place)) return { kind: 'blocked' };
  }
  if (digits !== null) return { kind: 'number', number: digits };
  return { kind: 'invalid', text: t.slice(0, 40) };
}

// ---------------------------------------------------------------- operators

export type NumberMethod = 'ussd' | 'sms' | 'none';

export function legacyMethod(text: string | null | undefined, code: string): NumberMethod {
  const t = (text ?? '').trim().toLowerCase();
  if (t === 'ussd' || t === 'sms') return t;
  return code === '' ? 'none' : 'ussd';
}

/** `;MTS;MTS RUS;` → ['MTS', 'MTS RUS'] (upper-case, unique, bounded). */
export function legacyNetworkNames(text: string | null | undefined): string[] {
  const names = (text ?? '').split(/[;\n]/).map((s) => s.trim().toUpperCase()).filter((s) => s !== '' && s.length <= 64);
  return [...new Set(names)].slice(0, 100);
}

/** `ff0000`, `#F00`, `#ff0000` → `#ff0000`; anything else → the default grey. */
export function legacyColor(text: string | null | undefined): string {
  const t = (text ?? '').trim().replace(/^#/, '').toLowerCase();
  if (/^[0-9a-f]{6}$/.test(t)) return `#${t}`;
  if (/^[0-9a-f]{3}$/.test(t)) return `#${t.split('').map((c) => c + c).join('')}`;
  return '#808080';
}

// ---------------------------------------------------------------- disks

/**
 * `devices.folder`: the SR-Nano's inserted disk. Seen as a serialized array with an `id` (and a
 * `title`), or a bare folder id. Returns the legacy folder id, or undefined.
 */
export function legacyInsertedFolder(bytes: Uint8Array | null | undefined): { id?: number; title?: string } | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  const plain = Buffer.from(bytes).toString('latin1').trim();
  if (/^\d{1,9}$/.test(plain)) return Number(plain) > 0 ? { id: Number(plain) } : undefined;
  const r = readBlob(bytes);
  if (!r.ok) return undefined;
  if (typeof r.value === 'number' && Number.isInteger(r.value) && r.value > 0) return { id: r.value };
  if (!isPhpArray(r.value)) return undefined;
  const id = phpInt(phpGet(r.value, 'id'));
  const title = phpScalarText(phpGet(r.value, 'title'));
  const out: { id?: number; title?: string } = {};
  if (id !== undefined && id > 0) out.id = id;
  if (title) out.title = title;
  return out.id !== undefined || out.title !== undefined ? out : undefined;
}
