/**
 * Runs one unit (one slot) of a queued task on an aggregator whose session has no card wanted online
 * (tasks and online use are mutually exclusive, device-link.md §6). The session calls this from its
 * tick; everything task-specific lives in this folder, keyed by the unit's kind and the driver.
 */
import { placeKey, type ModelDescriptor, type ResolvedSettings } from '../../models/index.ts';
import type { DeviceStateRepo } from '../../domain/device-state/repo.ts';
import type { SmsIntake } from '../../domain/sms-intake/intake.ts';
import type { TaskQueue } from '../../domain/tasks/tasks.ts';
import type { DeviceChannel } from '../channel/channel.ts';
import type { Driver } from '../drivers/driver.ts';
import { scanUnit } from './scan.ts';

export interface TaskUnit { readonly taskId: number; readonly unitId: number; readonly kind: string; readonly place: string }

export interface TaskUnitContext {
  readonly aggregatorId: number;
  readonly ch: DeviceChannel;
  readonly driver: Driver;
  readonly model: ModelDescriptor;
  readonly settings: ResolvedSettings;
  readonly tasks: TaskQueue;
  readonly intake: SmsIntake;
  readonly repo: DeviceStateRepo;
  /** True once the session is stopping: the unit is then left `running` and run again after a restart. */
  readonly interrupted: () => boolean;
}

export async function runTaskUnit(ctx: TaskUnitContext, u: TaskUnit): Promise<void> {
  const { tasks, model, settings, repo } = ctx;
  if (u.kind !== 'scan_numbers' || ctx.driver.kind !== 'nano') {
    await tasks.finishUnit(u.taskId, u.unitId, u.place, 'unsupported', `${u.kind} on ${model.title}`);
    return;
  }
  const p = model.parsePlace(u.place, settings);
  const card = async () => (p.ok ? repo.ensureCard(ctx.aggregatorId, model.formatPlace(p.value), placeKey(p.value)) : { id: 0, number: null });
  const r = await scanUnit({ ch: ctx.ch, driver: ctx.driver, model, settings, tasks, intake: ctx.intake, card }, u.place);
  if (ctx.interrupted()) return;
  if (p.ok && (r.iccid !== undefined || r.number !== undefined)) {
    const c = await card();
    await repo.updateCardInfo(c.id, { ...(r.number ? { number: r.number } : {}), ...(r.iccid ? { iccid: r.iccid } : {}), ...(r.operator ? { operator: r.operator } : {}) });
  }
  await tasks.finishUnit(u.taskId, u.unitId, u.place, r.code, r.detail);
}
