/**
 * SR-Train (device-link.md §4.1, §4.3, §5.1): rows of 8 cards (`rowBegin`…`rowEnd`, default
 * 0…19) and a carriage with 16 modems. With the carriage at row r, modems 1–8 touch cards
 * `r-1`…`r-8` and modems 9–16 touch `(r+3)-1`…`(r+3)-8`. So a card `x-p` can be online through
 * modem p (carriage at x) or modem p+8 (carriage at x−3, when that row exists), and all online
 * cards share one carriage row. Place `<row>-<pos>` (`4-7`).
 */
import { defineModel } from './base.ts';
import { placeError, range, splitNumberPair } from './notation.ts';
import type { ChannelOption, Place, ResolvedSettings } from './types.ts';

/** Rows between the two modem banks of the carriage. */
export const TRAIN_BANK_OFFSET = 3;

const SLOTS = Object.freeze(range(1, 8));

const has = (p: Place, s: ResolvedSettings): boolean =>
  Number.isInteger(p.line) && p.line >= s.rowBegin && p.line <= s.rowEnd && SLOTS.includes(p.slot);

export const srTrain = defineModel({
  id: 'sr-train',
  title: 'SR-Train',
  concurrency: '16: row r through modems 1–8 and row r+3 through modems 9–16 (one carriage row)',
  sharedPosition: true,
  modemChannels: () => 16,
  layout: (s) => range(s.rowBegin, s.rowEnd).map((row) => ({ line: row, label: String(row), slots: SLOTS })),
  parsePlace(text, s) {
    const m = splitNumberPair(String(text));
    if (!m) return placeError('PLACE_SYNTAX', 'sr-train', text);
    const p = { line: m.a, slot: m.b };
    return has(p, s) ? { ok: true, value: p } : placeError('PLACE_OUT_OF_RANGE', 'sr-train', text);
  },
  formatPlace: (p) => `${p.line}-${p.slot}`,
  channelOptions(p, s) {
    if (!has(p, s)) return [];
    const opts: ChannelOption[] = [{ channel: p.slot, modem: p.slot, position: p.line }];
    const back = p.line - TRAIN_BANK_OFFSET;
    if (back >= s.rowBegin) opts.push({ channel: p.slot + 8, modem: p.slot + 8, position: back });
    return opts;
  },
  placeAt(channel, carriage, s) {
    if (!Number.isInteger(channel) || channel < 1 || channel > 16) return null;
    const p = channel <= 8 ? { line: carriage, slot: channel } : { line: carriage + TRAIN_BANK_OFFSET, slot: channel - 8 };
    return carriage >= s.rowBegin && has(p, s) ? p : null;
  },
});
