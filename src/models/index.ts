/**
 * The model registry: every descriptor, looked up by id or by the title the API prints.
 * All descriptors are validated when this module loads: a broken descriptor fails at boot
 * (STYLE.md §4), never on a request.
 */
import { validateModel } from './base.ts';
import { srBoard } from './sr-board.ts';
import { srBox2Bank } from './sr-box-2-bank.ts';
import { srBox2 } from './sr-box-2.ts';
import { srBox8Smart } from './sr-box-8-smart.ts';
import { srBox8 } from './sr-box-8.ts';
import { srBoxBank } from './sr-box-bank.ts';
import { srNano1000 } from './sr-nano-1000.ts';
import { srNano500 } from './sr-nano-500.ts';
import { srOrganizerSmart } from './sr-organizer-smart.ts';
import { srOrganizer } from './sr-organizer.ts';
import { srTrain } from './sr-train.ts';
import type { ModelDescriptor } from './types.ts';

/** Every model, in the order of device-link.md §4.1. */
export const allModels: readonly ModelDescriptor[] = Object.freeze([
  srNano500, srNano1000, srTrain, srBox8, srBoxBank, srBoard, srBox2, srBox2Bank, srOrganizer, srOrganizerSmart, srBox8Smart,
]);

const byId = new Map<string, ModelDescriptor>(allModels.map((m) => [m.id, m]));

/**
 * The descriptor of a model by id (`sr-train`) or API title (`SR-Train`), case-insensitive;
 * undefined for anything else.
 */
export function getModel(id: string): ModelDescriptor | undefined {
  return typeof id === 'string' ? byId.get(id.trim().toLowerCase()) : undefined;
}

const problems = allModels.flatMap(validateModel);
if (problems.length > 0) throw new Error(`invalid model descriptors:\n${problems.join('\n')}`);

export type { AggregatorSettings, ChannelOption, LayoutLine, ModelDescriptor, Place, PlaceError, ResolvedSettings, Result, SmartType } from './types.ts';
export type { SettingsError } from './base.ts';
export type { OnlineCard, OnlinePlan, OnlineRequest, Seat } from './allocation.ts';
export { allPlaces, DEFAULT_SETTINGS, placeKey, resolveSettings, validateModel } from './base.ts';
export { apiChannels, canBeOnlineTogether, capacity, chooseOnline, planOnline } from './allocation.ts';
export { nanoPaddedPlace } from './nano.ts';
export { boardGroupLabel } from './sr-board.ts';
export { box2Modem } from './sr-box-2.ts';
export { TRAIN_BANK_OFFSET } from './sr-train.ts';
export {
  srBoard, srBox2, srBox2Bank, srBox8, srBox8Smart, srBoxBank, srNano1000, srNano500, srOrganizer, srOrganizerSmart, srTrain,
};
