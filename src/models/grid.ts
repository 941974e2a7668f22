/**
 * The shape shared by the letter + number models (SR-Box-Bank, SR-Board, SR-Box-2(-Bank),
 * SR-Box-8-Smart, SR-Organizer-Smart): lettered lines, numbered slots, one channel per letter
 * unless the model says otherwise. Each model file states only what differs.
 */
import { defineModel } from './base.ts';
import { letterOf, placeError, range, splitLetterNumber } from './notation.ts';
import type { ChannelOption, LayoutLine, ModelDescriptor, Place, ResolvedSettings } from './types.ts';

export interface GridSpec {
  readonly id: string;
  readonly title: string;
  readonly protocol?: 'classic' | 'smart';
  readonly concurrency: string;
  readonly reportsCalls?: boolean;
  /** Number of lettered lines (A…). */
  lines(s: ResolvedSettings): number;
  /** Slot numbers present on every line, ascending. */
  slots(s: ResolvedSettings): readonly number[];
  /** Number of modem channels. */
  modemChannels(s: ResolvedSettings): number;
  /** The one option of a place known to be in the layout. */
  option(p: Place, s: ResolvedSettings): ChannelOption;
  /** Inverse of `option`, without the layout check (done here). */
  placeAt(channel: number, position: number, s: ResolvedSettings): Place;
}

/** Rows 1–64 present according to a bank map: bank b (rows 8b+1…8b+8) when `map[b] === '1'`. */
export function bankRows(map: string): number[] {
  const rows: number[] = [];
  for (let b = 0; b < map.length; b++) if (map[b] === '1') rows.push(...range(b * 8 + 1, b * 8 + 8));
  return rows;
}

export function defineGridModel(g: GridSpec): ModelDescriptor {
  const has = (p: Place, s: ResolvedSettings): boolean =>
    Number.isInteger(p.line) && p.line >= 0 && p.line < g.lines(s) && g.slots(s).includes(p.slot);
  return defineModel({
    id: g.id,
    title: g.title,
    protocol: g.protocol ?? 'classic',
    concurrency: g.concurrency,
    reportsCalls: g.reportsCalls ?? false,
    modemChannels: g.modemChannels,
    layout(s): LayoutLine[] {
      const slots = g.slots(s);
      return range(0, g.lines(s) - 1).map((line) => ({ line, label: letterOf(line), slots }));
    },
    parsePlace(text, s) {
      const m = splitLetterNumber(String(text));
      if (!m || m.letter < 0) return placeError('PLACE_SYNTAX', g.id, text);
      const p = { line: m.letter, slot: m.number };
      return has(p, s) ? { ok: true, value: p } : placeError('PLACE_OUT_OF_RANGE', g.id, text);
    },
    formatPlace: (p) => `${letterOf(p.line)}${p.slot}`,
    channelOptions: (p, s) => (has(p, s) ? [g.option(p, s)] : []),
    placeAt(channel, position, s) {
      if (channel < 1 || channel > g.modemChannels(s)) return null;
      const p = g.placeAt(channel, position, s);
      return has(p, s) ? p : null;
    },
  });
}
