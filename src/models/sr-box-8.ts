/**
 * SR-Box-8 (device-link.md §4.1, §4.4): 8 modems, one fixed SIM each. Place = the letter `A`…`H`
 * (`A0`/`A1` are refused: there are no rows). All 8 can be online together.
 */
import { defineModel } from './base.ts';
import { letterOf, placeError, range, splitLetter } from './notation.ts';
import type { Place } from './types.ts';

const has = (p: Place): boolean => Number.isInteger(p.line) && p.line >= 0 && p.line < 8 && p.slot === 0;
const LAYOUT = Object.freeze(range(0, 7).map((line) => ({ line, label: letterOf(line), slots: Object.freeze([0]) })));

export const srBox8 = defineModel({
  id: 'sr-box-8',
  title: 'SR-Box-8',
  concurrency: 'all 8 fixed SIMs (one per modem A–H)',
  reportsCalls: true,
  modemChannels: () => 8,
  layout: () => LAYOUT,
  parsePlace(text) {
    const letter = splitLetter(String(text));
    if (letter === null || letter < 0) return placeError('PLACE_SYNTAX', 'sr-box-8', text);
    const p = { line: letter, slot: 0 };
    return has(p) ? { ok: true, value: p } : placeError('PLACE_OUT_OF_RANGE', 'sr-box-8', text);
  },
  formatPlace: (p) => letterOf(p.line),
  channelOptions: (p) => (has(p) ? [{ channel: p.line + 1, modem: p.line + 1, position: 0 }] : []),
  placeAt: (channel, position) => (position === 0 && has({ line: channel - 1, slot: 0 }) ? { line: channel - 1, slot: 0 } : null),
});
