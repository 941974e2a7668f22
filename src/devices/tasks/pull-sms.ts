/**
 * `pull_sms` (device-link.md §6.5 `get_sms`): every SMS stored on the SIM is committed through
 * the exactly-once intake and only then deleted from the SIM (a message read twice is stored
 * once). SMART firmware keeps no SMS on the SIM: it pushes each one as it arrives.
 */
import { pullStored } from './modem-io.ts';
import type { KindRunner } from './slot.ts';

export const pullSms: KindRunner = async (env, slot) => {
  if (env.io.driver.family === 'smart') return { code: 'ok', detail: 'the device delivers SMS as they arrive; none stored' };
  const r = await pullStored(env.io, env.intake, slot.channel, slot.card, { waitDelete: true }); // done = the SIM is empty
  if (!r) return { code: 'read' };
  const detail = `${r.listed} stored, ${r.stored} new, ${r.duplicates} already known${r.unreadable ? `, ${r.unreadable} unreadable left on the SIM` : ''}`;
  return { code: r.unreadable ? 'read' : 'ok', detail };
};
