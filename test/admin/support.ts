/**
 * An admin-API test panel: buildApp on a fresh SQLite file, listening on a loopback port, with an
 * admin API token ready. `call` speaks real HTTP (fetch) and returns status, headers and body.
 */
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.ts';
import { createTestStore, type TestStore } from '../../src/store/testing.ts';
import type { Dialect } from '../../src/store/dialect.ts';
import { realClock } from '../../src/lib/clock.ts';
import type { AdminCtx } from '../../src/domain/auth/outcome.ts';
import { createApiToken } from '../../src/domain/auth/api-tokens.ts';
import { createUser } from '../../src/domain/users/users.ts';
import type { Role } from '../../src/domain/auth/principal.ts';

export interface CallOptions {
  token?: string;
  cookie?: string;
  csrf?: string;
  json?: unknown;
  raw?: Uint8Array | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Local (source) address, e.g. `127.0.0.2`, to appear as another client. */
  from?: string;
}

export interface Answer<T = any> { status: number; headers: Headers; body: T; text: string; bytes: Uint8Array }

export interface Panel {
  store: TestStore;
  app: FastifyInstance;
  /** Base URL including `/api/v1`. */
  api: string;
  origin: string;
  ctx: AdminCtx;
  /** Bearer token of an admin. */
  admin: string;
  call<T = any>(method: string, path: string, o?: CallOptions): Promise<Answer<T>>;
  /** A user with the role (password `password-<login>`) and a bearer token bound to them. */
  userWithToken(login: string, role: Role, poolScope?: number[] | null): Promise<{ userId: number; token: string; password: string }>;
  close(): Promise<void>;
}

export async function startPanel(dialect: Dialect = 'sqlite'): Promise<Panel> {
  const store = await createTestStore(dialect);
  const app = await buildApp({ store, logLevel: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const origin = `http://127.0.0.1:${port}`;
  const api = `${origin}/api/v1`;
  const ctx: AdminCtx = { db: store.db, clock: realClock() };

  async function userWithToken(login: string, role: Role, poolScope: number[] | null = null) {
    const password = `password-${login}`;
    const u = await createUser(ctx, { login, role, password, poolScope });
    if (!u.ok) throw new Error(`user ${login}: ${u.error.code}`);
    const t = await createApiToken(ctx, { name: `${login}-token`, role, userId: u.value.user.id });
    if (!t.ok) throw new Error(`token ${login}: ${t.error.code}`);
    return { userId: u.value.user.id, token: t.value.token, password };
  }
  const admin = (await userWithToken('root', 'admin')).token;

  async function call<T>(method: string, path: string, o: CallOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.cookie) headers.cookie = o.cookie;
    if (o.csrf) headers['x-csrf-token'] = o.csrf;
    let payload: Buffer | undefined;
    if (o.json !== undefined) { headers['content-type'] = 'application/json'; payload = Buffer.from(JSON.stringify(o.json)); }
    if (o.raw !== undefined) { headers['content-type'] = o.contentType ?? 'text/csv'; payload = Buffer.from(o.raw); }
    if (payload) headers['content-length'] = String(payload.length);
    const url = new URL(path.startsWith('http') ? path : api + path);
    const res = await new Promise<{ status: number; headers: Headers; bytes: Uint8Array }>((resolve, reject) => {
      const req = httpRequest({
        host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers,
        ...(o.from ? { localAddress: o.from } : {}),
      }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(r.headers)) {
            if (Array.isArray(v)) for (const x of v) h.append(k, x); else if (v !== undefined) h.set(k, String(v));
          }
          resolve({ status: r.statusCode ?? 0, headers: h, bytes: new Uint8Array(Buffer.concat(chunks)) });
        });
        r.on('error', reject);
      });
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
    const text = new TextDecoder().decode(res.bytes);
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: body as T, text, bytes: res.bytes };
  }

  return {
    store, app, api, origin, ctx, admin, call, userWithToken,
    async close() { await app.close(); await store.close(); },
  };
}

/** An aggregator row straight in the store (no HTTP), for tests that need a fleet. */
export async function seedAggregator(p: Panel, model: string, title = model, settings: object = {}): Promise<number> {
  const r = await p.call('POST', '/aggregators', { token: p.admin, json: { model, title, settings } });
  if (r.status !== 201) throw new Error(`seed aggregator: ${r.status} ${r.text}`);
  return r.body.aggregator.id as number;
}

export async function seedCard(p: Panel, aggregatorId: number, place: string, extra: Record<string, unknown> = {}): Promise<number> {
  const r = await p.call('POST', '/cards', { token: p.admin, json: { aggregatorId, place, ...extra } });
  if (r.status !== 201) throw new Error(`seed card: ${r.status} ${r.text}`);
  return r.body.id as number;
}

/** Audit rows written so far (newest first). */
export async function auditRows(p: Panel): Promise<{ actor: string; action: string; target: string }[]> {
  return p.store.db.selectFrom('audit_log').select(['actor', 'action', 'target']).orderBy('id', 'desc').execute();
}
