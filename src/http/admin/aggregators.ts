/** `/aggregators`: list with last heard / online, create (link URL and token shown once), edit, delete, new link token. */
import type { FastifyRequest } from 'fastify';
import {
  createAggregator, deleteAggregator, getAggregator, linkUrl, listAggregators, rotateLinkToken, updateAggregator,
  type AggregatorInput,
} from '../../domain/aggregators/aggregators.ts';
import { noteAudit } from '../auth/authenticate.ts';
import { body, idParams, obj, params, sendFailure, type AdminDeps, type Router } from './route.ts';
import { aggregatorView, settingsSchema } from './schemas.ts';

const editable = {
  title: { type: 'string', minLength: 1, maxLength: 100 },
  settings: settingsSchema,
  linkMode: { type: 'string', enum: ['client', 'server'] },
  serverIp: { type: ['string', 'null'], maxLength: 260 },
  serverToken: { type: ['string', 'null'], maxLength: 5 },
  enabled: { type: 'boolean' },
};

const created = obj({ aggregator: aggregatorView, token: { type: 'string' }, linkUrl: { type: 'string' } });

export function aggregatorRoutes(r: Router, deps: AdminDeps): void {
  const { ctx, pools } = deps;
  const base = (req: FastifyRequest) => deps.publicUrl ?? `${req.protocol}://${req.host}`;

  r.add({
    method: 'GET', url: '/aggregators', access: 'read', tags: ['aggregators'], summary: 'List aggregators with last heard and online state',
    schema: { response: { 200: obj({ items: { type: 'array', items: aggregatorView } }) } },
    async handler() { return { items: await listAggregators(ctx) }; },
  });

  r.add({
    method: 'POST', url: '/aggregators', access: 'admin', tags: ['aggregators'],
    summary: 'Add an aggregator; answers its link URL and token once (legacyToken keeps a migrated box’s 10-digit token)',
    schema: {
      body: {
        type: 'object', required: ['model', 'title'], additionalProperties: false,
        properties: { ...editable, model: { type: 'string', minLength: 1, maxLength: 40 }, legacyToken: { type: 'string', pattern: '^[1-9][0-9]{9}$' } },
      },
      response: { 201: created },
    },
    async handler(req, reply) {
      const res = await createAggregator(ctx, body<AggregatorInput & { model: string; title: string; legacyToken?: string }>(req));
      if (!res.ok) return sendFailure(reply, res.error);
      pools.invalidate();
      noteAudit(req, 'aggregator.create', res.value.aggregator.id, { model: res.value.aggregator.model, title: res.value.aggregator.title });
      return reply.code(201).send({ ...res.value, linkUrl: linkUrl(base(req), res.value.token) });
    },
  });

  r.add({
    method: 'GET', url: '/aggregators/:id', access: 'read', tags: ['aggregators'], summary: 'One aggregator',
    schema: { params: idParams, response: { 200: aggregatorView } },
    async handler(req, reply) {
      const res = await getAggregator(ctx, params<{ id: number }>(req).id);
      return res.ok ? res.value : sendFailure(reply, res.error);
    },
  });

  r.add({
    method: 'PATCH', url: '/aggregators/:id', access: 'admin', tags: ['aggregators'], summary: 'Edit title, settings, link mode or enabled',
    schema: {
      params: idParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { ...editable, model: { type: 'string', minLength: 1, maxLength: 40 } } },
      response: { 200: aggregatorView },
    },
    async handler(req, reply) {
      const id = params<{ id: number }>(req).id;
      const patch = body<AggregatorInput>(req);
      const res = await updateAggregator(ctx, id, patch);
      if (!res.ok) return sendFailure(reply, res.error);
      pools.invalidate();
      noteAudit(req, 'aggregator.update', id, { fields: Object.keys(patch) });
      return res.value;
    },
  });

  r.add({
    method: 'DELETE', url: '/aggregators/:id', access: 'admin', tags: ['aggregators'], summary: 'Delete an aggregator and its cards',
    schema: { params: idParams, response: { 200: aggregatorView } },
    async handler(req, reply) {
      const id = params<{ id: number }>(req).id;
      const res = await deleteAggregator(ctx, id);
      if (!res.ok) return sendFailure(reply, res.error);
      pools.invalidate();
      noteAudit(req, 'aggregator.delete', id, { title: res.value.title, cards: res.value.cards });
      return res.value;
    },
  });

  r.add({
    method: 'POST', url: '/aggregators/:id/link-token', access: 'admin', tags: ['aggregators'],
    summary: 'Replace the link token; answers the new link URL and token once (the old one stops working)',
    schema: { params: idParams, response: { 200: created } },
    async handler(req, reply) {
      const id = params<{ id: number }>(req).id;
      const res = await rotateLinkToken(ctx, id);
      if (!res.ok) return sendFailure(reply, res.error);
      noteAudit(req, 'aggregator.rotate-token', id);
      return { ...res.value, linkUrl: linkUrl(base(req), res.value.token) };
    },
  });
}
