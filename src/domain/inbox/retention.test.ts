import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createTestStore, testDialects } from '../../store/testing.ts';
import { encodeDeliver } from '../../codec/index.ts';
import { createSmsIntake } from '../sms-intake/intake.ts';
import { addAggregator, addCard } from '../../../test/e2e/support/world.ts';
import { deleteSms } from './inbox.ts';
import { enforceRetention } from './retention.ts';

const DAY = 24 * 60 * 60_000;

for (const dialect of testDialects()) {
  test(`${dialect}: inbox / a deleted SMS stays deleted: the intake's timeout does not assemble it again`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = new FakeClock();
      const agg = await addAggregator(store, 'SR-Nano-500', '1000000101');
      const card = await addCard(store, agg, 'sr-nano-500', 'A1', { number: '79001112233' });
      const intake = createSmsIntake({ store, clock, reassemblyWaitMs: 60_000 });
      const enc = encodeDeliver({ sender: '+79161234567', text: 'Code 4711', timestamp: clock.now() });
      assert.ok(enc.ok);
      const r = await intake.commitPart({ cardId: card, number: '79001112233', pdu: enc.value.hex });
      assert.ok(r.ok && r.kind === 'stored' && r.smsId !== null);
      assert.equal(await deleteSms(store.db, [r.smsId]), 1);
      await clock.advance(61_000);
      assert.equal(await intake.flushStale(), 0);
      assert.equal((await store.db.selectFrom('sms').selectAll().execute()).length, 0);
      assert.equal((await store.db.selectFrom('sms_parts').selectAll().execute()).length, 0, 'the raw PDU went with the message');
    } finally { await store.close(); }
  });

  test(`${dialect}: retention / retentionDays deletes older SMS, their parts and calls; 0 keeps everything`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = new FakeClock();
      const agg = await addAggregator(store, 'SR-Nano-500', '1000000102');
      const card = await addCard(store, agg, 'sr-nano-500', 'A1', { number: '79001112234' });
      const intake = createSmsIntake({ store, clock });
      const commit = async (text: string) => {
        const enc = encodeDeliver({ sender: 'Bank', senderType: 'alphanumeric', text, timestamp: clock.now() });
        assert.ok(enc.ok);
        const r = await intake.commitPart({ cardId: card, number: '79001112234', pdu: enc.value.hex });
        assert.ok(r.ok && r.kind === 'stored');
      };
      const call = async () => { await store.db.insertInto('calls').values({ card_id: card, number: '79001112234', caller: '79160000000', at: clock.now(), read: 0 }).execute(); };
      await commit('old one'); await call();
      await clock.advance(3 * DAY);
      await commit('new one'); await call();

      assert.deepEqual(await enforceRetention(store.db, clock.now()), { sms: 0, calls: 0 }, 'no setting: keep forever');
      await store.db.insertInto('settings').values({ key: 'retentionDays', value: '0', updated_at: clock.now() }).execute();
      assert.deepEqual(await enforceRetention(store.db, clock.now()), { sms: 0, calls: 0 }, '0: keep forever');
      await store.db.updateTable('settings').set({ value: '2' }).where('key', '=', 'retentionDays').execute();
      assert.deepEqual(await enforceRetention(store.db, clock.now()), { sms: 1, calls: 1 });
      assert.deepEqual((await store.db.selectFrom('sms').select('text').execute()).map((r) => r.text), ['new one']);
      assert.equal((await store.db.selectFrom('sms_parts').selectAll().execute()).length, 1);
      assert.equal((await store.db.selectFrom('calls').selectAll().execute()).length, 1);
    } finally { await store.close(); }
  });
}
