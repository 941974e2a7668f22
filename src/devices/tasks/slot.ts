/**
 * What every task kind gets for one seated, registered card, and what it gives back. A kind is a
 * function of ./kinds.ts's table; ./run-unit.ts seats a batch and calls it once per card.
 */
import type { DeviceStateRepo } from '../../domain/device-state/repo.ts';
import type { SmsIntake } from '../../domain/sms-intake/intake.ts';
import type { QueuedUnit, TaskQueue } from '../../domain/tasks/tasks.ts';
import type { ModemIo } from './modem-io.ts';

export interface SlotEnv {
  readonly io: ModemIo;
  readonly tasks: TaskQueue;
  readonly intake: SmsIntake;
  readonly repo: DeviceStateRepo;
  /** The task's parameters (checked when the task was created, src/domain/tasks/params.ts). */
  readonly params: Readonly<Record<string, unknown>>;
}

export interface Slot {
  readonly unit: QueuedUnit;
  readonly channel: number;
  readonly card: { readonly id: number; readonly number: string | null; readonly operator: string | null };
  /** What is known about the SIM already (SMART state objects; the batch's ICCID / CSPN pack). */
  readonly iccid?: string;
  readonly operator?: string;
  /** SMART: the network name of the state object (a second name to find the operator rule by). */
  readonly network?: string;
}

/**
 * A report code of src/domain/tasks/tasks.ts REPORT_CODES and a short detail. `later`: the answer
 * comes by SMS — the runner calls `check` in rounds (after every card of the batch was asked) until
 * it gives a result, and reports the result itself when the wait is over.
 */
export interface SlotResult {
  readonly code: string;
  readonly detail?: string;
  readonly later?: { readonly check: () => Promise<SlotResult | null> };
}

export type KindRunner = (env: SlotEnv, slot: Slot) => Promise<SlotResult>;
