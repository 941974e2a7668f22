/**
 * The control API: every route is in the OpenAPI document and vice versa; scripts can send SMS,
 * ring, change registration, move cards, inject faults and read device state; hostile bodies get
 * typed errors, never a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/clock.ts';
import { buildControlApi, controlRoutes } from './control-api.ts';
import { parseFleet } from './fleet.ts';
import { openApiDocument } from './openapi.ts';
import { FAULT_KINDS } from './device.ts';
import { REGISTRATION_BEHAVIOURS } from './sim-card.ts';
import { Simulator } from './simulator.ts';

function setup() {
  const clock = new FakeClock();
  const fleet = parseFleet({ seed: 9, devices: [{ id: 'box', model: 'sr-box-8', token: '1234567890', sims: [{ place: 'A', operator: 'mts', msisdn: '79161110001' }, { place: 'B', operator: 'tele2', msisdn: '79521110002' }] }] });
  assert.ok(fleet.ok);
  const transport = { poll: async () => ({ ok: true as const, status: 200, body: '{data}0#!#REQUEST' }) };
  const sim = new Simulator({ fleet: fleet.value, panelUrl: 'http://127.0.0.1:1/', clock, transport });
  const box = sim.devices.get('box')!;
  for (const m of box.hw.modems) m.powerOn();
  return { clock, sim, app: buildControlApi(sim), box };
}

test('control API / every route is documented in openapi.json and every documented route exists', async () => {
  const { app } = setup();
  await app.ready();
  const served = controlRoutes(app).map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`).sort();
  const documented = Object.entries(openApiDocument.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
  assert.deepEqual(served, documented);
  const doc = await app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(doc.json().openapi, '3.1.0');
  // The enums the document promises are the ones the routes accept.
  assert.deepEqual([...openApiDocument.components.schemas.Registration.enum], [...REGISTRATION_BEHAVIOURS]);
  assert.deepEqual([...openApiDocument.components.schemas.Fault.properties.kind.enum], [...FAULT_KINDS]);
});

test('control API / POST /sms, POST /call, PUT /sims/{number}, GET /devices', async () => {
  const { clock, app, box } = setup();
  await clock.advance(20_000);
  let r = await app.inject({ method: 'POST', url: '/sms', payload: { to: '+79161110001', from: 'MTC', text: 'hi' } });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json(), { ok: true, parts: 1, delivered: true });
  assert.equal(box.hw.modem(1)!.sim!.used, 1);
  r = await app.inject({ method: 'POST', url: '/call', payload: { to: '79521110002', from: '+79031234567', seconds: 5 } });
  assert.deepEqual(r.json(), { ok: true, ringing: true });
  r = await app.inject({ method: 'PUT', url: '/sims/79521110002', payload: { registration: 'denied' } });
  assert.equal(r.statusCode, 200);
  r = await app.inject({ method: 'GET', url: '/devices' });
  const dev = r.json().devices[0];
  assert.equal(dev.id, 'box');
  assert.equal(dev.modems[1].creg, 3, 'the denied SIM is denied at once');
  assert.equal(dev.modems[0].creg, 1);
  assert.equal(dev.modems[0].place, 'A');
  r = await app.inject({ method: 'PUT', url: '/sims/+79161110001', payload: { registration: 'unknown' } });
  assert.deepEqual(r.json(), { ok: true, number: '79161110001', registration: 'unknown' });
  assert.equal(box.hw.modem(1)!.creg, 4, 'unknown: +CREG stat 4 at once');
  r = await app.inject({ method: 'GET', url: '//sims' });
  assert.equal(r.statusCode, 200, '`<printed url>/sims` (the printed URL ends in /) is the same route');
  assert.equal(r.json().sims.find((x: { number: string }) => x.number === '79161110001').stored, 1);
});

test('control API / remove and insert a card, faults', async () => {
  const { clock, app, box } = setup();
  await clock.advance(20_000);
  let r = await app.inject({ method: 'DELETE', url: '/devices/box/slots/B' });
  assert.deepEqual(r.json(), { ok: true, place: 'B', number: '79521110002' });
  assert.equal(box.hw.modem(2)!.sim, undefined);
  r = await app.inject({ method: 'DELETE', url: '/devices/box/slots/B' });
  assert.equal(r.statusCode, 409);
  r = await app.inject({ method: 'PUT', url: '/devices/box/slots/B' });
  assert.deepEqual(r.json(), { ok: true, place: 'B', number: '79521110002' }, 'the same card goes back');
  r = await app.inject({ method: 'PUT', url: '/devices/box/slots/C', payload: { operator: 'beeline', msisdn: '79031110003' } });
  assert.deepEqual(r.json(), { ok: true, place: 'C', number: '79031110003' });
  r = await app.inject({ method: 'POST', url: '/devices/box/faults', payload: { kind: 'modem-dead', modem: 3 } });
  assert.equal(r.statusCode, 200);
  assert.equal(box.hw.modem(3)!.dead, true);
  r = await app.inject({ method: 'POST', url: '/devices/box/faults', payload: { kind: 'silent', seconds: 10 } });
  assert.equal(r.statusCode, 200);
});

test('control API / hostile input gets typed errors', async () => {
  const { app } = setup();
  const cases: Array<[string, string, unknown, number, string]> = [
    ['POST', '/sms', { to: '79161110001' }, 400, 'BAD_REQUEST'],
    ['POST', '/sms', { to: '79161110001', text: 'a', pdu: '00' }, 400, 'BAD_REQUEST'],
    ['POST', '/sms', { to: '79161110001', pdu: 'NOT HEX' }, 400, 'BAD_PDU'],
    ['POST', '/sms', { to: '70000000000', text: 'x' }, 404, 'UNKNOWN_NUMBER'],
    ['POST', '/sms', { to: 1, text: 'x' }, 400, 'BAD_REQUEST'],
    ['POST', '/sms', { to: '79161110001', text: 'x', from: 'A very long sender name' }, 400, 'BAD_ADDRESS'],
    ['POST', '/sms', [1, 2], 400, 'BAD_REQUEST'],
    ['POST', '/call', { to: '79161110001', from: 'x' }, 400, 'BAD_REQUEST'],
    ['POST', '/call', { to: '79161110001', from: '+7903', seconds: 1e9 }, 400, 'BAD_REQUEST'],
    ['PUT', '/sims/79161110001', { registration: 'maybe' }, 400, 'BAD_REQUEST'],
    ['PUT', '/sims/70000000000', { registration: 'ok' }, 404, 'UNKNOWN_NUMBER'],
    ['POST', '/devices/box/faults', { kind: 'explode' }, 400, 'BAD_FAULT'],
    ['POST', '/devices/box/faults', { kind: 'silent', seconds: -1 }, 400, 'BAD_FAULT'],
    ['POST', '/devices/nope/faults', { kind: 'reboot' }, 404, 'UNKNOWN_DEVICE'],
    ['PUT', '/devices/box/slots/Z9', {}, 400, 'BAD_PLACE'],
    ['GET', '/nothing', undefined, 404, 'NOT_FOUND'],
  ];
  for (const [method, url, payload, status, code] of cases) {
    const r = await app.inject({ method: method as 'GET', url, ...(payload === undefined ? {} : { payload: payload as object }) });
    assert.equal(r.statusCode, status, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`);
    assert.equal(r.json().ok, false);
    assert.equal(r.json().error.code, code, `${method} ${url}: ${r.body}`);
  }
  const broken = await app.inject({ method: 'POST', url: '/sms', headers: { 'content-type': 'application/json' }, payload: '{"to":' });
  assert.equal(broken.statusCode, 400);
  assert.equal(broken.json().ok, false);
});

test('control API / arbitrary JSON bodies on every write route never give a 5xx', async () => {
  const { app } = setup();
  const fc = (await import('fast-check')).default;
  const routes: Array<[string, string]> = [
    ['POST', '/sms'], ['POST', '/call'], ['PUT', '/sims/79161110001'], ['POST', '/devices/box/faults'], ['PUT', '/devices/box/slots/A'],
  ];
  const body = fc.oneof(
    fc.jsonValue(),
    fc.record({ to: fc.oneof(fc.string(), fc.constant('79161110001')), from: fc.string(), text: fc.string(), pdu: fc.string(), seconds: fc.double(), kind: fc.string(), registration: fc.string(), operator: fc.string(), msisdn: fc.string() }, { requiredKeys: [] }),
  );
  await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), body, async ([method, url], payload) => {
    const r = await app.inject({ method: method as 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    return r.statusCode < 500 && (r.statusCode < 400 ? r.json().ok === true : r.json().ok === false);
  }), { numRuns: 300 });
});
