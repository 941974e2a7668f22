/** `read_iccid` (device-link.md §6.5 `get_iccid`): the ICCID read for the batch, stored on the card. */
import type { KindRunner } from './slot.ts';

export const readIccid: KindRunner = async (env, slot) => {
  if (!slot.iccid) return { code: 'iccid' };
  await env.repo.updateCardInfo(slot.card.id, { iccid: slot.iccid });
  return { code: 'ok', detail: slot.iccid };
};
