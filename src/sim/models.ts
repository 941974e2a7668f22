/**
 * The aggregator models the simulator can be, described from device-link.md §4.1 as data: layout,
 * place notation, number of physical modems, firmware family. Mechanics that differ live in
 * `mechanics.ts`; everything else is shared.
 */
export type ModelId =
  | 'sr-nano-500' | 'sr-nano-1000' | 'sr-train' | 'sr-box-8' | 'sr-box-bank' | 'sr-board'
  | 'sr-box-2' | 'sr-box-2-bank' | 'sr-organizer' | 'sr-organizer-smart' | 'sr-box-8-smart';

export type MechanicsKind = 'nano' | 'train' | 'box8' | 'bank' | 'box2' | 'organizer' | 'smart';

export interface ModelSpec {
  readonly id: ModelId;
  /** Display name as the panel shows it. */
  readonly name: string;
  readonly family: 'classic' | 'smart';
  readonly mechanics: MechanicsKind;
  /** Physical modems. */
  readonly modems: number;
  /** Every valid place of a fully equipped box, in canonical notation (no leading zeros). */
  readonly places: readonly string[];
}

const LETTERS = 'ABCDEFGHIJKL';
export const NANO_500_TRACKS = [100, 90, 80, 68, 58, 46, 34, 24] as const;
export const NANO_1000_TRACKS = [140, 130, 120, 110, 100, 90, 80, 68, 58, 46, 34, 24] as const;
export const TRAIN_ROWS = 20;

function nanoPlaces(tracks: readonly number[]): string[] {
  return tracks.flatMap((n, t) => Array.from({ length: n }, (_, i) => `${LETTERS[t]}${i}`));
}
function grid(columns: number, rows: number): string[] {
  const out: string[] = [];
  for (let r = 1; r <= rows; r++) for (let c = 0; c < columns; c++) out.push(`${LETTERS[c]}${r}`);
  return out;
}
function lined(lines: number, cards: number, sep: string, letters: boolean): string[] {
  const out: string[] = [];
  for (let l = 1; l <= lines; l++) {
    for (let k = 1; k <= cards; k++) out.push(letters ? `${LETTERS[l - 1]}${k}` : `${l}${sep}${k}`);
  }
  return out;
}

export const MODELS: Readonly<Record<ModelId, ModelSpec>> = {
  'sr-nano-500': { id: 'sr-nano-500', name: 'SR-Nano-500', family: 'classic', mechanics: 'nano', modems: 1, places: nanoPlaces(NANO_500_TRACKS) },
  'sr-nano-1000': { id: 'sr-nano-1000', name: 'SR-Nano-1000', family: 'classic', mechanics: 'nano', modems: 1, places: nanoPlaces(NANO_1000_TRACKS) },
  'sr-train': { id: 'sr-train', name: 'SR-Train', family: 'classic', mechanics: 'train', modems: 16, places: lined(TRAIN_ROWS, 8, '-', false).map((p) => p.replace(/^(\d+)/, (r) => String(Number(r) - 1))) },
  'sr-box-8': { id: 'sr-box-8', name: 'SR-Box-8', family: 'classic', mechanics: 'box8', modems: 8, places: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] },
  'sr-box-bank': { id: 'sr-box-bank', name: 'SR-Box-Bank', family: 'classic', mechanics: 'bank', modems: 8, places: grid(8, 64) },
  'sr-board': { id: 'sr-board', name: 'SR-Board', family: 'classic', mechanics: 'bank', modems: 8, places: grid(8, 64) },
  'sr-box-2': { id: 'sr-box-2', name: 'SR-Box-2', family: 'classic', mechanics: 'box2', modems: 2, places: grid(8, 8) },
  'sr-box-2-bank': { id: 'sr-box-2-bank', name: 'SR-Box-2-Bank', family: 'classic', mechanics: 'box2', modems: 2, places: grid(8, 64) },
  'sr-organizer': { id: 'sr-organizer', name: 'SR-Organizer', family: 'classic', mechanics: 'organizer', modems: 2, places: lined(2, 8, '-', false) },
  // Type 55 (3 lines on 3 modems); a fleet's `smartType` 52 / 54 gives 1 modem (firmware.ts).
  'sr-organizer-smart': { id: 'sr-organizer-smart', name: 'SR-Organizer-Smart', family: 'smart', mechanics: 'smart', modems: 3, places: lined(3, 8, '', true) },
  'sr-box-8-smart': { id: 'sr-box-8-smart', name: 'SR-Box-8-Smart', family: 'smart', mechanics: 'smart', modems: 8, places: lined(8, 8, '', true) },
};

export const MODEL_IDS = Object.keys(MODELS) as ModelId[];

export function isModelId(s: unknown): s is ModelId {
  return typeof s === 'string' && Object.hasOwn(MODELS, s);
}

export function letterOf(column: number): string { return LETTERS[column - 1] ?? '?'; }
export function columnOf(letter: string): number { return LETTERS.indexOf(letter.toUpperCase()) + 1; }
