/**
 * SR-Organizer (device-link.md §4.1, §4.7): 2 modems (lines 1, 2), 8 cards each. Place
 * `<line>-<card>` (`2-5`). One card per line online; the card in modem m is `m-<card>`.
 */
import { defineModel } from './base.ts';
import { placeError, range, splitNumberPair } from './notation.ts';
import type { Place } from './types.ts';

const CARDS = Object.freeze(range(1, 8));
const has = (p: Place): boolean => (p.line === 1 || p.line === 2) && CARDS.includes(p.slot);
const LAYOUT = Object.freeze([1, 2].map((line) => ({ line, label: String(line), slots: CARDS })));

export const srOrganizer = defineModel({
  id: 'sr-organizer',
  title: 'SR-Organizer',
  concurrency: 'one card per line (2 modems)',
  reportsCalls: true,
  modemChannels: () => 2,
  layout: () => LAYOUT,
  parsePlace(text) {
    const m = splitNumberPair(String(text));
    if (!m) return placeError('PLACE_SYNTAX', 'sr-organizer', text);
    const p = { line: m.a, slot: m.b };
    return has(p) ? { ok: true, value: p } : placeError('PLACE_OUT_OF_RANGE', 'sr-organizer', text);
  },
  formatPlace: (p) => `${p.line}-${p.slot}`,
  channelOptions: (p) => (has(p) ? [{ channel: p.line, modem: p.line, position: p.slot }] : []),
  placeAt: (channel, card) => (has({ line: channel, slot: card }) ? { line: channel, slot: card } : null),
});
