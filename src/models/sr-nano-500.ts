/** SR-Nano-500 (device-link.md §4.1): tracks A–H of 100, 90, 80, 68, 58, 46, 34, 24 cards (500). */
import { defineNano } from './nano.ts';

export const srNano500 = defineNano('sr-nano-500', 'SR-Nano-500', [100, 90, 80, 68, 58, 46, 34, 24]);
