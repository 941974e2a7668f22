/**
 * SR-Organizer-Smart (device-link.md §4.1, §4.8; SMART JSON firmware), by hardware type:
 * 52 = lines A–B (16 cards) on 1 modem, 54 = lines A–C (24) on 1 modem, 55 = lines A–C on 3
 * modems (modem n = line n). Place `A1`…`C8`. One card per modem online.
 *
 * On 1-modem types the card number sent to the device runs 1–24 across lines (`B3` = card 11);
 * the legacy code sent 3 (device-link.md §10.4) — fixed here.
 */
import { defineGridModel } from './grid.ts';
import { range } from './notation.ts';

const CARDS = range(1, 8);

export const srOrganizerSmart = defineGridModel({
  id: 'sr-organizer-smart',
  title: 'SR-Organizer-Smart',
  protocol: 'smart',
  concurrency: 'one card per modem: 1 (types 52, 54) or 3, one per line (type 55)',
  reportsCalls: true,
  lines: (s) => (s.smartType === 52 ? 2 : 3),
  slots: () => CARDS,
  modemChannels: (s) => (s.smartType === 55 ? 3 : 1),
  option: (p, s) =>
    s.smartType === 55
      ? { channel: p.line + 1, modem: p.line + 1, position: p.slot }
      : { channel: 1, modem: 1, position: p.line * 8 + p.slot },
  placeAt: (channel, card, s) =>
    s.smartType === 55
      ? { line: channel - 1, slot: card }
      : { line: Math.floor((card - 1) / 8), slot: ((card - 1) % 8) + 1 },
});
