/**
 * The SR-Nano family (device-link.md §4.1, §4.2): a rotating disk of lettered tracks, one modem,
 * one card online. Place = track letter + 0-based index; the device and legacy tasks also use
 * zero-padded forms (`A05` on the 500, `A005` on the 1000), all accepted here; canonical has no
 * leading zeros (`A5`).
 */
import { defineModel } from './base.ts';
import { letterOf, placeError, splitLetterNumber } from './notation.ts';
import type { ModelDescriptor, Place } from './types.ts';

export function defineNano(id: string, title: string, capacities: readonly number[]): ModelDescriptor {
  /** Ordinal of the first card of each track (the disk position of `<track>0`). */
  const starts: number[] = [];
  let total = 0;
  for (const c of capacities) { starts.push(total); total += c; }
  const has = (p: Place): boolean =>
    Number.isInteger(p.line) && Number.isInteger(p.slot) && p.slot >= 0 && p.slot < (capacities[p.line] ?? 0);
  const layout = Object.freeze(capacities.map((c, line) => ({
    line, label: letterOf(line), slots: Object.freeze(Array.from({ length: c }, (_, i) => i)),
  })));
  return defineModel({
    id,
    title,
    concurrency: 'one card at a time (1 modem)',
    reportsCalls: true,
    sharedPosition: true,
    modemChannels: () => 1,
    layout: () => layout,
    parsePlace(text) {
      const m = splitLetterNumber(String(text));
      if (!m || m.letter < 0) return placeError('PLACE_SYNTAX', id, text);
      const p = { line: m.letter, slot: m.number };
      return has(p) ? { ok: true, value: p } : placeError('PLACE_OUT_OF_RANGE', id, text);
    },
    formatPlace: (p) => `${letterOf(p.line)}${p.slot}`,
    channelOptions: (p) => (has(p) ? [{ channel: 1, modem: 1, position: (starts[p.line] ?? 0) + p.slot }] : []),
    placeAt(channel, position) {
      if (channel !== 1 || !Number.isInteger(position) || position < 0 || position >= total) return null;
      let line = 0;
      while (line + 1 < starts.length && (starts[line + 1] ?? Infinity) <= position) line++;
      return { line, slot: position - (starts[line] ?? 0) };
    },
  });
}

/**
 * The padded form legacy tasks send to the device (`card:A05` on the 500, `card:A005` on the
 * 1000): `digits` = 2 or 3. The device accepts the canonical form too.
 */
export function nanoPaddedPlace(p: Place, digits: 2 | 3): string {
  return `${letterOf(p.line)}${String(p.slot).padStart(digits, '0')}`;
}
