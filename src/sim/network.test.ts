/**
 * The virtual network's SMS delivery: GSM 7-bit or UCS2, numeric or alphanumeric senders, long
 * texts as concatenated parts (in order or shuffled), raw PDUs, store-and-forward, typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePdu } from '../codec/index.ts';
import { FakeClock } from '../lib/clock.ts';
import { MobileNetwork, type Subscriber } from './network.ts';
import { createRng } from './rng.ts';
import { SimCard } from './sim-card.ts';
import { readFixtureJson } from '../../test/support/fixtures.ts';

function setup(seed = 1) {
  const clock = new FakeClock(Date.UTC(2026, 4, 1, 12, 0, 0));
  const network = new MobileNetwork({ clock, rng: createRng(seed) });
  const sim = new SimCard({ iccid: '89701010000000000001', msisdn: '79160000001', operator: 'mts' });
  network.addSim(sim);
  const got: string[] = [];
  const sub: Subscriber = { receiveSms: (pdu) => { got.push(pdu); return true; }, incomingCall: () => true };
  return { clock, network, sim, got, sub };
}

const decode = (pdu: string) => {
  const d = decodePdu(pdu);
  assert.ok(d.ok && d.value.kind === 'deliver');
  return d.value;
};

test('network / a short Latin text from a number is one GSM 7-bit SMS-DELIVER with the SMSC and a +03:00 time stamp', async () => {
  const { clock, network, got, sub } = setup();
  network.attach('79160000001', sub);
  assert.deepEqual(network.sendSms({ to: '+7 916 000-00-01', from: '+79031234567', text: 'Your code is 1234' }), { ok: true, value: { parts: 1, delivered: true } });
  const d = decode(got[0]!);
  assert.equal(d.text, 'Your code is 1234');
  assert.equal(d.dcs.alphabet, 'gsm7');
  assert.equal(d.sender.text, '+79031234567');
  assert.equal(d.smsc?.text, '+79139869993');
  assert.equal(new Date(d.timestamp.iso).getTime(), clock.now());
});

test('network / Cyrillic from an alphanumeric sender is UCS2; a long text arrives as concatenated parts', async () => {
  const { clock, network, got, sub } = setup();
  network.attach('79160000001', sub);
  const text = 'Ваш баланс пополнен. '.repeat(12);
  const r = network.sendSms({ to: '79160000001', from: 'MegaFon', text });
  assert.ok(r.ok && r.value.parts === 4);
  await clock.advance(5_000);
  const parts = got.map(decode);
  assert.ok(parts.every((p) => p.dcs.alphabet === 'ucs2' && p.sender.text === 'MegaFon' && p.sender.type === 'alphanumeric'));
  assert.deepEqual(parts.map((p) => p.udh?.concat?.seq), [1, 2, 3, 4]);
  assert.equal(new Set(parts.map((p) => p.udh?.concat?.ref)).size, 1);
  assert.equal(parts.map((p) => p.text).join(''), text);
});

test('network / shuffle delivers the parts out of order, deterministically per seed', async () => {
  const orders: string[] = [];
  for (const seed of [1, 1, 2]) {
    const { clock, network, got, sub } = setup(seed);
    network.attach('79160000001', sub);
    network.sendSms({ to: '79160000001', from: 'MTC', text: 'x'.repeat(153 * 5), shuffle: true });
    await clock.advance(5_000);
    orders.push(got.map((p) => decode(p).udh!.concat!.seq).join(','));
  }
  assert.equal(orders[0], orders[1], 'same seed, same order');
  assert.notEqual(orders[0], '1,2,3,4,5');
});

test('network / a raw PDU from the fixtures is delivered byte for byte; bad PDUs are typed errors', () => {
  const { network, got, sub } = setup();
  network.attach('79160000001', sub);
  const vectors = readFixtureJson<Array<{ id: string; pdu: string }>>('pdu/deliver.json');
  const v = vectors.find((x) => x.id === 'sr-link1-01')!;
  assert.ok(network.sendSms({ to: '79160000001', pdu: v.pdu }).ok);
  assert.equal(got[0], v.pdu.toUpperCase());
  const bad = network.sendSms({ to: '79160000001', pdu: 'ZZ' });
  assert.ok(!bad.ok && bad.error.code === 'BAD_PDU');
  const unknown = network.sendSms({ to: '70000000000', text: 'x' });
  assert.ok(!unknown.ok && unknown.error.code === 'UNKNOWN_NUMBER');
  const empty = network.sendSms({ to: '79160000001', text: '' });
  assert.ok(!empty.ok && empty.error.code === 'BAD_TEXT');
});

test('network / messages for a SIM that is not registered wait and are delivered when it attaches', () => {
  const { network, got, sub } = setup();
  const r = network.sendSms({ to: '79160000001', text: 'later' });
  assert.ok(r.ok && !r.value.delivered);
  assert.equal(network.pendingFor('79160000001'), 1);
  network.attach('79160000001', sub);
  assert.equal(got.length, 1);
  assert.equal(network.pendingFor('79160000001'), 0);
});

test('network / ringing an unregistered SIM is NOT_REACHABLE; a modem SMS to a simulated number is delivered to it', () => {
  const { network, got, sub } = setup();
  const r = network.ring('79160000001', '+79031234567', 5);
  assert.ok(!r.ok && r.error.code === 'NOT_REACHABLE');
  network.attach('79160000001', sub);
  const mr = network.submit('79169999999', '+79160000001', 'ping');
  assert.equal(mr, 1);
  assert.equal(decode(got[0]!).text, 'ping');
  assert.equal(decode(got[0]!).sender.text, '+79169999999');
});
