/** `/sms` and `/calls`: the inbox and the call log — list with filters, mark read / unread, delete. */
import { deleteMessages, listCalls, listSms, markRead, type MessageFilter } from '../../domain/inventory/messages.ts';
import { noteAudit, who } from '../auth/authenticate.ts';
import { body, countAnswer, idList, page, pageQuery, query, type AdminDeps, type Router } from './route.ts';
import { callView, smsView } from './schemas.ts';

const s64 = { type: 'string', maxLength: 64 };
const id = { type: 'integer', minimum: 1, maximum: 2147483647 };
const time = { type: 'integer', minimum: 0, maximum: 1e14 };

function filterOf(q: Record<string, unknown>, peer: string): MessageFilter {
  const f: MessageFilter = {};
  if (typeof q.number === 'string' && q.number !== '') f.number = q.number;
  if (typeof q[peer] === 'string' && q[peer] !== '') f.peer = q[peer];
  if (typeof q.text === 'string' && q.text !== '') f.text = q.text;
  if (typeof q.place === 'string' && q.place !== '') f.place = q.place;
  if (typeof q.aggregatorId === 'number') f.aggregatorId = q.aggregatorId;
  if (typeof q.cardId === 'number') f.cardId = q.cardId;
  if (typeof q.read === 'boolean') f.read = q.read;
  if (typeof q.since === 'number') f.since = q.since;
  if (typeof q.until === 'number') f.until = q.until;
  return f;
}

export function messageRoutes(r: Router, deps: AdminDeps): void {
  const { ctx } = deps;
  for (const kind of ['sms', 'calls'] as const) {
    const peer = kind === 'sms' ? 'sender' : 'caller';
    const filters = {
      number: s64, [peer]: s64, ...(kind === 'sms' ? { text: { type: 'string', maxLength: 200 } } : {}), place: { type: 'string', maxLength: 16 },
      aggregatorId: id, cardId: id, read: { type: 'boolean' }, since: time, until: time,
    };
    r.add({
      method: 'GET', url: `/${kind}`, access: 'read', tags: [kind],
      summary: kind === 'sms' ? 'List SMS, newest first: filters number, sender, text, place, aggregatorId, cardId, read, since, until'
        : 'List incoming calls, newest first: filters number, caller, place, aggregatorId, cardId, read, since, until',
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { ...filters, ...pageQuery } },
        response: { 200: page(kind === 'sms' ? smsView : callView) },
      },
      async handler(req) {
        const q = query<Record<string, unknown> & { limit: number; offset: number }>(req);
        const f = filterOf(q, peer);
        return kind === 'sms' ? listSms(ctx, who(req), f, q) : listCalls(ctx, who(req), f, q);
      },
    });
    r.add({
      method: 'POST', url: `/${kind}/read`, access: 'write', tags: [kind], summary: `Mark ${kind === 'sms' ? 'SMS' : 'calls'} read (or unread with read: false)`,
      schema: {
        body: { type: 'object', required: ['ids'], additionalProperties: false, properties: { ids: { ...idList, maxItems: 10_000 }, read: { type: 'boolean', default: true } } },
        response: { 200: countAnswer },
      },
      async handler(req) {
        const b = body<{ ids: number[]; read: boolean }>(req);
        const n = await markRead(ctx, who(req), kind, b.ids, b.read);
        noteAudit(req, `${kind}.read`, undefined, { count: n, read: b.read });
        return { count: n };
      },
    });
    r.add({
      method: 'POST', url: `/${kind}/delete`, access: 'write', tags: [kind], summary: `Delete ${kind === 'sms' ? 'SMS' : 'calls'} by id`,
      schema: {
        body: { type: 'object', required: ['ids'], additionalProperties: false, properties: { ids: { ...idList, maxItems: 10_000 } } },
        response: { 200: countAnswer },
      },
      async handler(req) {
        const n = await deleteMessages(ctx, who(req), kind, body<{ ids: number[] }>(req).ids);
        noteAudit(req, `${kind}.delete`, undefined, { count: n });
        return { count: n };
      },
    });
  }
}
