import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createTestStore, testDialects } from '../../store/testing.ts';
import { encodeDeliver } from '../../codec/index.ts';
import { createSmsIntake } from './intake.ts';
import { addAggregator, addCard } from '../../../test/e2e/support/world.ts';

for (const dialect of testDialects()) {
  test(`${dialect}: intake / an SMS whose UCS2 text holds U+0000 is committed (PostgreSQL text cannot hold NUL) and visible once`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = new FakeClock();
      const agg = await addAggregator(store, 'SR-Nano-500', '1000000009');
      const card = await addCard(store, agg, 'sr-nano-500', 'A1', { number: '79001112233' });
      const intake = createSmsIntake({ store, clock });
      const enc = encodeDeliver({ sender: '+79161234567', text: 'Код\u00004711', timestamp: clock.now() });
      assert.ok(enc.ok);
      const a = await intake.commitPart({ cardId: card, number: '79001112233', pdu: enc.value.hex });
      assert.ok(a.ok && a.kind === 'stored');
      assert.deepEqual(await intake.commitPart({ cardId: card, number: '79001112233', pdu: enc.value.hex }), { ok: true, kind: 'duplicate' });
      const sms = await store.db.selectFrom('sms').select('text').execute();
      assert.equal(sms.length, 1);
      assert.match(sms[0]!.text, /^Код[\u0000\ufffd]4711$/);
    } finally { await store.close(); }
  });
}
