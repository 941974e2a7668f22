/**
 * `GET /sms/:id/parts`: the raw PDUs of one message, for debugging (issue #6 item 6) — each part
 * as received, with its concatenation position. Pool-scoped users see only messages of cards in
 * their pools.
 */
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { who } from '../auth/authenticate.ts';
import { sendError } from '../errors.ts';
import type { ConsoleRoute } from './route.ts';

export interface SmsPartView { seq: number; total: number; ref: number; pdu: string; smsc: string | null; receivedAt: number }

export const smsPartsRoute = (ctx: AdminCtx): ConsoleRoute => ({
  method: 'GET', url: '/sms/:id/parts', access: 'read',
  schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } } } },
  async handler(req, reply) {
    const id = (req.params as { id: number }).id;
    const p = who(req);
    const sms = await ctx.db.selectFrom('sms').select(['id', 'card_id']).where('id', '=', id).executeTakeFirst();
    let visible = sms !== undefined;
    if (sms && p.poolScope !== null) {
      visible = p.poolScope.length > 0 && (await ctx.db.selectFrom('pool_cards').select('card_id')
        .where('card_id', '=', sms.card_id).where('pool_id', 'in', [...p.poolScope]).limit(1).executeTakeFirst()) !== undefined;
    }
    if (!visible) return sendError(reply, 'SIMNAV_ERR_NOT_FOUND', 'No such SMS');
    const rows = await ctx.db.selectFrom('sms_parts').select(['seq', 'total', 'ref', 'pdu', 'smsc', 'received_at'])
      .where('sms_id', '=', id).orderBy('seq').limit(255).execute();
    const items: SmsPartView[] = rows.map((r) => ({ seq: r.seq, total: r.total, ref: r.ref, pdu: r.pdu, smsc: r.smsc, receivedAt: r.received_at }));
    return { items };
  },
});
