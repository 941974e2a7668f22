import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createTestStore, testDialects } from '../../store/testing.ts';
import { encodeDeliver, encodeDeliverParts } from '../../codec/index.ts';
import { createSmsIntake } from './intake.ts';
import { addAggregator, addCard } from '../../../test/e2e/support/world.ts';

for (const dialect of testDialects()) {
  test(`${dialect}: intake / a part read twice is stored once; the message is visible once`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = new FakeClock();
      const agg = await addAggregator(store, 'SR-Nano-500', '1000000001');
      const card = await addCard(store, agg, 'sr-nano-500', 'A1', { number: '79001112233' });
      const intake = createSmsIntake({ store, clock });
      const enc = encodeDeliver({ sender: '+79161234567', text: 'Code 4711', timestamp: clock.now() });
      assert.ok(enc.ok);
      const pdu = enc.value.hex;
      const a = await intake.commitPart({ cardId: card, number: '79001112233', pdu });
      const b = await intake.commitPart({ cardId: card, number: '79001112233', pdu: pdu.toLowerCase() });
      assert.ok(a.ok && a.kind === 'stored' && a.smsId !== null);
      assert.deepEqual(b, { ok: true, kind: 'duplicate' });
      const sms = await store.db.selectFrom('sms').selectAll().execute();
      assert.equal(sms.length, 1);
      assert.equal(sms[0]!.text, 'Code 4711');
      assert.equal(sms[0]!.sender, '79161234567');
    } finally { await store.close(); }
  });

  test(`${dialect}: intake / multipart out of order becomes whole only with the last part; stale groups are marked`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = new FakeClock();
      const agg = await addAggregator(store, 'SR-Nano-500', '1000000002');
      const card = await addCard(store, agg, 'sr-nano-500', 'A1');
      const intake = createSmsIntake({ store, clock, reassemblyWaitMs: 60_000 });
      const text = 'Длинное сообщение '.repeat(12);
      const encParts = encodeDeliverParts({ sender: 'MTC', senderType: 'alphanumeric', text, timestamp: clock.now(), ref: 77 });
      assert.ok(encParts.ok);
      const parts = encParts.value;
      assert.ok(parts.length >= 3);
      const order = [2, 0, ...parts.slice(3).map((_, i) => i + 3), 1];
      for (const [n, i] of order.entries()) {
        const r = await intake.commitPart({ cardId: card, number: null, pdu: parts[i]!.hex });
        assert.ok(r.ok && r.kind === 'stored');
        if (n < order.length - 1) assert.equal(r.smsId, null, 'not visible while parts are missing');
        else assert.notEqual(r.smsId, null);
      }
      const sms = await store.db.selectFrom('sms').selectAll().execute();
      assert.equal(sms.length, 1);
      assert.equal(sms[0]!.text, text);
      // a second message with a part missing is released after the wait, marked
      const other = encodeDeliverParts({ sender: 'MTC', senderType: 'alphanumeric', text: 'x'.repeat(400), timestamp: clock.now(), ref: 78 });
      assert.ok(other.ok);
      await intake.commitPart({ cardId: card, number: null, pdu: other.value[0]!.hex });
      assert.equal(await intake.flushStale(), 0);
      await clock.advance(61_000);
      assert.equal(await intake.flushStale(), 1);
      const last = await store.db.selectFrom('sms').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(last.parts_missing, 1);
      assert.match(last.text, /\[\.\.\.\]/);
    } finally { await store.close(); }
  });

  test(`${dialect}: intake / garbage PDU → typed error, nothing stored`, async () => {
    const store = await createTestStore(dialect);
    try {
      const agg = await addAggregator(store, 'SR-Nano-500', '1000000003');
      const card = await addCard(store, agg, 'sr-nano-500', 'A1');
      const intake = createSmsIntake({ store, clock: new FakeClock() });
      const r = await intake.commitPart({ cardId: card, number: null, pdu: '07919731ZZ' });
      assert.equal(r.ok, false);
      assert.equal((await store.db.selectFrom('sms_parts').selectAll().execute()).length, 0);
    } finally { await store.close(); }
  });
}
