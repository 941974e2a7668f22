/**
 * Device actions of the console (issue #6 items 5, 8; issue #5), under `/api/v1` with the admin
 * API's authentication (session + CSRF, or bearer):
 *
 *     await app.register(deviceActionsPlugin, { prefix: '/api/v1', store: deps.store, clock });
 *
 * - `POST /aggregators/:id/init` (admin) `{}` → 202 `{ commands }`: the driver's init sequence
 *   (`Driver.init()`, every model; `SIMNAV_ERR_NOT_SUPPORTED_FOR_MODEL` only for a model without a driver)
 * - `POST /aggregators/:id/terminal` (admin) `{ command }` → `{ step }`; answers and the step-0
 *   output that follows arrive as `terminal.answer` events
 * - `POST /online/:cardId/ussd` (operator) `{ code }` (`|` separates menu replies) → `{ requestId, text, final }`;
 *   every reply also as `ussd.reply`
 * - `POST /online/:cardId/dial` (operator) `{ number }` → 202 `{ queued: true }` (`ATD<number>;` under the device lock)
 * Every action is audited (a terminal `sms>send` text is replaced by its length). The runtime
 * (`app.deviceRuntime`) and the bus (`app.events`) are looked up per request, so this plugin only
 * needs to be registered after the link and events plugins. An aggregator whose session does not
 * run on this node answers 409 `SIMNAV_ERR_DEVICE_NOT_RUNNING`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../store/open-store.ts';
import { realClock, type Clock } from '../../lib/clock.ts';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import type { Principal } from '../../domain/auth/principal.ts';
import { writeAudit } from '../../domain/audit/audit.ts';
import { driverFor, type Driver } from '../../devices/drivers/driver.ts';
import type { DeviceChannel } from '../../devices/channel/channel.ts';
import type { OnlineSession } from '../../devices/session/online-session.ts';
import { authHook, who } from '../auth/authenticate.ts';
import { classifyError, errorSchema, sendError, type ErrorCode } from '../errors.ts';
import {
  MAX_TERMINAL_COMMAND, TerminalFollower, auditableCommand, checkTerminalCommand, initSequenceOf, parseDialNumber, parseUssdCode, runUssd,
  type ActionErrorCode,
} from './actions.ts';

export interface DeviceActionsOptions { store: Store; clock?: Clock }

const CODE: Record<ActionErrorCode, ErrorCode> = {
  INVALID: 'SIMNAV_ERR_VALIDATION',
  DEVICE_TIMEOUT: 'SIMNAV_ERR_DEVICE_TIMEOUT',
  DEVICE_ERROR: 'SIMNAV_ERR_DEVICE_ERROR',
  NOT_SUPPORTED: 'SIMNAV_ERR_NOT_SUPPORTED_FOR_MODEL',
};

const idParams = (name: string) => ({ type: 'object', required: [name], properties: { [name]: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } } });
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

/** How long a dial waits for the device to take it, ms. */
const DIAL_TIMEOUT_MS = 60_000;

interface Live { session: OnlineSession; ch: DeviceChannel; driver: Driver }

export async function deviceActionsPlugin(app: FastifyInstance, o: DeviceActionsOptions): Promise<void> {
  const clock = o.clock ?? realClock();
  const ctx: AdminCtx = { db: o.store.db, clock };
  const bus = () => (app.hasDecorator('events') ? app.events : undefined);
  const follower = new TerminalFollower(clock, bus);
  let requestIds = 0;
  app.addHook('onClose', async () => { follower.close(); });
  app.addHook('onRequest', authHook(ctx));
  app.addHook('onSend', async (_req, reply, payload) => { reply.header('cache-control', 'no-store'); return payload; });
  app.setErrorHandler((err, req, reply) => {
    const { code, message } = classifyError(err as Parameters<typeof classifyError>[0]);
    if (code === 'SIMNAV_ERR_INTERNAL') req.log.error({ err }, 'device actions: unhandled error');
    return sendError(reply, code, message);
  });

  /** The running session of an aggregator on this node, with its channel and driver. */
  function live(aggregatorId: number): Live | null {
    if (!app.hasDecorator('deviceRuntime')) return null;
    const session = app.deviceRuntime.session(aggregatorId);
    const link = app.deviceRuntime.hub.get(aggregatorId);
    const driver = link ? driverFor(link.aggregator.model) : undefined;
    return session && link && driver ? { session, ch: link.channel, driver } : null;
  }

  const notRunning = (reply: FastifyReply, id: number) => sendError(reply, 'SIMNAV_ERR_DEVICE_NOT_RUNNING', `Aggregator ${id} has no running session on this node`);

  /** The card and its aggregator, if the principal may touch it. */
  async function cardOf(p: Principal, cardId: number): Promise<{ aggregatorId: number } | null> {
    const c = await ctx.db.selectFrom('cards').select(['id', 'aggregator_id']).where('id', '=', cardId).executeTakeFirst();
    if (!c) return null;
    if (p.poolScope !== null) {
      const pools = p.poolScope.length ? [...p.poolScope] : [0];
      const inScope = await ctx.db.selectFrom('pool_cards').select('card_id').where('card_id', '=', cardId).where('pool_id', 'in', pools).executeTakeFirst();
      if (!inScope) return null;
    }
    return { aggregatorId: c.aggregator_id };
  }

  /** The seat (channel) of an online card in its aggregator's running session. */
  async function seatOf(req: FastifyRequest, reply: FastifyReply, cardId: number): Promise<{ l: Live; channel: number; aggregatorId: number } | null> {
    const card = await cardOf(who(req), cardId);
    if (!card) { await sendError(reply, 'SIMNAV_ERR_NOT_FOUND', 'No such card'); return null; }
    const l = live(card.aggregatorId);
    if (!l) { await notRunning(reply, card.aggregatorId); return null; }
    const seat = l.session.snapshot().find((s) => s.cardId === cardId);
    if (!seat) { await sendError(reply, 'SIMNAV_ERR_CONFLICT', 'The card is not seated online; put it online first'); return null; }
    return { l, channel: seat.channel, aggregatorId: card.aggregatorId };
  }

  async function aggregatorExists(id: number): Promise<boolean> {
    return (await ctx.db.selectFrom('aggregators').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  app.route({
    method: 'POST', url: '/aggregators/:id/terminal',
    schema: {
      params: idParams('id'),
      body: { type: 'object', required: ['command'], additionalProperties: false, properties: { command: { type: 'string', minLength: 1, maxLength: MAX_TERMINAL_COMMAND + 100 } } },
      response: { 200: { type: 'object', required: ['step'], properties: { step: { type: 'integer' } } }, ...errors },
    },
    config: { access: 'admin', tags: ['console'], summary: 'Queues a raw command on the aggregator (answers arrive as terminal.answer)' },
    handler: async (req, reply) => {
      const id = (req.params as { id: number }).id;
      const checked = checkTerminalCommand((req.body as { command: string }).command);
      if (!checked.ok) return sendError(reply, CODE[checked.code], checked.message);
      if (!(await aggregatorExists(id))) return sendError(reply, 'SIMNAV_ERR_NOT_FOUND', 'No such aggregator');
      const l = live(id);
      if (!l) return notRunning(reply, id);
      const q = l.ch.enqueue(checked.value);
      if (!q.ok) return sendError(reply, 'SIMNAV_ERR_VALIDATION', `The link cannot carry this command (${q.error.code})`);
      follower.follow(id, l.ch, q.step);
      await writeAudit(ctx, { actor: who(req).actor, action: 'device.terminal', target: `aggregator:${id}`, details: { command: auditableCommand(checked.value), step: q.step }, ip: req.ip });
      return { step: q.step };
    },
  });

  app.route({
    method: 'POST', url: '/aggregators/:id/init',
    schema: {
      params: idParams('id'),
      response: { 202: { type: 'object', required: ['commands'], properties: { commands: { type: 'integer' } } }, ...errors },
    },
    config: { access: 'admin', tags: ['console'], summary: "Runs the driver's init sequence on the aggregator" },
    handler: async (req, reply) => {
      const id = (req.params as { id: number }).id;
      const row = await ctx.db.selectFrom('aggregators').select(['id', 'model']).where('id', '=', id).executeTakeFirst();
      if (!row) return sendError(reply, 'SIMNAV_ERR_NOT_FOUND', 'No such aggregator');
      const driver = driverFor(row.model);
      const sequence = driver ? initSequenceOf(driver) : null;
      if (!sequence || sequence.length === 0) return sendError(reply, 'SIMNAV_ERR_NOT_SUPPORTED_FOR_MODEL', `Init is not supported for the model ${row.model}`);
      const l = live(id);
      if (!l) return notRunning(reply, id);
      const queued: number[] = [];
      for (const text of sequence) {
        const q = l.ch.enqueue(text);
        if (!q.ok) return sendError(reply, 'SIMNAV_ERR_DEVICE_ERROR', `The init command cannot be sent (${q.error.code})`);
        queued.push(q.step);
      }
      await writeAudit(ctx, { actor: who(req).actor, action: 'device.init', target: `aggregator:${id}`, details: { steps: queued }, ip: req.ip });
      return reply.code(202).send({ commands: queued.length });
    },
  });

  app.route({
    method: 'POST', url: '/online/:cardId/ussd',
    schema: {
      params: idParams('cardId'),
      body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: {
        200: { type: 'object', required: ['requestId', 'text', 'final'], properties: { requestId: { type: 'integer' }, text: { type: 'string' }, final: { type: 'boolean' } } },
        ...errors, 502: errorSchema, 504: errorSchema,
      },
    },
    config: { access: 'write', tags: ['console'], summary: "Sends a USSD request (| separates menu replies) from an online card's modem" },
    handler: async (req, reply) => {
      const cardId = (req.params as { cardId: number }).cardId;
      const code = parseUssdCode((req.body as { code: string }).code);
      if (!code.ok) return sendError(reply, CODE[code.code], code.message);
      const seat = await seatOf(req, reply, cardId);
      if (!seat) return reply;
      const requestId = ++requestIds;
      const r = await runUssd(seat.l.ch, seat.l.driver, seat.channel, code.value, (s) => {
        bus()?.publish({ type: 'ussd.reply', cardId, aggregatorId: seat.aggregatorId, requestId, text: s.text, final: s.final });
      });
      await writeAudit(ctx, { actor: who(req).actor, action: 'card.ussd', target: `card:${cardId}`, details: { code: code.value.join('|'), result: r.ok ? 'ok' : r.code }, ip: req.ip });
      if (!r.ok) return sendError(reply, CODE[r.code], r.message);
      return { requestId, text: r.value.text, final: r.value.final };
    },
  });

  app.route({
    method: 'POST', url: '/online/:cardId/dial',
    schema: {
      params: idParams('cardId'),
      body: { type: 'object', required: ['number'], additionalProperties: false, properties: { number: { type: 'string', minLength: 1, maxLength: 40 } } },
      response: { 202: { type: 'object', required: ['queued'], properties: { queued: { type: 'boolean' } } }, ...errors },
    },
    config: { access: 'write', tags: ['console'], summary: "Dials a number from an online card's modem" },
    handler: async (req, reply) => {
      const cardId = (req.params as { cardId: number }).cardId;
      const number = parseDialNumber((req.body as { number: string }).number);
      if (!number.ok) return sendError(reply, CODE[number.code], number.message);
      const seat = await seatOf(req, reply, cardId);
      if (!seat) return reply;
      // Under the device lock (never inside a USSD/SMS dialogue); the call itself is the modem's business.
      const text = seat.l.driver.dial(seat.channel, number.value);
      void seat.l.ch.send({ text, timeoutMs: DIAL_TIMEOUT_MS, parse: (a) => ({ ok: true, value: a }) }).then((r) => {
        if (!r.ok) req.log.warn({ aggregator: seat.aggregatorId, card: cardId, code: r.error.code }, 'device actions: dial not taken by the device');
      });
      await writeAudit(ctx, { actor: who(req).actor, action: 'card.dial', target: `card:${cardId}`, details: { number: number.value }, ip: req.ip });
      return reply.code(202).send({ queued: true });
    },
  });
}
