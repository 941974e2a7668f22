/**
 * `GET /api/v1/events`: the live stream of the console (issue #6 item 10), server-sent events
 * (text/event-stream). Every bus event the caller may see is one message:
 *
 *     id: <bus epoch>.<seq>
 *     data: {"type":"sms.received","seq":12,"at":…,…}
 *
 * - A first message `{"type":"hello","seq":<last>}` tells the page the stream is live.
 * - `Last-Event-ID` (set by EventSource on reconnect) replays what was missed; when the gap is
 *   older than the bus history, or the id is another bus's (the balancer sent the page to another
 *   node, or this node restarted), the page gets `{"type":"resync"}` and reloads its data.
 * - A comment line every `heartbeatMs` keeps proxies from closing the idle stream; at each
 *   heartbeat the session is checked again, so signing out or expiry ends the stream.
 * - Pool-scoped users see card events (SMS, calls, card status) only for cards of their pools;
 *   `terminal.answer` goes to admins only.
 * - A client that does not read (more than `maxBufferedBytes` queued) is disconnected; one user
 *   or token may hold `maxStreamsPerPrincipal` streams at once (tabs), more answer 429.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import type { Principal } from '../../domain/auth/principal.ts';
import { resolveSession } from '../../domain/auth/sessions.ts';
import { ADMIN_ONLY_EVENTS, type EventBus, type Stamped } from '../../domain/events/bus.ts';
import { readCookie } from '../auth/cookies.ts';
import { SESSION_COOKIE, who } from '../auth/authenticate.ts';
import { sendError } from '../errors.ts';
import { createScopeFilter } from './scope.ts';

export interface EventsRouteOptions {
  ctx: AdminCtx;
  bus: EventBus;
  /** Default 20 s. */
  heartbeatMs?: number;
  /** Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Open streams allowed per user or token (default 20; more → 429). */
  maxStreamsPerPrincipal?: number;
}

/** Formats one SSE message; JSON never contains a raw newline, so one `data:` line suffices. */
export function sseMessage(data: unknown, id?: string): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/** Where the reader left off: `<epoch>.<seq>` (our SSE ids) or a bare seq (`?since=`), else null. */
function lastEventId(req: FastifyRequest): { epoch: string | null; seq: number } | null {
  const h = req.headers['last-event-id'];
  const q = (req.query as { since?: unknown } | undefined)?.since;
  const raw = typeof h === 'string' ? h : typeof q === 'string' ? q : undefined;
  const m = raw === undefined ? null : /^(?:([\w-]{1,16})\.)?(\d{1,15})$/.exec(raw);
  return m ? { epoch: m[1] ?? null, seq: Number(m[2]) } : null;
}

export function registerEventsRoute(app: FastifyInstance, o: EventsRouteOptions): void {
  const heartbeatMs = o.heartbeatMs ?? 20_000;
  const maxBuffered = o.maxBufferedBytes ?? 1 << 20;
  const maxStreams = o.maxStreamsPerPrincipal ?? 20;
  const open = new Map<string, number>();

  app.route({
    method: 'GET',
    url: '/events',
    config: { access: 'read', summary: 'Live events (server-sent events): status, SMS, calls, task progress', tags: ['events'] },
    schema: { querystring: { type: 'object', properties: { since: { type: 'string', maxLength: 40 } } } },
    handler(req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
      const principal: Principal = who(req);
      const mine = open.get(principal.actor) ?? 0;
      if (mine >= maxStreams) return sendError(reply, 'SIMNAV_ERR_RATE_LIMITED', 'Too many open event streams');
      open.set(principal.actor, mine + 1);
      const sessionToken = req.authVia === 'session' ? readCookie(req.headers.cookie, SESSION_COOKIE) : undefined;
      const inScope = createScopeFilter(o.ctx, principal);
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
      });
      let closed = false;
      let queue: Promise<void> = Promise.resolve();
      const write = (chunk: string): void => {
        if (closed) return;
        res.write(chunk);
        if (res.writableLength > maxBuffered) close();
      };
      const send = (e: Stamped): void => {
        if (ADMIN_ONLY_EVENTS.has(e.type) && principal.role !== 'admin') return;
        // Keep order: scope checks may hit the database, so messages are written in a chain.
        queue = queue.then(async () => {
          if (closed || !(await inScope(e))) return;
          write(sseMessage(e, `${o.bus.epoch}.${e.seq}`));
        }).catch((err: unknown) => { req.log.warn({ err }, 'events: dropping one event'); });
      };
      const off = o.bus.subscribe(send);
      let timer = o.ctx.clock.setTimeout(beat, heartbeatMs);
      function close(): void {
        if (closed) return;
        closed = true;
        const n = (open.get(principal.actor) ?? 1) - 1;
        if (n <= 0) open.delete(principal.actor); else open.set(principal.actor, n);
        off();
        o.ctx.clock.clearTimeout(timer);
        res.end();
      }
      function beat(): void {
        if (closed) return;
        void (async () => {
          if (sessionToken !== undefined && !(await resolveSession(o.ctx, sessionToken).catch(() => null))) { close(); return; }
          write(': ping\n\n');
          if (!closed) timer = o.ctx.clock.setTimeout(beat, heartbeatMs);
        })();
      }
      req.raw.on('close', close);
      res.on('error', close);

      write('retry: 3000\n\n');
      const after = lastEventId(req);
      if (after !== null) {
        const missed = after.epoch !== null && after.epoch !== o.bus.epoch ? null : o.bus.since(after.seq);
        if (missed === null) write(sseMessage({ type: 'resync', seq: o.bus.lastSeq }));
        else for (const e of missed) send(e);
      }
      queue = queue.then(() => write(sseMessage({ type: 'hello', seq: o.bus.lastSeq, role: principal.role })));
    },
  });
}
