/**
 * Runs queued task units on an aggregator whose session has no card wanted online (tasks and
 * online use are mutually exclusive, device-link.md §6). The session calls this from its tick with
 * the unit `TaskQueue.next` gave; everything task-specific lives in this folder.
 *
 * A unit is one SIM slot. Models with several modems run a batch: the given unit plus the next
 * units of the same task that can be seated at the same time (`planOnline`: one card per modem,
 * one carriage row on the SR-Train), seated by one chain, registered together, their ICCID and
 * provider read by one pack each; then the kind runs card by card (modem output without a modem
 * number can only be attributed one modem at a time), and answers that come by SMS are read from
 * all the batch's SIMs in rounds afterwards. Each finished unit is reported at once,
 * so progress moves per card (`TaskQueue.onProgress` → `task.progress` events).
 */
import { placeKey, planOnline, type ModelDescriptor, type Place, type ResolvedSettings } from '../../models/index.ts';
import type { DeviceStateRepo } from '../../domain/device-state/repo.ts';
import type { SmsIntake } from '../../domain/sms-intake/intake.ts';
import type { QueuedUnit, TaskQueue } from '../../domain/tasks/tasks.ts';
import type { DeviceChannel } from '../channel/channel.ts';
import type { Driver, SeatTarget } from '../drivers/driver.ts';
import { checkBalance } from './balance.ts';
import type { ModemIo } from './modem-io.ts';
import { pullSms } from './pull-sms.ts';
import { readIccid } from './read-iccid.ts';
import { scanNumber } from './scan.ts';
import { seatAndRegister } from './seat.ts';
import { sendSms } from './send-sms.ts';
import { readIdentity } from './sim-identity.ts';
import type { KindRunner, Slot, SlotEnv, SlotResult } from './slot.ts';
import { testCall } from './test-call.ts';

export interface TaskUnit { readonly taskId: number; readonly unitId: number; readonly kind: string; readonly place: string; readonly data?: Readonly<Record<string, unknown>> }

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

/** Each queue kind, what it needs read for the whole batch first, and its runner. */
const KINDS: Readonly<Record<string, { readonly identity: 'none' | 'iccid' | 'full'; readonly run: KindRunner }>> = {
  scan_numbers: { identity: 'full', run: scanNumber },
  check_balance: { identity: 'full', run: checkBalance },
  read_iccid: { identity: 'iccid', run: readIccid },
  pull_sms: { identity: 'none', run: pullSms },
  send_sms: { identity: 'none', run: sendSms },
  test_call: { identity: 'none', run: testCall },
};

/** Queue kinds the runner knows (the API refuses the others). */
export const RUNNABLE_KINDS: ReadonlySet<string> = new Set(Object.keys(KINDS));

/** How many queued units are looked at to fill a batch (a 16-modem Train needs a few rows' worth). */
const LOOKAHEAD = 96;

interface Member { readonly unit: QueuedUnit; readonly place: Place; readonly target: SeatTarget }
/** A card whose answer comes by SMS: its result so far and how to read the SIM once more. */
interface Later { readonly m: Member; readonly result: SlotResult; readonly check: () => Promise<SlotResult | null> }

/** The unit `first` and the units after it that can be seated together with it, claimed. */
async function chooseBatch(ctx: TaskUnitContext, first: QueuedUnit): Promise<Member[] | null> {
  const { model, settings, tasks } = ctx;
  const p = model.parsePlace(first.place, settings);
  if (!p.ok) return null;
  const usable = model.channelOptions(p.value, settings).filter((o) => settings.enabledChannels === null || settings.enabledChannels.has(o.channel));
  if (usable.length === 0) return null;
  const more = await tasks.pending(first.taskId, first.unitId, LOOKAHEAD);
  const units: Array<{ unit: QueuedUnit; place: Place }> = [{ unit: first, place: p.value }];
  const seen = new Set([placeKey(p.value)]);
  for (const u of more) {
    const q = model.parsePlace(u.place, settings);
    if (q.ok && !seen.has(placeKey(q.value))) { seen.add(placeKey(q.value)); units.push({ unit: u, place: q.value }); }
  }
  const plan = planOnline(model, settings, {
    online: [], candidates: units.map((x) => x.place), want: 'max',
    ...(model.sharedPosition ? { position: usable[0]!.position } : {}),
  });
  const byKey = new Map(units.map((x) => [placeKey(x.place), x]));
  const members: Member[] = [];
  for (const s of plan.seats) {
    const x = byKey.get(placeKey(s.place));
    if (x) members.push({ unit: x.unit, place: x.place, target: { channel: s.channel, modem: s.modem, position: s.position, place: model.formatPlace(s.place) } });
  }
  if (!members.some((m) => m.unit.unitId === first.unitId)) {
    const o = usable[0]!;
    return [{ unit: first, place: p.value, target: { channel: o.channel, modem: o.modem, position: o.position, place: model.formatPlace(p.value) } }];
  }
  const claimed = new Set(await tasks.claim(first.taskId, members.filter((m) => m.unit.unitId !== first.unitId).map((m) => m.unit.unitId)));
  return members.filter((m) => m.unit.unitId === first.unitId || claimed.has(m.unit.unitId));
}

export async function runTaskUnit(ctx: TaskUnitContext, u: TaskUnit): Promise<void> {
  const { tasks, model, settings, repo } = ctx;
  const first: QueuedUnit = { ...u, data: u.data ?? { place: u.place } };
  const kind = KINDS[u.kind];
  if (!kind) {
    await tasks.finishUnit(u.taskId, u.unitId, u.place, 'unsupported', `${u.kind} on ${model.title}`);
    return;
  }
  const batch = await chooseBatch(ctx, first);
  if (!batch) {
    await tasks.finishUnit(u.taskId, u.unitId, u.place, 'seat', 'no such place on this aggregator');
    return;
  }
  const io: ModemIo = { ch: ctx.ch, driver: ctx.driver, model, settings };
  const seated = await seatAndRegister(io, batch.map((m) => m.target));
  if (ctx.interrupted()) return;
  const ready: Member[] = [];
  for (const m of batch) {
    const s = seated.get(m.target.channel);
    if (s?.ok) ready.push(m);
    else await tasks.finishUnit(u.taskId, m.unit.unitId, m.target.place, s?.code ?? 'seat', s && !s.ok ? s.detail : undefined);
  }
  const identity = kind.identity === 'none' || ctx.driver.family === 'smart'
    ? new Map<number, { iccid?: string; operator?: string }>()
    : await readIdentity(io, ready.map((m) => m.target.channel), { operator: kind.identity === 'full' });
  const env: SlotEnv = { io, tasks, intake: ctx.intake, repo, params: await tasks.params(u.taskId) };
  const later: Later[] = [];
  for (const m of ready) {
    if (ctx.interrupted() || !(await tasks.active(u.taskId))) return; // suspended / cancelled / stopping: claimed units run again later
    const card = await repo.ensureCard(ctx.aggregatorId, m.target.place, placeKey(m.place));
    const stored = await ctx.tasks.cardOperator(card.id);
    const s = seated.get(m.target.channel);
    const id = identity.get(m.target.channel);
    const smart = s?.ok ? s : null;
    const iccid = id?.iccid ?? smart?.iccid;
    const operator = id?.operator ?? smart?.operator;
    const slot: Slot = {
      unit: m.unit, channel: m.target.channel, card: { id: card.id, number: card.number, operator: stored },
      ...(iccid ? { iccid } : {}), ...(operator ? { operator } : {}), ...(smart?.network ? { network: smart.network } : {}),
    };
    let r: SlotResult;
    try {
      r = await kind.run(env, slot);
    } catch (err) {
      // A store or channel failure in one card's step: reported for that card, the batch goes on.
      r = { code: 'failed', detail: err instanceof Error ? err.message.slice(0, 80) : 'failed' };
    }
    if (ctx.interrupted()) return;
    if (r.later) later.push({ m, result: r, check: r.later.check });
    else await tasks.finishUnit(u.taskId, m.unit.unitId, m.target.place, r.code, r.detail);
  }
  await awaitLater(ctx, io, u.taskId, later);
}

/** How long answers by SMS are waited for once every card of the batch was asked, ms. */
export const LATER_WAIT_MS = 120_000;
/** Between two rounds of reading the SIMs (a `+CMTI` starts the next round at once), ms. */
const LATER_ROUND_MS = 10_000;

/** Reads the SIMs still owing an answer by SMS in rounds until each has one or the wait is over. */
async function awaitLater(ctx: TaskUnitContext, io: ModemIo, taskId: number, pending: Later[]): Promise<void> {
  for (let waited = 0; pending.length > 0; waited += LATER_ROUND_MS) {
    const mark = io.ch.unsolicited.mark();
    for (const p of [...pending]) {
      if (ctx.interrupted() || !(await ctx.tasks.active(taskId))) return;
      const r = await p.check();
      if (r === null) continue;
      pending.splice(pending.indexOf(p), 1);
      await ctx.tasks.finishUnit(taskId, p.m.unit.unitId, p.m.target.place, r.code, r.detail);
    }
    if (pending.length === 0 || waited >= LATER_WAIT_MS) break;
    await io.ch.unsolicited.waitFor({ regex: /\+CMTI:/ }, { since: mark, timeoutMs: LATER_ROUND_MS });
  }
  for (const p of pending) {
    if (ctx.interrupted()) return;
    await ctx.tasks.finishUnit(taskId, p.m.unit.unitId, p.m.target.place, p.result.code, p.result.detail ? `no SMS answer; USSD said: ${p.result.detail}` : 'no SMS answer');
  }
}
