/**
 * SR-Nano-1000 (device-link.md §4.1): tracks A–L of 140, 130, 120, 110, 100, 90, 80, 68, 58, 46,
 * 34, 24 cards (1000).
 */
import { defineNano } from './nano.ts';

export const srNano1000 = defineNano('sr-nano-1000', 'SR-Nano-1000', [140, 130, 120, 110, 100, 90, 80, 68, 58, 46, 34, 24]);
