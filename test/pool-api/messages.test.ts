/** SMS and call actions, clearSimStorage, grabCall and sendSms (with a test double as the device side). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../../src/store/testing.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import { startPanel, call, addAggregator, addCards, addPool, setStatus, addSms, addCall } from './support.ts';
import type { Panel } from './support.ts';

for (const dialect of testDialects()) {
  describe(`${dialect}: pool api messages`, () => {
    let p: Panel;
    let key: string;
    let clock: FakeClock;
    let bank: number;
    const q = (params: Record<string, string>) => call(p, { pool_key: key, ...params });

    before(async () => {
      clock = new FakeClock(Date.now());
      p = await startPanel(dialect, { clock, sendSmsTimeoutMs: 60_000 });
      const nano = await addAggregator(p, 'SR-Nano-500', { lastHeard: clock.now() });
      bank = await addAggregator(p, 'SR-Box-Bank', { lastHeard: clock.now() });
      const ids = [
        ...await addCards(p, nano, [{ place: 'A0', number: '79010000001' }, { place: 'A1', number: '79010000002' }]),
        ...await addCards(p, bank, [{ place: 'A1', number: '79030000001' }, { place: 'B1', number: '79030000002' }]),
      ];
      key = (await addPool(p, ids)).key;
      await addCards(p, nano, [{ place: 'A9', number: '79990000000' }]);
      const now = clock.now();
      await addSms(p, '79010000001', { sender: 'MTS', text: 'Ваш код 4821', receivedAt: now - 5_000, sentAt: 1615893622000 });
      await addSms(p, '79010000001', { sender: 'Telegram', text: 'Telegram code: 51837', receivedAt: now - 2_000 });
      await addSms(p, '79010000001', { sender: 'Bank', text: 'old message 1234', receivedAt: now - 3_600_000, read: true });
      await addSms(p, '79990000000', { sender: 'MTS', text: 'not in pool', receivedAt: now - 1_000 });
    });
    after(async () => { await p.close(); });

    it(`${dialect}: getSms answers per number in request order, newest first, then marks read`, async () => {
      const r = await q({ action: 'getSms', number: '9010000001,79990000000,79010000002' });
      assert.equal(r.type, 'application/json; charset=utf-8');
      const items = r.json() as Array<{ number: string; status: string; sms_counter: number; sms: Array<Record<string, string>> }>;
      assert.equal(items.length, 3);
      assert.equal(items[0]!.number, '79010000001');
      assert.equal(items[0]!.status, 'NEW_SMS');
      assert.equal(items[0]!.sms_counter, 2);
      assert.deepEqual(items[0]!.sms.map((s) => s.sender), ['Telegram', 'MTS']);
      assert.deepEqual(items[0]!.sms[1], { id: items[0]!.sms[1]!.id, sender: 'MTS', text: 'Ваш код 4821', time: '14:20:22 16.03.2021', timestamp: '1615893622', status: 'NEW' });
      assert.deepEqual(items[1], { number: '79990000000', status: 'NOT_FOUND', sms_counter: 0, sms: [] });
      assert.deepEqual(items[2], { number: '79010000002', status: 'INACTIVE', sms_counter: 0, sms: [] });
      const again = (await q({ action: 'getSms', number: '79010000001' })).json() as typeof items;
      assert.equal(again[0]!.status, 'INACTIVE');
      assert.deepEqual(again[0]!.sms.map((s) => s.status), ['READED', 'READED']);
    });

    it(`${dialect}: getSms period, sender, new and code filters; NO_NUMBER`, async () => {
      const wide = (await q({ action: 'getSms', number: '79010000001', period: '7200' })).json() as Array<{ sms_counter: number }>;
      assert.equal(wide[0]!.sms_counter, 3);
      const bySender = (await q({ action: 'getSms', number: '79010000001', sender: 'tele' })).json() as Array<{ sms: Array<{ sender: string }> }>;
      assert.deepEqual(bySender[0]!.sms.map((s) => s.sender), ['Telegram']);
      assert.equal(((await q({ action: 'getSms', number: '79010000001', new: '1' })).json() as Array<{ sms_counter: number }>)[0]!.sms_counter, 0);
      const codes = (await q({ action: 'getSms', number: '79010000001', code: '4', period: '7200' })).json() as Array<{ sms: Array<{ text: string }> }>;
      // 'Telegram code: 51837' has no 4-digit run: its first 4 digits (api.md §4 rule 3).
      assert.deepEqual(codes[0]!.sms.map((s) => s.text), ['5183', '4821', '1234']);
      assert.equal((await q({ action: 'getSms' })).body, 'NO_NUMBER');
    });

    it(`${dialect}: getLastSms answers the newest matching text; code, sender, new; EMPTY_NUMBER, NOT_FOUND`, async () => {
      const now = clock.now();
      await addSms(p, '79010000002', { sender: 'VK', text: 'VK: 123-456 — код подтверждения', receivedAt: now - 5_000 });
      await addSms(p, '79010000002', { sender: 'Info', text: 'Без кода', receivedAt: now - 100 });
      const r = await q({ action: 'getLastSms', number: '79010000002' });
      assert.equal(r.type, 'text/plain; charset=utf-8');
      assert.equal(r.body, 'Без кода');
      assert.equal((await q({ action: 'getLastSms', number: '79010000002', code: '6' })).body, '123456');
      assert.equal((await q({ action: 'getLastSms', number: '79010000002', sender: 'vk' })).body, 'VK: 123-456 — код подтверждения');
      assert.equal((await q({ action: 'getLastSms', number: '79010000002', new: '1' })).body, 'NOT_FOUND');
      assert.equal((await q({ action: 'getLastSms', number: '79010000002', period: '1', code: '6' })).body, 'NOT_FOUND');
      assert.equal((await q({ action: 'getLastSms', number: '79990000000' })).body, 'NOT_FOUND');
      assert.equal((await q({ action: 'getLastSms' })).body, 'EMPTY_NUMBER');
    });

    it(`${dialect}: deleteSms deletes only SMS of this pool; BAD_ID`, async () => {
      const mine = await addSms(p, '79010000002', { sender: 'X', text: 'to delete', receivedAt: clock.now() });
      const foreign = await addSms(p, '79990000000', { sender: 'X', text: 'foreign', receivedAt: clock.now() });
      assert.equal((await q({ action: 'deleteSms', sms_id: String(foreign) })).body, 'BAD_ID');
      assert.equal((await q({ action: 'deleteSms', sms_id: String(mine) })).body, 'DONE');
      assert.equal((await q({ action: 'deleteSms', sms_id: String(mine) })).body, 'BAD_ID');
      for (const bad of ['', 'abc', '-1', '1 OR 1=1']) assert.equal((await q({ action: 'deleteSms', sms_id: bad })).body, 'BAD_ID');
      assert.equal((await q({ action: 'deleteSms' })).body, 'BAD_ID');
      assert.ok(await p.store.db.selectFrom('sms').select('id').where('id', '=', foreign).executeTakeFirst());
    });

    it(`${dialect}: getCall lists calls per number and marks them read; deleteCall; NO_NUMBER, BAD_ID`, async () => {
      const id = await addCall(p, '79030000001', '+79161234567', clock.now() - 1000);
      const foreign = await addCall(p, '79990000000', '+79161234567', clock.now() - 1000);
      const r = (await q({ action: 'getCall', number: '79030000001,1' })).json() as Array<Record<string, unknown>>;
      assert.equal(r.length, 2);
      assert.deepEqual(r[1], { number: '1', status: 'NOT_FOUND', call_counter: 0, call: [] });
      const item = r[0] as { number: string; status: string; call_counter: number; call: Array<Record<string, string>> };
      assert.equal(item.number, '79030000001');
      assert.equal(item.status, 'INACTIVE');
      assert.equal(item.call_counter, 1);
      assert.equal(item.call[0]!.incoming_number, '79161234567');
      assert.equal(item.call[0]!.status, 'NEW');
      assert.equal(item.call[0]!.id, String(id));
      const again = (await q({ action: 'getCall', number: '79030000001' })).json() as Array<{ call: Array<{ status: string }> }>;
      assert.equal(again[0]!.call[0]!.status, 'READED');
      assert.equal((await q({ action: 'getCall' })).body, 'NO_NUMBER');
      assert.equal((await q({ action: 'deleteCall', call_id: String(foreign) })).body, 'BAD_ID');
      assert.equal((await q({ action: 'deleteCall', call_id: String(id) })).body, 'DONE');
      assert.equal((await q({ action: 'deleteCall', call_id: 'x' })).body, 'BAD_ID');
    });

    it(`${dialect}: clearSimStorage records a request per online SIM and answers DONE`, async () => {
      assert.equal((await q({ action: 'clearSimStorage' })).body, 'DONE');
      assert.equal((await p.store.db.selectFrom('device_requests').selectAll().where('kind', '=', 'clear_storage').execute()).length, 0);
      assert.equal((await q({ action: 'openNumber', number: '79030000001' })).body, '79030000001');
      assert.equal((await q({ action: 'clearSimStorage' })).body, 'DONE');
      const reqs = await p.store.db.selectFrom('device_requests').selectAll().where('kind', '=', 'clear_storage').execute();
      assert.equal(reqs.length, 1);
      assert.equal(reqs[0]!.aggregator_id, bank);
    });

    it(`${dialect}: grabCall routes calls to an online SR-Box number; ERROR when not online or the model cannot`, async () => {
      assert.equal((await q({ action: 'grabCall', number: '79030000001' })).body, 'DONE');
      const row = await p.store.db.selectFrom('card_online as co').innerJoin('cards as c', 'c.id', 'co.card_id').select('co.grab_calls').where('c.number', '=', '79030000001').executeTakeFirstOrThrow();
      assert.equal(row.grab_calls, 1);
      assert.equal((await q({ action: 'grabCall', number: '79030000002' })).body, 'ERROR');
      assert.equal((await q({ action: 'openNumber', number: '79010000002' })).body, '79010000002');
      assert.equal((await q({ action: 'grabCall', number: '79010000002' })).body, 'ERROR');
      assert.equal((await q({ action: 'grabCall' })).body, 'ERROR');
    });

    it(`${dialect}: sendSms checks number, recipient and text, and reports INACTIVE / CONNECTING without sending`, async () => {
      assert.equal((await q({ action: 'sendSms', recipient: '79161234567', text: 'hi' })).body, 'NO_NUMBER');
      assert.equal((await q({ action: 'sendSms', number: '79990000000', recipient: '79161234567', text: 'hi' })).body, 'BAD_NUMBER');
      assert.equal((await q({ action: 'sendSms', number: '79030000002', recipient: 'abc', text: 'hi' })).body, 'BAD_RECIPIENT');
      assert.equal((await q({ action: 'sendSms', number: '79030000002', recipient: '79161234567' })).body, 'EMPTY_TEXT');
      assert.equal((await q({ action: 'sendSms', number: '79030000002', recipient: '79161234567', text: '  ' })).body, 'EMPTY_TEXT');
      const inactive = await q({ action: 'sendSms', number: '79030000002', recipient: '79161234567', text: 'hi' });
      assert.equal(inactive.type, 'application/json; charset=utf-8');
      assert.deepEqual(inactive.json(), { number: '79030000002', status: 'INACTIVE' });
      assert.deepEqual((await q({ action: 'sendSms', number: '79030000001', recipient: '79161234567', text: 'hi' })).json(), { number: '79030000001', status: 'CONNECTING' });
      assert.equal((await p.store.db.selectFrom('sms_outbox').selectAll().execute()).length, 0);
    });

    it(`${dialect}: sendSms waits for the device's verdict: SENT, ERROR`, async () => {
      await setStatus(p, '79030000001', 1);
      const outbox = p.app.simnav.pools.outbox;
      const seen: string[] = [];
      let verdict: 'sent' | 'error' = 'sent';
      const off = outbox.onQueued((row) => {
        seen.push(row.recipient);
        void (async () => { assert.equal(await outbox.claim(row.id), true); await outbox.report(row.id, verdict, verdict === 'sent' ? '+CMGS: 12' : '+CMS ERROR: 500'); })();
      });
      try {
        assert.deepEqual((await q({ action: 'sendSms', number: '79030000001', recipient: '+7 916 123-45-67', text: 'Привет' })).json(), { number: '79030000001', status: 'SENT' });
        verdict = 'error';
        assert.deepEqual((await q({ action: 'sendSms', number: '79030000001', recipient: '79161234567', text: 'x' })).json(), { number: '79030000001', status: 'ERROR' });
      } finally { off(); }
      assert.deepEqual(seen, ['+79161234567', '79161234567']);
      const rows = await p.store.db.selectFrom('sms_outbox').select(['status', 'text', 'origin']).orderBy('id').execute();
      assert.deepEqual(rows.map((r) => r.status), ['sent', 'error']);
      assert.equal(rows[0]!.text, 'Привет');
    });

    it(`${dialect}: sendSms with no verdict in time answers ERROR and withdraws the SMS`, async () => {
      const pending = q({ action: 'sendSms', number: '79030000001', recipient: '79161234567', text: 'late' });
      for (let i = 0; i < 200; i++) {
        const row = await p.store.db.selectFrom('sms_outbox').select('id').where('text', '=', 'late').executeTakeFirst();
        if (row) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      await clock.advance(60_000);
      assert.deepEqual((await pending).json(), { number: '79030000001', status: 'ERROR' });
      const row = await p.store.db.selectFrom('sms_outbox').select(['status', 'result']).where('text', '=', 'late').executeTakeFirstOrThrow();
      assert.deepEqual(row, { status: 'error', result: 'timeout' });
      const outbox = p.app.simnav.pools.outbox;
      const id = (await p.store.db.selectFrom('sms_outbox').select('id').where('text', '=', 'late').executeTakeFirstOrThrow()).id;
      assert.equal(await outbox.claim(id), false);
    });
  });
}
