/**
 * SR-Box-2-Bank (device-link.md §4.1, §4.6): SR-Box-2 with SIM banks — rows from the bank map
 * (up to 64). One card in A–D (modem 1) and one in E–H (modem 2).
 */
import { bankRows, defineGridModel } from './grid.ts';
import { box2Modem } from './sr-box-2.ts';

export const srBox2Bank = defineGridModel({
  id: 'sr-box-2-bank',
  title: 'SR-Box-2-Bank',
  concurrency: 'one card in A–D and one in E–H (2 physical modems)',
  reportsCalls: true,
  lines: () => 8,
  slots: (s) => bankRows(s.bankMap),
  modemChannels: () => 8,
  option: (p) => ({ channel: p.line + 1, modem: box2Modem(p.line + 1), position: p.slot }),
  placeAt: (channel, row) => ({ line: channel - 1, slot: row }),
});
