/**
 * One unit of a number scan (device-link.md §6.5 `get_number`): seat the card, wait for
 * registration, read ICCID (`AT+ICCID`) and the provider name (`AT+CSPN?`), find the operator
 * profile by that name and ask for the number by USSD (`a|b` = menu steps); when the USSD answer
 * carries no number, the number is read from the SMS the operator sends. SR-Nano family for now
 * (single modem, `modem>send:` acknowledged by `1`).
 */
import { decodePdu, parseActivation, parseSmsAnswer } from '../../codec/index.ts';
import { parseCusd } from '../../codec/at/cusd.ts';
import { parseCspn, parseIccid } from '../../codec/at/sim-info.ts';
import type { Command, ParseResult } from '../channel/types.ts';
import type { DeviceChannel } from '../channel/channel.ts';
import type { Driver } from '../drivers/driver.ts';
import type { ModelDescriptor, ResolvedSettings } from '../../models/index.ts';
import type { TaskQueue } from '../../domain/tasks/tasks.ts';
import type { SmsIntake } from '../../domain/sms-intake/intake.ts';

export interface ScanResult { readonly code: string; readonly detail?: string; readonly number?: string; readonly iccid?: string; readonly operator?: string }

const text: Command<string>['parse'] = (a) => ({ ok: true, value: a });
const NUMBER = /\+?\d[\d ()-]{8,17}\d/g;

/** The first 10–13 digit run of a text (spaces, dashes and brackets inside are ignored). */
export function numberIn(t: string): string | null {
  for (const m of t.matchAll(NUMBER)) {
    const d = m[0].replace(/\D/g, '');
    if (d.length >= 10 && d.length <= 13) return d;
  }
  return null;
}

export async function scanUnit(ctx: { ch: DeviceChannel; driver: Driver; model: ModelDescriptor; settings: ResolvedSettings; tasks: TaskQueue; intake: SmsIntake; card: () => Promise<{ id: number; number: string | null }> }, place: string): Promise<ScanResult> {
  const { ch, driver, model, settings } = ctx;
  const p = model.parsePlace(place, settings);
  const opt = p.ok ? model.channelOptions(p.value, settings)[0] : undefined;
  if (!p.ok || !opt) return { code: 'seat', detail: 'no such place' };
  const canonical = model.formatPlace(p.value);
  for (const cmd of driver.seat([{ channel: opt.channel, modem: opt.modem, position: opt.position, place: canonical }], null)) {
    const r = await ch.send({ text: cmd, timeoutMs: 180_000, parse: text }, { exclusive: false });
    if (!r.ok || r.answer.trim() === 'NULL') return { code: 'seat', detail: r.ok ? 'NULL' : r.error.code };
  }
  const act = await ch.send({ text: 'modem>activation', timeoutMs: 150_000, parse: text }, { exclusive: false });
  const a = act.ok ? parseActivation(act.answer) : null;
  if (!a?.ok || (a.value.code !== 1 && a.value.code !== 5)) return { code: 'registration', detail: a?.ok ? `stat ${a.value.code}` : 'no answer' };
  for (const cmd of driver.prepare([opt.channel])) ch.enqueue(cmd);
  const at = <T>(command: string, includes: string, parse: (s: string) => ParseResult<T>) =>
    ch.at({ text: driver.at(opt.channel, command), timeoutMs: 90_000, parse, match: { includes } }, {});
  const iccid = await at('AT+ICCID', 'AT+ICCID', (s) => parseIccid(s));
  if (!iccid.ok) return { code: 'iccid', detail: iccid.error.code };
  const spn = await at('AT+CSPN?', 'AT+CSPN?', (s) => parseCspn(s));
  if (!spn.ok || spn.value.spn === '') return { code: 'operator', detail: spn.ok ? 'empty' : spn.error.code, iccid: iccid.value };
  const operator = spn.value.spn;
  const profile = await ctx.tasks.profileFor(operator);
  if (!profile || profile.method === 'none' || profile.code === '') return { code: 'profile', detail: operator, iccid: iccid.value, operator };
  for (let attempt = 0; attempt < 2; attempt++) {
    const mark = ch.unsolicited.mark();
    let last: string | null = null;
    for (const step of profile.code.split('|').map((s) => s.trim()).filter(Boolean)) {
      const stepMark = ch.unsolicited.mark();
      const sent = await ch.send({ text: driver.at(opt.channel, `AT+CUSD=1,"${step.replace(/"/g, '')}",15`), timeoutMs: 90_000, parse: text }, { exclusive: false });
      if (!sent.ok) break;
      const reply = await ch.unsolicited.waitFor({ includes: '+CUSD:' }, { since: stepMark, timeoutMs: 60_000 });
      last = reply ? (parseCusd(reply.body)?.text ?? null) : null;
    }
    let number = last ? numberIn(last) : null;
    if (!number) {
      // Number by SMS: the operator's message lands on the SIM (+CMTI), read it with the listing.
      const cmti = await ch.unsolicited.waitFor({ regex: /\+CMTI:/ }, { since: mark, timeoutMs: 60_000 });
      if (cmti) {
        const list = await ch.send({ text: 'modem>sms:4', timeoutMs: 120_000, parse: text }, { exclusive: false });
        const ans = list.ok ? parseSmsAnswer(list.answer) : null;
        const indexes: number[] = [];
        if (ans?.kind === 'sections') {
          for (const sec of ans.sections) {
            if (sec.status !== 'ok') continue;
            for (const e of sec.entries) {
              const d = decodePdu(e.pdu, { lenient: true });
              // Committed before it is deleted, like every other SMS.
              const card = await ctx.card();
              const c = await ctx.intake.commitPart({ cardId: card.id, number: card.number, pdu: e.pdu });
              if (c.ok || c.error.code === 'NOT_A_DELIVER') indexes.push(e.index);
              if (!number && d.ok && d.value.kind === 'deliver' && d.value.text) number = numberIn(d.value.text);
            }
          }
        }
        if (indexes.length > 0) ch.enqueue(driver.deleteSms(opt.channel, indexes));
      }
    }
    if (number) {
      if (number.length === 10 && profile.prefix !== '' && !number.startsWith(profile.prefix)) number = profile.prefix + number;
      return { code: 'ok', number, iccid: iccid.value, operator };
    }
  }
  return { code: 'number', iccid: iccid.value, operator };
}
