/**
 * Fleet files: the example and the demo fleet parse, the JSON schema describes the same fields as
 * the parser, and hostile input is a typed error naming the path — never a throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { demoFleet } from './demo-fleet.ts';
import { parseFleet, parseFleetText } from './fleet.ts';
import { MODEL_IDS } from './models.ts';
import { REGISTRATION_BEHAVIOURS } from './sim-card.ts';
import { FakeClock } from '../lib/clock.ts';
import { Simulator } from './simulator.ts';

const schema = JSON.parse(readFileSync(new URL('./fleet.schema.json', import.meta.url), 'utf8')) as {
  properties: Record<string, unknown>;
  $defs: { registration: { enum: string[] }; device: { properties: Record<string, { enum?: string[]; items?: { properties: Record<string, unknown> } }> } };
};

test('fleet / the example fleet file parses; count expands ids', () => {
  const r = parseFleetText(readFileSync(new URL('../../test/sim/fleets/example.json', import.meta.url), 'utf8'));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  assert.deepEqual(r.value.devices.map((d) => d.id), ['board-1', 'nano-1', 'nano-2', 'org']);
  assert.equal(r.value.timings.modem?.registerMs, 8000);
});

test('fleet / schema and parser agree on properties and enums', () => {
  assert.deepEqual(Object.keys(schema.properties).sort(), ['$schema', 'devices', 'seed', 'timings']);
  const dev = schema.$defs.device.properties;
  assert.deepEqual(Object.keys(dev).sort(), ['bankMap', 'count', 'fill', 'id', 'link', 'linkUrl', 'model', 'modemType', 'serverPort', 'serverToken', 'sims', 'smartType', 'token']);
  assert.deepEqual([...dev['model']!.enum!].sort(), [...MODEL_IDS].sort());
  assert.deepEqual(Object.keys(dev['sims']!.items!.properties).sort(), ['balance', 'iccid', 'msisdn', 'operator', 'place', 'registration']);
  assert.deepEqual(schema.$defs.registration.enum, [...REGISTRATION_BEHAVIOURS], 'registration behaviours');
});

test('fleet / the demo fleet has one aggregator of each model and SIMs of all four operators with their CSPN names', () => {
  const fleet = demoFleet();
  assert.ok(parseFleet(JSON.parse(JSON.stringify(fleet))).ok, 'the demo fleet is a valid fleet file');
  assert.deepEqual(fleet.devices.map((d) => d.model).sort(), [...MODEL_IDS].sort());
  const sim = new Simulator({ fleet, panelUrl: 'http://127.0.0.1:1/', clock: new FakeClock(), transport: { poll: async () => ({ ok: false, error: 'x' }) } });
  const sims = sim.sims();
  assert.deepEqual([...new Set(sims.map((s) => s.cspn))].sort(), ['Beeline', 'MTS RUS', 'MegaFon', 'TELE2']);
  for (const d of sim.devices.values()) assert.ok(d.hw.slots.size > 0, `${d.id} has cards`);
  assert.equal(new Set(sims.map((s) => s.number)).size, sims.length, 'numbers are unique');
  assert.ok(sims.every((s) => /^89\d{18}$/.test(s.iccid as string)));
  const again = new Simulator({ fleet: demoFleet(), panelUrl: 'http://127.0.0.1:1/', clock: new FakeClock(), transport: { poll: async () => ({ ok: false, error: 'x' }) } });
  assert.deepEqual(again.sims(), sims, 'the same seed gives the same SIMs');
});

test('fleet / bad files are typed errors with the JSON path', () => {
  const cases: Array<[unknown, string]> = [
    [null, '$'],
    [{ devices: [] }, '$.devices'],
    [{ devices: [{ id: 'a', model: 'sr-nope' }] }, '$.devices[0].model'],
    [{ devices: [{ id: 'a b', model: 'sr-board' }] }, '$.devices[0].id'],
    [{ devices: [{ id: 'a', model: 'sr-board', sims: [{ place: 'A1', operator: 'vodafone' }] }] }, '$.devices[0].sims[0].operator'],
    [{ devices: [{ id: 'a', model: 'sr-board', fill: { count: 9999 } }] }, '$.devices[0].fill.count'],
    [{ devices: [{ id: 'a', model: 'sr-board', count: 2, token: '1' }] }, '$.devices[0].token'],
    [{ devices: [{ id: 'a', model: 'sr-board' }, { id: 'a', model: 'sr-nano-500' }] }, '$.devices'],
    [{ devices: [{ id: 'a', model: 'sr-board', extra: 1 }] }, '$.devices[0].extra'],
    [{ seed: -1, devices: [{ id: 'a', model: 'sr-board' }] }, '$.seed'],
    [{ timings: { modem: { bootMs: 'slow' } }, devices: [{ id: 'a', model: 'sr-board' }] }, '$.timings.modem.bootMs'],
    [{ devices: [{ id: 'a', model: 'sr-organizer-smart', smartType: 53 }] }, '$.devices[0].smartType'],
    [{ devices: [{ id: 'a', model: 'sr-box-8-smart', smartType: 52 }] }, '$.devices[0].smartType'],
    [{ devices: [{ id: 'a', model: 'sr-organizer-smart', smartType: 52, sims: [{ place: 'C1', operator: 'mts' }] }] }, '$.devices[0].sims[0].place'],
    [{ devices: [{ id: 'a', model: 'sr-board', sims: [{ place: 'A1', operator: 'mts' }, { place: 'a01', operator: 'mts' }] }] }, '$.devices[0].sims[1].place'],
    [{ devices: [{ id: 'a', model: 'sr-box-bank', bankMap: '10000000', sims: [{ place: 'A9', operator: 'mts' }] }] }, '$.devices[0].sims[0].place'],
  ];
  for (const [input, path] of cases) {
    const r = parseFleet(input);
    assert.ok(!r.ok, JSON.stringify(input));
    assert.equal(r.error.code, 'BAD_FLEET');
    assert.equal(r.error.path, path, JSON.stringify(input));
  }
  const text = parseFleetText('{"devices": [');
  assert.ok(!text.ok && text.error.path === '$');
});

test('fleet / parseFleet never throws on arbitrary JSON', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    const r = parseFleet(v);
    return r.ok === true || (r.ok === false && typeof r.error.path === 'string');
  }), { numRuns: 300 });
  fc.assert(fc.property(fc.record({ devices: fc.array(fc.record({ id: fc.string(), model: fc.constantFrom(...MODEL_IDS, 'x'), sims: fc.array(fc.jsonValue()) })) }), (v) => {
    const r = parseFleet(v);
    return typeof r.ok === 'boolean';
  }), { numRuns: 200 });
});
