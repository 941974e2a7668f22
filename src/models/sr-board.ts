/**
 * SR-Board (device-link.md §4.1, §4.5): 8 modems A–H × 64 cards each (4 groups of 16; the map is
 * forced to `11111111`). Place `A1`…`H64`. One card per modem online.
 */
import { defineGridModel } from './grid.ts';
import { range } from './notation.ts';

const ROWS = range(1, 64);

export const srBoard = defineGridModel({
  id: 'sr-board',
  title: 'SR-Board',
  concurrency: 'one card per modem A–H (8)',
  reportsCalls: true,
  lines: () => 8,
  slots: () => ROWS,
  modemChannels: () => 8,
  option: (p) => ({ channel: p.line + 1, modem: p.line + 1, position: p.slot }),
  placeAt: (channel, row) => ({ line: channel - 1, slot: row }),
});

/** The Board's UI label of a row: group 1–4 and position 1–16 (`B18` → `2-02`). */
export function boardGroupLabel(row: number): string {
  const g = Math.floor((row - 1) / 16) + 1;
  const p = ((row - 1) % 16) + 1;
  return `${g}-${String(p).padStart(2, '0')}`;
}
