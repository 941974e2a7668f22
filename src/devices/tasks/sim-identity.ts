/**
 * The identity of the SIMs in several modems at once (device-link.md §6.5 `get_number` steps 1–2,
 * `get_iccid`): ICCID (`AT+ICCID`, `AT+CCID` as the fallback) and the provider name (`AT+CSPN?`,
 * the network name of `AT+COPS?` when the SIM has none). One pack per command on multi-modem
 * models, so a batch of 8 or 16 cards costs a few polls, not a few per card.
 */
import { parseCopsQuery } from '../../codec/at/cops.ts';
import { normaliseIccid, parseCspn, parseIccid } from '../../codec/at/sim-info.ts';
import { atOnEach, type ModemIo } from './modem-io.ts';

export interface SimIdentity { readonly iccid?: string; readonly operator?: string }

function iccidOf(output: string): string | null {
  const r = parseIccid(output);
  if (r.ok) return r.value;
  // `AT+CCID` prints the bare number on its own line.
  for (const line of output.split(/\r?\n|\r/)) {
    const n = normaliseIccid(line.trim());
    if (n.ok) return n.value;
  }
  return null;
}

/** ICCID and operator name of the SIM in each of `channels`; `want` limits what is read. */
export async function readIdentity(io: ModemIo, channels: readonly number[], want: { operator: boolean }): Promise<Map<number, SimIdentity>> {
  const out = new Map<number, { iccid?: string; operator?: string }>(channels.map((c) => [c, {}]));
  for (const [c, o] of await atOnEach(io, channels, 'AT+ICCID')) { const v = iccidOf(o); if (v) out.get(c)!.iccid = v; }
  const missing = channels.filter((c) => out.get(c)!.iccid === undefined);
  for (const [c, o] of await atOnEach(io, missing, 'AT+CCID')) { const v = iccidOf(o); if (v) out.get(c)!.iccid = v; }
  if (!want.operator) return out;
  for (const [c, o] of await atOnEach(io, channels, 'AT+CSPN?')) { const r = parseCspn(o); if (r.ok && r.value.spn.trim() !== '') out.get(c)!.operator = r.value.spn.trim(); }
  const unnamed = channels.filter((c) => out.get(c)!.operator === undefined);
  for (const [c, o] of await atOnEach(io, unnamed, 'AT+COPS?')) { const r = parseCopsQuery(o); if (r.ok && r.value.operator) out.get(c)!.operator = r.value.operator.trim(); }
  return out;
}
