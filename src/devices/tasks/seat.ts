/**
 * Seats the cards of one batch of task units together and waits until each modem is registered
 * (device-link.md §4: the legacy `sim_link` of each model): one seating chain through the driver,
 * then the registration check repeated until every modem is on the network or the wait is over.
 * SR-Nano: `modem>activation` does both waits. SMART: `.modem<m>.card:<k>` and the `state`
 * objects the firmware pushes (they carry the ICCID and operator too).
 */
import { parseActivation, parsePackAnswer, parseSmartPayload } from '../../codec/index.ts';
import { parseRegistration } from '../../codec/at/creg.ts';
import type { DeviceChannel } from '../channel/channel.ts';
import type { SeatTarget } from '../drivers/driver.ts';
import { command, pause, type ModemIo } from './modem-io.ts';

/** How long a batch waits for its modems to register, ms (legacy units allow 300 s; 3G modems need ~150 s). */
export const REGISTRATION_WAIT_MS = 180_000;
/** Registration is re-checked this often while waiting, ms. */
export const REGISTRATION_POLL_MS = 10_000;

/** Per channel: registered (with what SMART told about the SIM), or the report code why not. */
export type SeatOutcome =
  | { readonly ok: true; readonly iccid?: string; readonly operator?: string; readonly network?: string }
  | { readonly ok: false; readonly code: 'seat' | 'registration' | 'denied'; readonly detail?: string };

const registered = (stat: number | null | undefined): boolean => stat === 1 || stat === 5;

/** Seats `targets` and waits for registration; every target's channel gets an outcome. */
export async function seatAndRegister(io: ModemIo, targets: readonly SeatTarget[]): Promise<Map<number, SeatOutcome>> {
  if (io.driver.family === 'smart') return seatSmart(io, targets);
  const out = new Map<number, SeatOutcome>();
  const failAll = (o: SeatOutcome): Map<number, SeatOutcome> => { for (const t of targets) out.set(t.channel, o); return out; };
  for (const cmd of io.driver.seat(targets, null)) {
    const q = io.ch.enqueue(cmd);
    if (!q.ok) return failAll({ ok: false, code: 'seat', detail: q.error.code });
    const answers = await io.ch.waitAnswers(q.step, { count: cmd.split('&&').length, timeoutMs: 240_000 }) ?? io.ch.answersOf(q.step).answers;
    if (answers.length === 0) return failAll({ ok: false, code: 'seat', detail: 'no answer' });
    if (answers.some((a) => a.trim() === 'NULL')) return failAll({ ok: false, code: 'seat', detail: 'NULL' });
  }
  const channels = targets.map((t) => t.channel);
  const reg = io.driver.registration(channels);
  if (reg.kind === 'activation') {
    const a = await command(io, reg.text, 150_000);
    const act = a === null ? null : parseActivation(a);
    const stat = act?.ok ? act.value.code : null;
    for (const c of channels) out.set(c, registered(stat) ? { ok: true } : { ok: false, code: stat === 3 ? 'denied' : 'registration', detail: act?.ok ? `stat ${stat}` : 'no answer' });
  } else {
    const stats = new Map<number, number>();
    for (let waited = 0; ; waited += REGISTRATION_POLL_MS) {
      const answer = await command(io, reg.text);
      if (answer !== null) {
        for (const sec of parsePackAnswer(answer).sections) {
          const c = io.driver.sectionChannel(sec.modem, channels);
          const r = c === null ? null : parseRegistration(sec.output);
          if (c !== null && r?.ok) stats.set(c, r.value.stat);
        }
      }
      if (channels.every((c) => registered(stats.get(c))) || waited >= REGISTRATION_WAIT_MS) break;
      await pause(io, REGISTRATION_POLL_MS);
    }
    for (const c of channels) {
      const s = stats.get(c);
      out.set(c, registered(s) ? { ok: true } : { ok: false, code: s === 3 ? 'denied' : 'registration', detail: s === undefined ? 'no answer' : `stat ${s}` });
    }
  }
  const ready = channels.filter((c) => out.get(c)?.ok);
  for (const cmd of io.driver.prepare(ready)) io.ch.enqueue(cmd);
  return out;
}

type SmartState = Extract<ReturnType<typeof parseSmartPayload>, { kind: 'state' }>;
/** The last `state` object per modem of each SMART channel (the firmware pushes one only on a change). */
const smartStates = new WeakMap<DeviceChannel, Map<number, SmartState>>();

/** Starts following a SMART channel's state objects (from what the stream still holds); idempotent. */
function lastStates(ch: DeviceChannel): Map<number, SmartState> {
  let states = smartStates.get(ch);
  if (states) return states;
  const map = new Map<number, SmartState>();
  const note = (m: { text: string }): void => { const p = parseSmartPayload(m.text); if (p.kind === 'state' && p.modem !== null) map.set(p.modem, p); };
  for (const m of ch.unsolicited.list({})) note(m);
  ch.unsolicited.subscribe({}, note);
  smartStates.set(ch, map);
  states = map;
  return states;
}

/** A fresh state after seating is waited for this long; then the last one the modem sent counts (a card already in place pushes none). */
const SMART_FRESH_STATE_MS = 30_000;

/** SMART: each card goes in with its own `.modem<m>.card:<k>`; the firmware then pushes the modem's state. */
async function seatSmart(io: ModemIo, targets: readonly SeatTarget[]): Promise<Map<number, SeatOutcome>> {
  const out = new Map<number, SeatOutcome>();
  const known = lastStates(io.ch);
  const mark = io.ch.unsolicited.mark();
  const cmds = io.driver.seat(targets, null);
  for (const [i, t] of targets.entries()) {
    const answer = await command(io, cmds[i]!, 120_000);
    if (answer === null || answer.trim() !== '1') out.set(t.channel, { ok: false, code: 'seat', detail: answer === null ? 'no answer' : answer.slice(0, 20) });
  }
  // Every modem's state is waited for at the same time (a card already in place costs one wait, not one each).
  await Promise.all(targets.filter((t) => !out.has(t.channel)).map(async (t) => {
    const fits = (p: SmartState): boolean => p.modem === t.channel && (p.card === null || Number(p.card) === t.position) && (registered(p.code) || p.code === 3);
    const state = (m: { text: string } | null): SmartState | null => {
      const p = m ? parseSmartPayload(m.text) : null;
      return p?.kind === 'state' && fits(p) ? p : null;
    };
    const fresh = (ms: number) => io.ch.unsolicited.waitFor({ predicate: (m) => state(m) !== null }, { since: mark, timeoutMs: ms });
    const last = known.get(t.channel);
    let p = state(await fresh(SMART_FRESH_STATE_MS)) ?? (last && fits(last) ? last : null);
    if (!p && !last) {
      // Nothing known about this modem (its last state is older than the stream keeps): move it to
      // another card and back, so the firmware reports a fresh state.
      const other = io.driver.seat([{ ...t, position: t.position === 1 ? 2 : 1 }], null)[0];
      if (other !== undefined) await command(io, other, 120_000);
      await command(io, cmds[targets.indexOf(t)]!, 120_000);
    }
    p ??= state(await fresh(REGISTRATION_WAIT_MS - SMART_FRESH_STATE_MS));
    if (!p) out.set(t.channel, { ok: false, code: 'registration', detail: 'no state from the device' });
    else if (p.code === 3) out.set(t.channel, { ok: false, code: 'denied', detail: 'stat 3' });
    else out.set(t.channel, { ok: true, ...(p.iccid ? { iccid: p.iccid.toUpperCase() } : {}), ...(p.operator ? { operator: p.operator } : {}), ...(p.network ? { network: p.network } : {}) });
  }));
  return out;
}
