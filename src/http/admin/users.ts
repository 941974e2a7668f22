/** `/users`, `/tokens`, `/audit`: people, API tokens and the audit trail (admin only). */
import { createUser, deleteUser, getUser, listUsers, updateUser, type NewUserInput, type UserPatch } from '../../domain/users/users.ts';
import { createApiToken, listApiTokens, revokeApiToken } from '../../domain/auth/api-tokens.ts';
import { listAudit } from '../../domain/audit/audit.ts';
import type { Role } from '../../domain/auth/principal.ts';
import { noteAudit } from '../auth/authenticate.ts';
import { body, idParams, obj, page, pageQuery, params, query, sendFailure, type AdminDeps, type Router } from './route.ts';
import { auditView, roleEnum, tokenView, userView } from './schemas.ts';

const scope = { type: ['array', 'null'], items: { type: 'integer', minimum: 1, maximum: 2147483647 }, maxItems: 1000 };
const password = { type: 'string', minLength: 1, maxLength: 1024 };

export function userRoutes(r: Router, deps: AdminDeps): void {
  const { ctx } = deps;
  r.add({
    method: 'GET', url: '/users', access: 'admin', tags: ['users'], summary: 'List users',
    schema: { response: { 200: obj({ items: { type: 'array', items: userView } }) } },
    async handler() { return { items: await listUsers(ctx) }; },
  });
  r.add({
    method: 'GET', url: '/users/:id', access: 'admin', tags: ['users'], summary: 'One user',
    schema: { params: idParams, response: { 200: userView } },
    async handler(req, reply) {
      const res = await getUser(ctx, params<{ id: number }>(req).id);
      return res.ok ? res.value : sendFailure(reply, res.error);
    },
  });
  r.add({
    method: 'POST', url: '/users', access: 'admin', tags: ['users'],
    summary: 'Create a user; without a password a random one is generated and answered once',
    schema: {
      body: {
        type: 'object', required: ['login', 'role'], additionalProperties: false,
        properties: { login: { type: 'string', minLength: 1, maxLength: 64 }, role: roleEnum, password, poolScope: scope, lang: { type: 'string', enum: ['ru', 'en'] } },
      },
      response: { 201: obj({ user: userView, password: { type: ['string', 'null'] } }) },
    },
    async handler(req, reply) {
      const res = await createUser(ctx, body<NewUserInput>(req));
      if (!res.ok) return sendFailure(reply, res.error);
      noteAudit(req, 'user.create', res.value.user.id, { login: res.value.user.login, role: res.value.user.role });
      return reply.code(201).send(res.value);
    },
  });
  r.add({
    method: 'PATCH', url: '/users/:id', access: 'admin', tags: ['users'],
    summary: 'Change role, password, pool scope, language or disable; ends the user’s sessions when access changes',
    schema: {
      params: idParams,
      body: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: { role: roleEnum, password, poolScope: scope, disabled: { type: 'boolean' }, lang: { type: 'string', enum: ['ru', 'en'] } },
      },
      response: { 200: userView },
    },
    async handler(req, reply) {
      const id = params<{ id: number }>(req).id;
      const b = body<UserPatch>(req);
      const res = await updateUser(ctx, id, b);
      if (!res.ok) return sendFailure(reply, res.error);
      noteAudit(req, 'user.update', id, { fields: Object.keys(b), ...(b.role ? { role: b.role } : {}) });
      return res.value;
    },
  });
  r.add({
    method: 'DELETE', url: '/users/:id', access: 'admin', tags: ['users'], summary: 'Delete a user (never the last admin)',
    schema: { params: idParams, response: { 200: userView } },
    async handler(req, reply) {
      const id = params<{ id: number }>(req).id;
      const res = await deleteUser(ctx, id);
      if (!res.ok) return sendFailure(reply, res.error);
      noteAudit(req, 'user.delete', id, { login: res.value.login });
      return res.value;
    },
  });

  r.add({
    method: 'GET', url: '/tokens', access: 'admin', tags: ['tokens'], summary: 'List API tokens (never the secrets)',
    schema: { response: { 200: obj({ items: { type: 'array', items: tokenView } }) } },
    async handler() { return { items: await listApiTokens(ctx) }; },
  });
  r.add({
    method: 'POST', url: '/tokens', access: 'admin', tags: ['tokens'], summary: 'Create an API token; the token is answered once',
    schema: {
      body: {
        type: 'object', required: ['name', 'role'], additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 64 }, role: roleEnum,
          userId: { type: ['integer', 'null'], minimum: 1, maximum: 2147483647 }, expiresAt: { type: ['integer', 'null'], minimum: 0, maximum: 1e14 },
        },
      },
      response: { 201: obj({ token: { type: 'string' }, info: tokenView }) },
    },
    async handler(req, reply) {
      const b = body<{ name: string; role: Role; userId?: number | null; expiresAt?: number | null }>(req);
      const res = await createApiToken(ctx, b);
      if (!res.ok) return sendFailure(reply, res.error);
      noteAudit(req, 'token.create', res.value.info.id, { name: b.name, role: b.role });
      return reply.code(201).send(res.value);
    },
  });
  r.add({
    method: 'DELETE', url: '/tokens/:id', access: 'admin', tags: ['tokens'], summary: 'Revoke an API token',
    schema: { params: idParams, response: { 200: tokenView } },
    async handler(req, reply) {
      const id = params<{ id: number }>(req).id;
      const res = await revokeApiToken(ctx, id);
      if (!res.ok) return sendFailure(reply, res.error);
      noteAudit(req, 'token.revoke', id);
      return res.value;
    },
  });

  r.add({
    method: 'GET', url: '/audit', access: 'admin', tags: ['audit'], summary: 'The audit log, newest first: filters actor, action, since, until',
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          actor: { type: 'string', maxLength: 64 }, action: { type: 'string', maxLength: 100 },
          since: { type: 'integer', minimum: 0, maximum: 1e14 }, until: { type: 'integer', minimum: 0, maximum: 1e14 }, ...pageQuery,
        },
      },
      response: { 200: page(auditView) },
    },
    async handler(req) {
      return listAudit(ctx, query<{ actor?: string; action?: string; since?: number; until?: number; limit: number; offset: number }>(req));
    },
  });
}
