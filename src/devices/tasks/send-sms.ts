/**
 * `send_sms` with SIM rotation (device-link.md §6.5 `send_sms`, its intent rather than its bug):
 * each unit (SIM) sends the task's text to its own share of the recipients — `perSim` of them,
 * fixed when the task was created (src/domain/tasks/params.ts `unitsFor`) — one at a time,
 * each with the modem's verdict. Every recipient the modem accepted is recorded in the unit at
 * once, so a unit run again after a restart sends only to the others.
 */
import { phoneNumber } from '../../domain/tasks/params.ts';
import { sendOne } from './modem-io.ts';
import type { KindRunner } from './slot.ts';

export const sendSms: KindRunner = async (env, slot) => {
  const text = typeof env.params['text'] === 'string' ? env.params['text'] : '';
  const raw = Array.isArray(slot.unit.data['recipients']) ? slot.unit.data['recipients'] as unknown[] : [];
  const recipients = raw.map(phoneNumber).filter((n): n is string => n !== null);
  if (text === '' || recipients.length === 0) return { code: 'send', detail: 'nothing to send' };
  const done = new Set(Array.isArray(slot.unit.data['sent']) ? (slot.unit.data['sent'] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
  const failed: string[] = [];
  for (const to of recipients) {
    if (done.has(to)) continue;
    const v = await sendOne(env.io, slot.channel, to, text);
    if (!v.ok) { failed.push(`${to}: ${v.detail}`); continue; }
    done.add(to);
    await env.tasks.saveUnitData(slot.unit.unitId, { ...slot.unit.data, sent: [...done] });
  }
  const sent = recipients.length - failed.length;
  return failed.length === 0
    ? { code: 'ok', detail: `${sent} sent` }
    : { code: 'send', detail: `${sent}/${recipients.length} sent; ${failed.slice(0, 3).join('; ')}`.slice(0, 200) };
};
