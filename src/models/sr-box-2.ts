/**
 * SR-Box-2 (device-link.md §4.1, §4.6): 8 channels A–H × 8 card rows, but only 2 physical modems
 * (A–D share modem 1, E–H share modem 2). Place `<col><row>`. One card in A–D and one in E–H.
 */
import { defineGridModel } from './grid.ts';
import { range } from './notation.ts';

const ROWS = range(1, 8);

/** Physical modem of a Box-2 channel: 1 for A–D (1–4), 2 for E–H (5–8). */
export function box2Modem(channel: number): 1 | 2 {
  return channel <= 4 ? 1 : 2;
}

export const srBox2 = defineGridModel({
  id: 'sr-box-2',
  title: 'SR-Box-2',
  concurrency: 'one card in A–D and one in E–H (2 physical modems)',
  reportsCalls: true,
  lines: () => 8,
  slots: () => ROWS,
  modemChannels: () => 8,
  option: (p) => ({ channel: p.line + 1, modem: box2Modem(p.line + 1), position: p.slot }),
  placeAt: (channel, row) => ({ line: channel - 1, slot: row }),
});
