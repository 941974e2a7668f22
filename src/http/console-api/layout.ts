/**
 * `GET /aggregators/:id/layout`: the slots of one aggregator as the hardware is laid out (Nano
 * tracks, Train rows, bank columns × rows, Organizer lines), from the model descriptor
 * (src/models), with each slot's card and its online state for the console's slot map.
 */
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { modelOf } from '../../domain/aggregators/aggregators.ts';
import type { ConsoleRoute } from './route.ts';
import { sendError } from '../errors.ts';
import { who } from '../auth/authenticate.ts';

export interface LayoutCard { id: number; number: string | null; operatorColor: string | null; blocked: boolean; online: boolean; statusCode: number | null; channel: number | null }
export interface LayoutView {
  aggregatorId: number; model: string; kind: 'carousel' | 'rows' | 'grid' | 'lines';
  channels: number; lines: Array<{ label: string; slots: Array<{ place: string; card: LayoutCard | null }> }>;
}

function kindOf(modelId: string): LayoutView['kind'] {
  if (modelId.startsWith('sr-nano')) return 'carousel';
  if (modelId === 'sr-train') return 'rows';
  if (modelId.startsWith('sr-organizer')) return 'lines';
  return 'grid';
}

/** `poolScope` (a pool-scoped user) limits the cards shown to those of these pools; other slots look empty. */
export async function aggregatorLayout(ctx: AdminCtx, id: number, poolScope: readonly number[] | null = null): Promise<LayoutView | null> {
  const a = await ctx.db.selectFrom('aggregators').select(['id', 'model', 'settings']).where('id', '=', id).executeTakeFirst();
  if (!a) return null;
  const m = modelOf(a);
  if (!m) return { aggregatorId: id, model: a.model, kind: 'grid', channels: 0, lines: [] };
  let cq = ctx.db.selectFrom('cards')
    .leftJoin('card_online', 'card_online.card_id', 'cards.id')
    .select(['cards.id', 'cards.place', 'cards.number', 'cards.operator', 'cards.blocked', 'card_online.desired', 'card_online.status_code', 'card_online.channel'])
    .where('cards.aggregator_id', '=', id);
  if (poolScope !== null) {
    const pools = poolScope.length ? [...poolScope] : [0];
    cq = cq.where('cards.id', 'in', (eb) => eb.selectFrom('pool_cards').select('card_id').where('pool_id', 'in', pools));
  }
  const cards = await cq.execute();
  const ops = await ctx.db.selectFrom('operators').select(['names', 'color']).execute();
  const colorOf = (name: string | null): string | null => {
    if (!name) return null;
    const up = name.toUpperCase();
    for (const o of ops) {
      try { if ((JSON.parse(o.names) as unknown[]).some((n) => typeof n === 'string' && n.toUpperCase() === up)) return o.color; } catch { /* bad row: no colour */ }
    }
    return null;
  };
  const byPlace = new Map(cards.map((c) => [c.place, c]));
  const lines = m.model.layout(m.settings).map((l) => ({
    label: l.label,
    slots: l.slots.map((slot) => {
      const place = m.model.formatPlace({ line: l.line, slot });
      const c = byPlace.get(place);
      return {
        place,
        card: c ? {
          id: c.id, number: c.number, operatorColor: colorOf(c.operator), blocked: c.blocked === 1, online: c.desired === 'online',
          statusCode: c.status_code ?? null, channel: c.channel ?? null,
        } : null,
      };
    }),
  }));
  return { aggregatorId: id, model: m.model.title, kind: kindOf(m.model.id), channels: m.model.modemChannels(m.settings), lines };
}

export const layoutRoute = (ctx: AdminCtx): ConsoleRoute => ({
  method: 'GET', url: '/aggregators/:id/layout', access: 'read',
  schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } } } },
  async handler(req, reply) {
    const v = await aggregatorLayout(ctx, (req.params as { id: number }).id, who(req).poolScope);
    return v ?? sendError(reply, 'SIMNAV_ERR_NOT_FOUND', 'No such aggregator');
  },
});
