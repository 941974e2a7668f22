/**
 * `test_call` (device-link.md §6.5 `do_call`): dial the task's number from the SIM, hold the call
 * for `seconds` or until the network ends it (`NO CARRIER`), hang up, report what happened.
 * Classic: `ATD<n>;` answers `OK` when the call is set up, `NO CARRIER` / `BUSY` / `ERROR` when
 * not. SMART: `call:<n>,<m>` and the firmware's `calling` / `no_carrier` alerts.
 */
import { parseSmartPayload } from '../../codec/index.ts';
import { DEFAULT_CALL_SECONDS, phoneNumber } from '../../domain/tasks/params.ts';
import { command, waitOutput } from './modem-io.ts';
import type { KindRunner } from './slot.ts';

export const testCall: KindRunner = async (env, slot) => {
  const { io } = env;
  const number = phoneNumber(env.params['number']);
  const seconds = typeof env.params['seconds'] === 'number' ? env.params['seconds'] : DEFAULT_CALL_SECONDS;
  if (!number) return { code: 'call', detail: 'no number to dial' };
  const mark = io.ch.unsolicited.mark();
  const sent = await command(io, io.driver.dial(slot.channel, number));
  if (sent === null || sent.trim() === 'NULL') return { code: 'call', detail: sent === null ? 'no answer from the device' : 'device refused' };
  const started = io.ch.unsolicited.mark();
  let ended: boolean;
  if (io.driver.family === 'smart') {
    const alert = (event: string) => (m: { text: string }) => { const p = parseSmartPayload(m.text); return p.kind === 'alert' && p.event === event && p.modem === slot.channel ? p : null; };
    const calling = await io.ch.unsolicited.waitFor({ predicate: (m) => alert('calling')(m) !== null }, { since: mark, timeoutMs: 30_000 });
    const p = calling ? alert('calling')(calling) : null;
    if (!p || p.result !== '1') return { code: 'call', detail: p ? `calling ${p.result}` : 'no call event' };
    ended = (await io.ch.unsolicited.waitFor({ predicate: (m) => alert('no_carrier')(m) !== null }, { since: started, timeoutMs: seconds * 1000 })) !== null;
  } else {
    const echo = await waitOutput(io, slot.channel, { includes: 'ATD' }, mark, 30_000);
    if (!echo) return { code: 'call', detail: 'no answer from the modem' };
    if (!/(^|\n)\s*OK\s*$/.test(echo.body)) return { code: 'call', detail: (echo.body.split(/\r?\n|\r/).map((l) => l.trim()).filter(Boolean).pop() ?? 'refused').slice(0, 40) };
    ended = (await waitOutput(io, slot.channel, { regex: /NO CARRIER|BUSY|NO ANSWER/ }, started, seconds * 1000)) !== null;
  }
  await command(io, io.driver.hangup(slot.channel), 30_000);
  return { code: 'ok', detail: ended ? `${number}: connected, ended by the network` : `${number}: connected, held ${seconds} s` };
};
