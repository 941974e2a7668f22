/**
 * The simulator's control API (JSON over HTTP, described by `openapi.ts`): drive the virtual
 * network (SMS, calls, registration), script device faults, move cards, and read device state.
 * Every body is validated here; errors are `{ ok: false, error: { code, message } }`.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { FAULT_KINDS, type Fault, type FaultKind } from './device.ts';
import { isOperatorId } from './operators.ts';
import { openApiDocument } from './openapi.ts';
import { REGISTRATION_BEHAVIOURS, type RegistrationBehaviour } from './sim-card.ts';
import type { SimResult } from './network.ts';
import type { Simulator } from './simulator.ts';

const STATUS: Record<string, number> = {
  UNKNOWN_NUMBER: 404, UNKNOWN_DEVICE: 404, NOT_FOUND: 404,
  BUSY: 409, NOT_REACHABLE: 409, SLOT_OCCUPIED: 409, SLOT_EMPTY: 409, NUMBER_IN_USE: 409,
};

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function fail(reply: FastifyReply, code: string, message: string): Record<string, unknown> {
  reply.code(STATUS[code] ?? 400);
  return { ok: false, error: { code, message } };
}

function send<T>(reply: FastifyReply, r: SimResult<T>): Record<string, unknown> {
  return r.ok ? { ok: true, ...(r.value as Record<string, unknown>) } : fail(reply, r.error.code, r.error.message);
}

const optionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';

const ROUTES = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** Every route the control API registered (for the OpenAPI consistency test). */
export function controlRoutes(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return ROUTES.get(app) ?? [];
}

export function buildControlApi(sim: Simulator): FastifyInstance {
  // The printed control URL ends in `/`, so `<url>/sms` (as the README shows it) has a double
  // slash: the router folds it instead of answering 404.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, routerOptions: { ignoreDuplicateSlashes: true } });
  const routes: Array<{ method: string; url: string }> = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push({ method: m, url: r.url });
  });
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    reply.code(status).send({ ok: false, error: { code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message: err.message } });
  });
  app.setNotFoundHandler((_req, reply) => { reply.code(404).send({ ok: false, error: { code: 'NOT_FOUND', message: 'no such route' } }); });

  app.get('/openapi.json', async () => openApiDocument);
  app.get('/health', async () => ({ ok: true, devices: sim.devices.size }));

  app.get('/devices', async () => ({ ok: true, devices: sim.snapshot() }));
  app.get<{ Params: { id: string } }>('/devices/:id', async (req, reply) => {
    const d = sim.devices.get(req.params.id);
    return d ? { ok: true, device: d.snapshot() } : fail(reply, 'UNKNOWN_DEVICE', `no device ${req.params.id}`);
  });

  app.post<{ Params: { id: string } }>('/devices/:id/faults', async (req, reply) => {
    const b = req.body;
    if (!isObj(b) || !(FAULT_KINDS as readonly unknown[]).includes(b['kind'])) return fail(reply, 'BAD_FAULT', `kind must be one of ${FAULT_KINDS.join(', ')}`);
    const f: { -readonly [K in keyof Fault]: Fault[K] } = { kind: b['kind'] as FaultKind };
    for (const k of ['seconds', 'intervalMs', 'modem'] as const) {
      const v = b[k];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 86_400_000) return fail(reply, 'BAD_FAULT', `${k} must be a non-negative number`);
      f[k] = v;
    }
    return send(reply, sim.fault(req.params.id, f));
  });

  app.delete<{ Params: { id: string; place: string } }>('/devices/:id/slots/:place', async (req, reply) =>
    send(reply, sim.removeSim(req.params.id, req.params.place)));

  app.put<{ Params: { id: string; place: string } }>('/devices/:id/slots/:place', async (req, reply) => {
    const b = req.body ?? {};
    if (!isObj(b)) return fail(reply, 'BAD_REQUEST', 'body must be a JSON object');
    const spec: { operator?: 'mts' | 'beeline' | 'megafon' | 'tele2'; msisdn?: string; registration?: RegistrationBehaviour } = {};
    if (b['operator'] !== undefined) {
      if (!isOperatorId(b['operator'])) return fail(reply, 'BAD_REQUEST', 'operator must be mts, beeline, megafon or tele2');
      spec.operator = b['operator'];
    }
    if (b['msisdn'] !== undefined) {
      if (typeof b['msisdn'] !== 'string' || !/^\+?\d{10,15}$/.test(b['msisdn'])) return fail(reply, 'BAD_REQUEST', 'msisdn must be 10–15 digits');
      spec.msisdn = b['msisdn'];
    }
    if (b['registration'] !== undefined) {
      if (!(REGISTRATION_BEHAVIOURS as readonly unknown[]).includes(b['registration'])) return fail(reply, 'BAD_REQUEST', `registration must be one of ${REGISTRATION_BEHAVIOURS.join(', ')}`);
      spec.registration = b['registration'] as RegistrationBehaviour;
    }
    return send(reply, sim.insertSim(req.params.id, req.params.place, spec));
  });

  app.get('/sims', async () => ({ ok: true, sims: sim.sims() }));

  app.put<{ Params: { number: string } }>('/sims/:number', async (req, reply) => {
    const b = req.body;
    if (!isObj(b) || !(REGISTRATION_BEHAVIOURS as readonly unknown[]).includes(b['registration'])) {
      return fail(reply, 'BAD_REQUEST', `registration must be one of ${REGISTRATION_BEHAVIOURS.join(', ')}`);
    }
    return send(reply, sim.setRegistration(req.params.number, b['registration'] as RegistrationBehaviour));
  });

  app.post('/sms', async (req, reply) => {
    const b = req.body;
    if (!isObj(b) || typeof b['to'] !== 'string') return fail(reply, 'BAD_REQUEST', 'to (the receiving number) is required');
    if (!optionalString(b['from']) || !optionalString(b['text']) || !optionalString(b['pdu'])) return fail(reply, 'BAD_REQUEST', 'from, text and pdu must be strings');
    if ((b['text'] === undefined) === (b['pdu'] === undefined)) return fail(reply, 'BAD_REQUEST', 'give either text or pdu');
    if (b['alphabet'] !== undefined && b['alphabet'] !== 'gsm7' && b['alphabet'] !== 'ucs2') return fail(reply, 'BAD_REQUEST', 'alphabet must be gsm7 or ucs2');
    if (b['shuffle'] !== undefined && typeof b['shuffle'] !== 'boolean') return fail(reply, 'BAD_REQUEST', 'shuffle must be a boolean');
    if (typeof b['text'] === 'string' && b['text'].length > 2000) return fail(reply, 'BAD_TEXT', 'text is limited to 2000 characters');
    return send(reply, sim.sendSms({
      to: b['to'],
      ...(b['from'] === undefined ? {} : { from: b['from'] as string }),
      ...(b['text'] === undefined ? {} : { text: b['text'] as string }),
      ...(b['pdu'] === undefined ? {} : { pdu: b['pdu'] as string }),
      ...(b['alphabet'] === undefined ? {} : { alphabet: b['alphabet'] as 'gsm7' | 'ucs2' }),
      ...(b['shuffle'] === undefined ? {} : { shuffle: b['shuffle'] as boolean }),
    }));
  });

  app.post('/call', async (req, reply) => {
    const b = req.body;
    if (!isObj(b) || typeof b['to'] !== 'string' || typeof b['from'] !== 'string' || !/^\+?\d{3,15}$/.test(b['from'])) {
      return fail(reply, 'BAD_REQUEST', 'to and from (a number) are required');
    }
    const seconds = b['seconds'] ?? 15;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 1 || seconds > 3600) return fail(reply, 'BAD_REQUEST', 'seconds must be 1…3600');
    return send(reply, sim.call(b['to'], b['from'], seconds));
  });

  app.get('/network/sent', async () => ({ ok: true, sent: sim.network.sent }));
  app.get('/network/calls', async () => ({ ok: true, calls: sim.network.calls }));
  return app;
}
