/**
 * SR-Box-Bank (device-link.md §4.1, §4.5): 8 modems, columns A–H, card rows from the SIM-bank map
 * (8 rows per fitted bank, up to 64). Place `<col><row>` (`C12`). One card per column online.
 */
import { bankRows, defineGridModel } from './grid.ts';

export const srBoxBank = defineGridModel({
  id: 'sr-box-bank',
  title: 'SR-Box-Bank',
  concurrency: 'one card per column A–H (8)',
  reportsCalls: true,
  lines: () => 8,
  slots: (s) => bankRows(s.bankMap),
  modemChannels: () => 8,
  option: (p) => ({ channel: p.line + 1, modem: p.line + 1, position: p.slot }),
  placeAt: (channel, row) => ({ line: channel - 1, slot: row }),
});
