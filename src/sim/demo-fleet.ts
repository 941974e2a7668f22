/**
 * The built-in `demo` fleet: one aggregator of each model with plausible cards across MTS, Beeline,
 * MegaFon and Tele2 (each SIM answering with its operator's CSPN name), a couple of SIMs with
 * registration trouble, deterministic by seed.
 */
import type { Fleet, FleetDevice } from './fleet.ts';
import { MODEL_IDS, MODELS, type ModelId } from './models.ts';
import type { OperatorId } from './operators.ts';

const ALL_OPERATORS: readonly OperatorId[] = ['mts', 'beeline', 'megafon', 'tele2'];

/** Cards per demo device: enough to show every mechanic without a huge inventory. */
const CARDS: Readonly<Record<ModelId, number>> = {
  'sr-nano-500': 12, 'sr-nano-1000': 12, 'sr-train': 24, 'sr-box-8': 8, 'sr-box-bank': 16, 'sr-board': 16,
  'sr-box-2': 8, 'sr-box-2-bank': 16, 'sr-organizer': 10, 'sr-organizer-smart': 6, 'sr-box-8-smart': 8,
};

export function demoFleet(seed = 2026): Fleet {
  const devices: FleetDevice[] = MODEL_IDS.map((model) => ({
    id: `demo-${model.replace(/^sr-/, '')}`,
    model,
    sims: [],
    fill: { count: Math.min(CARDS[model], MODELS[model].places.length), operators: ALL_OPERATORS },
  }));
  // A little trouble to look at: one SIM that never registers and one that is denied.
  const board = devices.find((d) => d.model === 'sr-board')!;
  const withTrouble: FleetDevice = { ...board, sims: [{ place: 'H2', operator: 'tele2', registration: 'searching' }, { place: 'G2', operator: 'beeline', registration: 'denied' }] };
  return { seed, timings: {}, devices: devices.map((d) => (d === board ? withTrouble : d)) };
}
