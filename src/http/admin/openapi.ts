/**
 * The OpenAPI 3.1 document of `/api/v1`, generated from the route declarations (./route.ts) and
 * the error catalogue (../errors.ts): paths, parameters, bodies and answers come from the same
 * schemas fastify validates and serialises with. The admin API's own declarations are joined by the
 * routes other plugins serve under `/api/v1` (console API, tasks, device actions, events), as
 * ./api-routes.ts records them. test/admin/openapi.test.ts checks that every registered route and
 * every error code is in it.
 */
import { ERRORS, ERROR_CODES, errorSchema } from '../errors.ts';
import type { JsonSchema, RouteDef } from './route.ts';

/** What the document needs of a route. */
export type DocRoute = Pick<RouteDef, 'method' | 'url' | 'access' | 'summary' | 'tags' | 'schema' | 'bodyTypes' | 'produces'>;

function pathOf(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function operationId(def: DocRoute): string {
  const words = def.url.split(/[/.:-]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1));
  return def.method.toLowerCase() + words.join('');
}

function parameters(def: DocRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', def.schema?.params], ['query', def.schema?.querystring]] as const) {
    const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema?.required ?? []) as string[]);
    for (const [name, s] of Object.entries(props)) out.push({ name, in: where, required: where === 'path' || required.has(name), schema: s });
  }
  return out;
}

const errorRef = { $ref: '#/components/schemas/Error' };

function errorStatuses(def: DocRoute): number[] {
  const s = new Set<number>([400, 500]);
  // Errors a route declares in its own response schemas (device actions: 409 for a device not running here, …).
  for (const status of Object.keys(def.schema?.response ?? {})) if (Number(status) >= 400) s.add(Number(status));
  if (def.access !== 'public') { s.add(401); s.add(403); s.add(404); s.add(409); }
  if (def.method === 'POST' && def.url === '/session') { s.add(401); s.add(429); }
  if (def.bodyTypes) { s.add(413); s.add(415); }
  return [...s].sort();
}

export function buildOpenApi(routes: readonly DocRoute[], opts: { prefix: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const def of routes) {
    const responses: Record<string, JsonSchema> = {};
    for (const [status, schema] of Object.entries(def.schema?.response ?? {})) {
      if (Number(status) < 400) responses[status] = { description: 'Success', content: { 'application/json': { schema } } };
    }
    if (def.produces) responses['200'] = { description: 'Success', content: { [def.produces]: { schema: { type: 'string', format: 'binary' } } } };
    if (Object.keys(responses).length === 0) responses['204'] = { description: 'Done, no content' };
    for (const status of errorStatuses(def)) {
      const codes = ERROR_CODES.filter((c) => ERRORS[c].statusCode === status);
      responses[String(status)] = { description: codes.length ? `Error: ${codes.join(', ')}` : 'Error', content: { 'application/json': { schema: errorRef } } };
    }
    const op: JsonSchema = {
      operationId: operationId(def), summary: def.summary, tags: def.tags,
      'x-simnav-access': def.access,
      security: def.access === 'public' ? [] : [{ bearerToken: [] }, { sessionCookie: [], csrfHeader: [] }],
      parameters: parameters(def),
      responses,
    };
    if (def.schema?.body) op.requestBody = { required: true, content: { 'application/json': { schema: def.schema.body } } };
    if (def.bodyTypes) op.requestBody = { required: true, content: Object.fromEntries(def.bodyTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) };
    (paths[pathOf(def.url)] ??= {})[def.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'simnav admin API', version: opts.version,
      description: 'Aggregators, SIM inventory, pools, SMS and calls, operator profiles, users, tokens and the audit log; '
        + 'the console\'s routes (slot layout, online cards, settings), tasks, device actions and the live event stream. '
        + 'Authenticate with `Authorization: Bearer <token>` (simnav token create) or the console session cookie; '
        + 'state-changing requests with the cookie need the `x-csrf-token` header. Roles: viewer reads; operator also changes '
        + 'inventory, pools and messages; admin also manages aggregators, operator profiles, users, tokens and reads the audit log.',
    },
    servers: [{ url: opts.prefix }],
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'simnav_session' },
        csrfHeader: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
      },
      'x-error-codes': Object.fromEntries(ERROR_CODES.map((c) => [c, { statusCode: ERRORS[c].statusCode, message: ERRORS[c].message }])),
    },
  };
}
