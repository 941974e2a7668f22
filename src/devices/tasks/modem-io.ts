/**
 * What task units do with the modems of seated cards, for every model through its driver
 * (device-link.md §3.3, §3.4, §6.5): the same AT command on several modems at once (`modem>pack`,
 * or one dialogue per modem on the SR-Nano), the SIM's stored SMS listed, committed through the
 * exactly-once intake and only then deleted, an SMS sent with the modem's verdict, a call placed.
 * Modem output that carries no modem number (every classic model but the SR-Box-2 family) is
 * attributed by asking one modem at a time; only pack answers name their modem.
 */
import { parsePackAnswer, parseSmsAnswer, type SmsEntry } from '../../codec/index.ts';
import { parseCmgl } from '../../codec/at/sms-replies.ts';
import type { ModelDescriptor, ResolvedSettings } from '../../models/index.ts';
import type { SmsIntake } from '../../domain/sms-intake/intake.ts';
import type { DeviceChannel } from '../channel/channel.ts';
import type { Command, UnsolicitedMessage } from '../channel/types.ts';
import type { MessageFilter } from '../channel/unsolicited.ts';
import type { Driver } from '../drivers/driver.ts';

export interface ModemIo {
  readonly ch: DeviceChannel;
  readonly driver: Driver;
  readonly model: ModelDescriptor;
  readonly settings: ResolvedSettings;
}

/** Waiting for a command's answer or a modem's output, ms. */
export const IO_TIMEOUT_MS = 90_000;

const asText: Command<string>['parse'] = (a) => ({ ok: true, value: a });
const isNull = (a: string): boolean => a.trim() === 'NULL';

/** Sends one command (not under the device lock: tasks and online sessions never overlap) and returns its first answer. */
export async function command(io: ModemIo, text: string, timeoutMs = IO_TIMEOUT_MS): Promise<string | null> {
  const r = await io.ch.send({ text, timeoutMs, parse: asText }, { exclusive: false });
  return r.ok ? r.answer : null;
}

/**
 * Waits `ms` on the device's clock (the channel's: simulated time in tests). A wait for a message
 * that cannot exist is exactly a timer on that clock.
 */
export async function pause(io: ModemIo, ms: number): Promise<void> {
  await io.ch.unsolicited.waitFor({ predicate: () => false }, { since: Number.MAX_SAFE_INTEGER, timeoutMs: ms });
}

/** Step-0 output of the modem of `channel` (prefix-filtered on the SR-Box-2 family). */
export function modemFilter(io: ModemIo, channel: number, f: MessageFilter): MessageFilter {
  const prefix = io.driver.outputPrefix(channel);
  return prefix === null ? f : { ...f, modem: prefix };
}

/**
 * The output of AT `at` on each of `channels`: one pack for all where the firmware has it, else
 * one `modem>send` dialogue per channel, matched by its echo. Channels without output are absent.
 */
export async function atOnEach(io: ModemIo, channels: readonly number[], at: string): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (channels.length === 0) return out;
  const pack = io.driver.pack(channels, at);
  if (pack !== null) {
    const answer = await command(io, pack);
    if (answer === null) return out;
    for (const sec of parsePackAnswer(answer).sections) {
      const channel = io.driver.sectionChannel(sec.modem, channels);
      if (channel !== null && channels.includes(channel) && sec.output.trim() !== '') out.set(channel, sec.output);
    }
    return out;
  }
  for (const c of channels) {
    const mark = io.ch.unsolicited.mark();
    const sent = await command(io, io.driver.at(c, at));
    if (sent === null || isNull(sent)) continue;
    const echo = at.split(/[=?]/)[0]!;
    const msg = await io.ch.unsolicited.waitFor(modemFilter(io, c, { includes: echo }), { since: mark, timeoutMs: IO_TIMEOUT_MS });
    if (msg) out.set(c, msg.body);
  }
  return out;
}

/** Waits for a step-0 message of `channel`'s modem matching `f` since `mark`. */
export function waitOutput(io: ModemIo, channel: number, f: MessageFilter, since: number, timeoutMs = IO_TIMEOUT_MS): Promise<UnsolicitedMessage | null> {
  return io.ch.unsolicited.waitFor(modemFilter(io, channel, f), { since, timeoutMs });
}

/**
 * The SMS stored on the SIM of `channel` (read or not), in PDU mode; null when the listing failed.
 * SMART firmware pushes every SMS itself and keeps none: always empty.
 */
export async function listStored(io: ModemIo, channel: number): Promise<SmsEntry[] | null> {
  const list = io.driver.smsList([channel]);
  if (!list) return [];
  const answer = await command(io, list.text, 120_000);
  if (answer === null) return null;
  const entries: SmsEntry[] = [];
  if (list.kind === 'pack') {
    for (const sec of parsePackAnswer(answer).sections) {
      if (io.driver.sectionChannel(sec.modem, [channel]) !== channel) continue;
      for (const m of parseCmgl(sec.output)) if (m.mode === 'pdu' && m.index !== null) entries.push({ index: m.index, stat: m.stat ?? 0, alpha: m.alpha, length: m.length ?? 0, pdu: m.pdu });
    }
    return entries;
  }
  const ans = parseSmsAnswer(answer);
  if (ans.kind === 'device-error') return null;
  if (ans.kind !== 'sections') return entries;
  for (const sec of ans.sections) {
    if (sec.status !== 'ok') continue;
    // The Nano lists its one modem; the SR-Box-2 family numbers its physical modems.
    const c = io.driver.kind === 'nano' ? channel : io.driver.sectionChannel(sec.modem, [channel]);
    if (c === channel) entries.push(...sec.entries);
  }
  return entries;
}

export interface PulledSms { readonly listed: number; readonly stored: number; readonly duplicates: number; readonly unreadable: number; readonly pdus: readonly string[] }

/**
 * Lists the stored SMS of `channel`, commits every part through the intake (exactly once: a part
 * read again is a duplicate) and only then deletes the committed ones from the SIM. Unreadable
 * PDUs stay on the SIM. `pdus` are the committed SMS-DELIVER PDUs (to look for a number or balance).
 */
export async function pullStored(io: ModemIo, intake: SmsIntake, channel: number, card: { id: number; number: string | null }, opts: { waitDelete?: boolean } = {}): Promise<PulledSms | null> {
  const entries = await listStored(io, channel);
  if (entries === null) return null;
  const done: number[] = [];
  const pdus: string[] = [];
  let stored = 0; let duplicates = 0; let unreadable = 0;
  for (const e of entries) {
    const r = await intake.commitPart({ cardId: card.id, number: card.number, pdu: e.pdu });
    if (r.ok) {
      if (r.kind === 'stored') stored++; else duplicates++;
      done.push(e.index);
      pdus.push(e.pdu);
    } else if (r.error.code === 'NOT_A_DELIVER') {
      done.push(e.index); // status reports and stored outgoing messages are not ours to keep
    } else {
      unreadable++;
    }
  }
  if (done.length > 0) {
    // Without `waitDelete` queued, not awaited: the device runs commands in order, so no later
    // listing can see these again, and a scan saves a round trip per card.
    const del = io.driver.deleteSms(channel, done);
    if (del !== '' && opts.waitDelete) await command(io, del);
    else if (del !== '') io.ch.enqueue(del);
  }
  return { listed: entries.length, stored, duplicates, unreadable, pdus };
}

/**
 * Sends one SMS from `channel` and waits for the modem's verdict (classic: step-0 `+CMGS` or
 * `ERROR`; SMART: the command's own answer).
 */
export async function sendOne(io: ModemIo, channel: number, to: string, text: string, verdictMs = IO_TIMEOUT_MS): Promise<{ ok: boolean; detail: string }> {
  const mark = io.ch.unsolicited.mark();
  const answer = await command(io, io.driver.sendSms(channel, to, text));
  if (answer === null) return { ok: false, detail: 'no answer from the device' };
  if (io.driver.family === 'smart') return answer.trim() === '1' ? { ok: true, detail: 'sent' } : { ok: false, detail: `device answered ${answer.slice(0, 40)}` };
  if (isNull(answer)) return { ok: false, detail: 'device refused' };
  const verdict = await waitOutput(io, channel, { regex: /\+CMGS:|(^|\n)\s*ERROR|\+CMS ERROR/ }, mark, verdictMs);
  if (!verdict) return { ok: false, detail: 'no verdict from the modem' };
  return /\+CMGS:/.test(verdict.body) ? { ok: true, detail: 'sent' } : { ok: false, detail: verdict.body.trim().slice(0, 60) };
}
