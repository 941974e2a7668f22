import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/clock.ts';
import { createEventBus, type Stamped } from '../domain/events/bus.ts';
import { createTestStore } from '../store/testing.ts';
import { decodeEvent, encodeEvent, startEventRelay } from './event-relay.ts';
import { CHANNELS, MAX_PAYLOAD_BYTES, PgListener, notify } from './pg-channel.ts';

const sms = (text: string): Stamped => ({
  type: 'sms.received', smsId: 1, cardId: 2, aggregatorId: 3, place: 'A1', number: '79160000001', sender: 'MTS', text, receivedAt: 5,
  seq: 1, at: 5, origin: 'node-a',
});

describe('cluster / event relay / payloads', () => {
  it('an ordinary event travels as its JSON', () => {
    const e = sms('Код 4321');
    assert.deepEqual(decodeEvent(encodeEvent(e)!, 'node-b'), e);
  });
  it('a text too long for NOTIFY is cut to fit, the rest of the event kept', () => {
    const e = sms('Ж'.repeat(20_000));
    const p = encodeEvent(e)!;
    assert.ok(Buffer.byteLength(p) <= MAX_PAYLOAD_BYTES);
    const d = decodeEvent(p, 'node-b')!;
    assert.equal(d.type, 'sms.received');
    assert.ok(d.type === 'sms.received' && d.text.endsWith('…') && d.text.length > 1000 && d.smsId === 1);
  });
  it('our own echo, malformed JSON and shapeless objects are ignored', () => {
    assert.equal(decodeEvent(encodeEvent(sms('x'))!, 'node-a'), null);
    for (const bad of ['', 'null', '[1]', '{"type":1}', '{"type":"x","origin":"n"}', '{not json']) assert.equal(decodeEvent(bad, 'node-b'), null, bad);
  });
});

describe('cluster / event relay / two nodes over PostgreSQL LISTEN/NOTIFY', () => {
  it('an event published on one node reaches the other once, and is not echoed back', async () => {
    const store = await createTestStore('postgres');
    const clock = new FakeClock();
    const a = createEventBus({ clock, nodeId: 'node-a' });
    const b = createEventBus({ clock, nodeId: 'node-b' });
    const relays = [a, b].map((bus) => startEventRelay({ bus, send: (p) => notify(store, CHANNELS.events, p) }));
    const listeners = [a, b].map((_, i) => new PgListener({
      url: store.url, clock, channels: [CHANNELS.events], onNotification: (_c, p) => relays[i]!.receive(p),
    }));
    try {
      await Promise.all(listeners.map((l) => l.start()));
      const seenA: Stamped[] = [];
      const seenB: Stamped[] = [];
      a.subscribe((e) => seenA.push(e));
      b.subscribe((e) => seenB.push(e));
      a.publish({ type: 'pool.changed', poolId: 7 });
      b.publish({ type: 'cards.changed', aggregatorId: null });
      for (let i = 0; i < 200 && (seenA.length < 2 || seenB.length < 2); i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100)); // an echo would arrive by now
      assert.deepEqual(seenA.map((e) => [e.type, e.origin]), [['pool.changed', 'node-a'], ['cards.changed', 'node-b']]);
      assert.deepEqual(seenB.map((e) => [e.type, e.origin]), [['cards.changed', 'node-b'], ['pool.changed', 'node-a']]);
      assert.equal(relays[0]!.counters.received, 1);
      assert.equal(relays[1]!.counters.received, 1);
    } finally {
      for (const r of relays) r.stop();
      await Promise.all(listeners.map((l) => l.stop()));
      await store.close();
    }
  });
});
