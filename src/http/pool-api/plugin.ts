/**
 * `/api/handler.php` (api.md): GET and POST, parameters merged from query and body, checks in
 * the contract's order (key, action, the action's own), answers always 200 with text or JSON.
 * Logs name the action and the answer, never the key or an SMS text.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestParams, param } from './params.ts';
import type { Action, ActionDeps, Answer } from './answer.ts';
import * as poolActions from './actions-pool.ts';
import * as messageActions from './actions-messages.ts';
import { createBadKeyLimiter, BAD_KEY_DEFAULTS } from './bad-key-limiter.ts';
import type { BadKeyLimiterOptions } from './bad-key-limiter.ts';
import type { Metrics } from '../metrics.ts';

/** The 17 actions, by their case-sensitive names (`getAgregators` keeps its spelling). */
export const ACTIONS: Readonly<Record<string, Action>> = Object.freeze({
  poolRestart: poolActions.poolRestart,
  getAgregators: poolActions.getAgregators,
  getOperators: poolActions.getOperators,
  getPoolStatus: poolActions.getPoolStatus,
  getNumbers: poolActions.getNumbers,
  openNumber: poolActions.openNumber,
  openNumbers: poolActions.openNumbers,
  closeNumber: poolActions.closeNumber,
  getSimStatus: poolActions.getSimStatus,
  getLastSms: messageActions.getLastSms,
  getSms: messageActions.getSms,
  deleteSms: messageActions.deleteSms,
  clearSimStorage: poolActions.clearSimStorage,
  sendSms: messageActions.sendSms,
  getCall: messageActions.getCall,
  grabCall: poolActions.grabCall,
  deleteCall: messageActions.deleteCall,
});

export interface PoolApiOptions {
  deps: ActionDeps;
  metrics?: Metrics;
  badKey?: BadKeyLimiterOptions;
}

/** Serialisations of shared (memoised, never modified) answer bodies, alive as long as the body. */
const serialized = new WeakMap<object, string>();

function jsonText(a: Answer & { kind: 'json' }): string {
  if (!a.shared || typeof a.body !== 'object' || a.body === null) return JSON.stringify(a.body);
  let t = serialized.get(a.body);
  if (t === undefined) { t = JSON.stringify(a.body); serialized.set(a.body, t); }
  return t;
}

function send(reply: FastifyReply, a: Answer): FastifyReply {
  if (a.kind === 'text') return reply.code(200).header('content-type', 'text/plain; charset=utf-8').send(a.body);
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(jsonText(a));
}

export async function poolApiRoutes(app: FastifyInstance, opts: PoolApiOptions): Promise<void> {
  const { deps, metrics } = opts;
  const badKey = createBadKeyLimiter(deps.clock, opts.badKey ?? BAD_KEY_DEFAULTS);

  // Bodies arrive as raw bytes; params.ts decodes them (invalid UTF-8 → absent).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body); });

  async function handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const started = process.hrtime.bigint();
    let actionName = 'none';
    let answer: Answer;
    try {
      const params = requestParams(req.raw.url ?? '', req.headers['content-type'], req.body);
      const pool = await deps.pools.findByKey(param(params, 'pool_key'));
      const name = param(params, 'action') ?? '';
      if (!pool) {
        answer = { kind: 'text', body: 'BAD_KEY' };
        if (await badKey.failed(req.ip)) metrics?.badKeyLimited.inc();
      } else {
        const action = Object.prototype.hasOwnProperty.call(ACTIONS, name) ? ACTIONS[name] : undefined;
        if (!action) answer = { kind: 'text', body: 'BAD_ACTION' };
        else { actionName = name; answer = await action({ pool, params, deps }); }
      }
    } catch (err) {
      req.log.error({ err, action: actionName }, 'pool api action failed');
      metrics?.poolRequests.inc({ action: actionName, answer: 'fault' });
      return reply.code(500).header('content-type', 'text/plain; charset=utf-8').send('SERVER_ERROR');
    }
    const label = answer.kind === 'json' ? 'json' : /^[A-Z_]+$/.test(answer.body) ? answer.body : 'text';
    metrics?.poolRequests.inc({ action: actionName, answer: label });
    metrics?.poolLatency.observe({ action: actionName }, Number(process.hrtime.bigint() - started) / 1e9);
    req.log.debug({ action: actionName, answer: label }, 'pool api');
    return send(reply, answer);
  }

  app.get('/api/handler.php', handle);
  app.post('/api/handler.php', handle);
}
