/**
 * How an admin route is declared: method, url, the role it needs, a summary, its JSON schemas and
 * handler, in one object beside its handler (STYLE.md §8). The OpenAPI document is generated from
 * these declarations (./openapi.ts), so route and documentation cannot drift.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Access } from '../../domain/auth/principal.ts';
import type { AdminCtx, Failure } from '../../domain/auth/outcome.ts';
import type { Store } from '../../store/open-store.ts';
import type { PoolService } from '../../domain/pools/service.ts';
import type { RateLimiter } from '../../domain/auth/rate-limit.ts';
import { type ErrorCode, sendError } from '../errors.ts';

/** What every admin route module is given. */
export interface AdminDeps {
  readonly ctx: AdminCtx;
  readonly store: Store;
  /** The core's pool service: every pool change goes through it, so the pool API's caches see it. */
  readonly pools: PoolService;
  /** Base URL of this panel as devices reach it (for link URLs); else taken from the request. */
  readonly publicUrl: string | undefined;
  readonly limiter: RateLimiter;
}

export type JsonSchema = Record<string, unknown>;

export interface RouteDef {
  method: HTTPMethods;
  url: string;
  access: Access | 'public';
  summary: string;
  tags: string[];
  schema?: { params?: JsonSchema; querystring?: JsonSchema; body?: JsonSchema; response?: Record<number, JsonSchema> };
  /** Content types of a non-JSON request body (OpenAPI only; the parser is registered by the plugin). */
  bodyTypes?: string[];
  /** A non-JSON 200 answer (OpenAPI only). */
  produces?: string;
  bodyLimit?: number;
  handler(req: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

/** Registers routes on the plugin's fastify instance and remembers their declarations. */
export interface Router {
  add(def: RouteDef): void;
  readonly routes: readonly RouteDef[];
}

export function createRouter(app: FastifyInstance): Router {
  const routes: RouteDef[] = [];
  return {
    routes,
    add(def) {
      routes.push(def);
      app.route({
        method: def.method,
        url: def.url,
        ...(def.schema ? { schema: def.schema } : {}),
        config: { access: def.access, summary: def.summary, tags: def.tags },
        ...(def.bodyLimit !== undefined ? { bodyLimit: def.bodyLimit } : {}),
        handler: def.handler,
      });
    },
  };
}

/** Sends a domain failure as its catalogued error (`NOT_FOUND` → `SIMNAV_ERR_NOT_FOUND`). */
export function sendFailure(reply: FastifyReply, f: Failure): FastifyReply {
  return sendError(reply, `SIMNAV_ERR_${f.code}` as ErrorCode, f.message);
}

// ---- shared schema pieces -------------------------------------------------------------------

export const idParams = {
  type: 'object', required: ['id'], additionalProperties: false,
  properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } },
} as const;

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
} as const;

export const idList = { type: 'array', items: { type: 'integer', minimum: 1, maximum: 2147483647 }, maxItems: 100_000 } as const;

export const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });

export function page(item: JsonSchema): JsonSchema {
  return { type: 'object', required: ['total', 'items'], properties: { total: { type: 'integer' }, items: { type: 'array', items: item } } };
}

export function obj(properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)): JsonSchema {
  return { type: 'object', required, properties };
}

export const countAnswer = obj({ count: { type: 'integer' } });

export function params<T>(req: FastifyRequest): T { return req.params as T; }
export function query<T>(req: FastifyRequest): T { return req.query as T; }
export function body<T>(req: FastifyRequest): T { return req.body as T; }
