/** `/operators`: operator profiles CRUD (admin), and the catalogue of network names seen. */
import {
  createOperator, deleteOperator, getOperator, listNetworkNames, listOperators, updateOperator, METHODS, type OperatorInput,
} from '../../domain/operators/operators.ts';
import { noteAudit } from '../auth/authenticate.ts';
import { body, idParams, obj, params, sendFailure, type AdminDeps, type Router } from './route.ts';
import { operatorView } from './schemas.ts';

const method = { type: 'string', enum: [...METHODS] };
const fields = {
  title: { type: 'string', minLength: 1, maxLength: 64 },
  names: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 50 },
  countryPrefix: { type: 'string', maxLength: 4 },
  numberMethod: method, numberCode: { type: 'string', maxLength: 64 },
  balanceMethod: method, balanceCode: { type: 'string', maxLength: 64 },
  color: { type: 'string', maxLength: 7 },
};

export function operatorRoutes(r: Router, deps: AdminDeps): void {
  const { ctx, pools } = deps;
  r.add({
    method: 'GET', url: '/operators', access: 'read', tags: ['operators'], summary: 'List operator profiles',
    schema: { response: { 200: obj({ items: { type: 'array', items: operatorView } }) } },
    async handler() { return { items: await listOperators(ctx) }; },
  });
  r.add({
    method: 'GET', url: '/operators/:id', access: 'read', tags: ['operators'], summary: 'One operator profile',
    schema: { params: idParams, response: { 200: operatorView } },
    async handler(req, reply) {
      const res = await getOperator(ctx, params<{ id: number }>(req).id);
      return res.ok ? res.value : sendFailure(reply, res.error);
    },
  });
  r.add({
    method: 'POST', url: '/operators', access: 'admin', tags: ['operators'], summary: 'Create an operator profile',
    schema: { body: { type: 'object', required: ['title'], additionalProperties: false, properties: fields }, response: { 201: operatorView } },
    async handler(req, reply) {
      const res = await createOperator(ctx, body<OperatorInput & { title: string }>(req));
      if (!res.ok) return sendFailure(reply, res.error);
      pools.invalidate();
      noteAudit(req, 'operator.create', res.value.id, { title: res.value.title });
      return reply.code(201).send(res.value);
    },
  });
  r.add({
    method: 'PATCH', url: '/operators/:id', access: 'admin', tags: ['operators'], summary: 'Edit an operator profile',
    schema: { params: idParams, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: fields }, response: { 200: operatorView } },
    async handler(req, reply) {
      const id = params<{ id: number }>(req).id;
      const b = body<OperatorInput>(req);
      const res = await updateOperator(ctx, id, b);
      if (!res.ok) return sendFailure(reply, res.error);
      pools.invalidate();
      noteAudit(req, 'operator.update', id, { fields: Object.keys(b) });
      return res.value;
    },
  });
  r.add({
    method: 'DELETE', url: '/operators/:id', access: 'admin', tags: ['operators'], summary: 'Delete an operator profile',
    schema: { params: idParams, response: { 200: operatorView } },
    async handler(req, reply) {
      const id = params<{ id: number }>(req).id;
      const res = await deleteOperator(ctx, id);
      if (!res.ok) return sendFailure(reply, res.error);
      pools.invalidate();
      noteAudit(req, 'operator.delete', id, { title: res.value.title });
      return res.value;
    },
  });
  r.add({
    method: 'GET', url: '/network-names', access: 'read', tags: ['operators'], summary: 'Network names seen while scanning SIMs',
    schema: { response: { 200: obj({ items: { type: 'array', items: { type: 'string' } } }) } },
    async handler() { return { items: await listNetworkNames(ctx) }; },
  });
}
