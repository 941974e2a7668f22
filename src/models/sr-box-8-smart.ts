/**
 * SR-Box-8-Smart (device-link.md §4.1, §4.8; SMART JSON firmware): 8 modems × 8 cards. Place
 * `<letter><card>` (`B3`). One card per modem online.
 */
import { defineGridModel } from './grid.ts';
import { range } from './notation.ts';

const CARDS = range(1, 8);

export const srBox8Smart = defineGridModel({
  id: 'sr-box-8-smart',
  title: 'SR-Box-8-Smart',
  protocol: 'smart',
  concurrency: 'one card per modem A–H (8)',
  lines: () => 8,
  slots: () => CARDS,
  modemChannels: () => 8,
  option: (p) => ({ channel: p.line + 1, modem: p.line + 1, position: p.slot }),
  placeAt: (channel, card) => ({ line: channel - 1, slot: card }),
});
