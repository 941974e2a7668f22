/**
 * Prometheus metrics (prom-client), one registry per app (tests build several apps per process):
 * pool API requests and latency per action, numbers online, SMS received. `GET /metrics`.
 */
import client from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/open-store.ts';

export interface Metrics {
  readonly registry: client.Registry;
  /** Pool API requests by action and answer (`DONE`, `json`, an error token). */
  readonly poolRequests: client.Counter<'action' | 'answer'>;
  /** Pool API latency by action, seconds. */
  readonly poolLatency: client.Histogram<'action'>;
  /** SMS committed by the intake (the device runtime increments it). */
  readonly smsReceived: client.Counter;
  /** Requests answered BAD_KEY after the address was over its limit. */
  readonly badKeyLimited: client.Counter;
}

export function createMetrics(store: Store): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const poolRequests = new client.Counter({
    name: 'simnav_pool_api_requests_total', help: 'Pool API requests by action and answer', labelNames: ['action', 'answer'] as const, registers: [registry],
  });
  const poolLatency = new client.Histogram({
    name: 'simnav_pool_api_duration_seconds', help: 'Pool API latency by action', labelNames: ['action'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 60], registers: [registry],
  });
  const smsReceived = new client.Counter({ name: 'simnav_sms_received_total', help: 'SMS messages received and committed', registers: [registry] });
  const badKeyLimited = new client.Counter({ name: 'simnav_pool_api_bad_key_limited_total', help: 'BAD_KEY answers delayed by the per-address limit', registers: [registry] });
  new client.Gauge({
    name: 'simnav_numbers_online', help: 'Cards asked to be online now', registers: [registry],
    async collect() {
      const r = await store.db.selectFrom('card_online').select((eb) => eb.fn.countAll<number>().as('n')).where('desired', '=', 'online').executeTakeFirst();
      this.set(Number(r?.n ?? 0));
    },
  });
  return { registry, poolRequests, poolLatency, smsReceived, badKeyLimited };
}

export async function metricsRoutes(app: FastifyInstance, opts: { metrics: Metrics }): Promise<void> {
  app.get('/metrics', async (_req, reply) => {
    const body = await opts.metrics.registry.metrics();
    return reply.header('content-type', opts.metrics.registry.contentType).send(body);
  });
}
