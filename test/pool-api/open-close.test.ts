/** openNumber(s), closeNumber, getSimStatus, poolRestart over real HTTP. */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../../src/store/testing.ts';
import { startPanel, call, addAggregator, addCards, addPool, setStatus, onlineOn } from './support.ts';
import type { Panel } from './support.ts';

for (const dialect of testDialects()) {
  describe(`${dialect}: pool api open and close`, () => {
    let p: Panel;
    let key: string;
    let nano: number; let org: number; let silent: number;
    const q = (params: Record<string, string>) => call(p, { pool_key: key, ...params });

    beforeEach(async () => {
      p = await startPanel(dialect);
      nano = await addAggregator(p, 'SR-Nano-500');
      org = await addAggregator(p, 'SR-Organizer');
      silent = await addAggregator(p, 'SR-Nano-1000', { lastHeard: null });
      const ids = [
        ...await addCards(p, nano, [{ place: 'A1', number: '79010000002' }, { place: 'A0', number: '79010000001' }]),
        ...await addCards(p, org, [
          { place: '1-1', number: '79020000001' }, { place: '1-2', number: '79020000002' }, { place: '2-1', number: '79020000003', operator: 'BEE' },
        ]),
        ...await addCards(p, silent, [{ place: 'B3', number: '79050000001' }]),
      ];
      key = (await addPool(p, ids)).key;
    });
    afterEach(async () => { await p.close(); });

    it(`${dialect}: openNumber takes FREE numbers in aggregator then place order, respecting capacity`, async () => {
      const got: string[] = [];
      for (let i = 0; i < 4; i++) got.push((await q({ action: 'openNumber' })).body);
      // Nano holds one; Organizer one per line (1-1 and 2-1); the silent Nano-1000 takes one too.
      assert.deepEqual(got, ['79010000001', '79020000001', '79020000003', '79050000001']);
      assert.equal((await q({ action: 'openNumber' })).body, 'BUSY');
      assert.deepEqual(await onlineOn(p, org), ['79020000001', '79020000003']);
      const st = (await q({ action: 'getPoolStatus' })).json();
      assert.deepEqual(st, [{ total: 6, used: 4, free: 2, channels: 0 }]);
      const online = (await q({ action: 'getNumbers', position: 'ONLINE' })).json() as Array<{ number: string; status: string; position: string }>;
      assert.deepEqual(online.map((x) => [x.number, x.status, x.position]), [
        ['79010000001', 'USED', 'ONLINE'], ['79020000001', 'USED', 'ONLINE'], ['79020000003', 'USED', 'ONLINE'], ['79050000001', 'USED', 'ONLINE'],
      ]);
    });

    it(`${dialect}: openNumber → NO_NUMBERS when nothing matches, BUSY when matches cannot go online`, async () => {
      assert.equal((await q({ action: 'openNumber', operator: 'nobody' })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'openNumber', device_id: String(nano) })).body, '79010000001');
      assert.equal((await q({ action: 'openNumber', device_id: String(nano) })).body, 'BUSY');
      await q({ action: 'closeNumber', number: '79010000001' });
      assert.equal((await q({ action: 'openNumber', device_id: String(nano) })).body, '79010000002');
      await q({ action: 'closeNumber', number: '79010000002' });
      // Both Nano numbers are USED now: nothing eligible without mode=repeat.
      assert.equal((await q({ action: 'openNumber', device_id: String(nano) })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'openNumber', device_id: String(nano), mode: 'repeat' })).body, '79010000001');
    });

    it(`${dialect}: openNumber with number: that number (suffix matching), USED only with mode=repeat`, async () => {
      assert.equal((await q({ action: 'openNumber', number: '+7 (902) 000-00-02' })).body, '79020000002');
      assert.equal((await q({ action: 'openNumber', number: '9020000002' })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'openNumber', number: '9020000002', mode: 'repeat' })).body, '79020000002');
      // 1-1 shares line 1 with the online 1-2.
      assert.equal((await q({ action: 'openNumber', number: '79020000001' })).body, 'BUSY');
      assert.equal((await q({ action: 'openNumber', number: '020000001' })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'openNumber', number: '79990000000' })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'openNumber', number: 'abc' })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'closeNumber', number: '79020000002' })).body, 'DONE');
      assert.equal((await q({ action: 'openNumber', number: '79020000002' })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'openNumber', number: '79020000002', phone_exception: '902' })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'openNumber', number: '79020000002', phone_exception: 'x' })).body, 'WRONG_EXCEPTION_PHONE');
    });

    it(`${dialect}: openNumber phone_exception skips excluded numbers`, async () => {
      assert.equal((await q({ action: 'openNumber', phone_exception: '901' })).body, '79020000001');
    });

    it(`${dialect}: openNumbers channels=max opens the largest set across aggregators`, async () => {
      const r = await q({ action: 'openNumbers', channels: 'max' });
      assert.equal(r.type, 'application/json; charset=utf-8');
      assert.deepEqual(r.json(), { total: 4, numbers: '79010000001,79020000001,79020000003,79050000001' });
      assert.equal((await q({ action: 'openNumbers' })).body, 'NO_CHANNELS');
    });

    it(`${dialect}: openNumbers channels=N opens exactly N or answers NO_CHANNELS and opens nothing`, async () => {
      assert.deepEqual((await q({ action: 'openNumbers', channels: '2' })).json(), { total: 2, numbers: '79010000001,79020000001' });
      assert.equal((await q({ action: 'openNumbers', channels: '3' })).body, 'NO_CHANNELS');
      assert.deepEqual(await onlineOn(p, silent), []);
      assert.deepEqual((await q({ action: 'openNumbers', channels: '2' })).json(), { total: 2, numbers: '79020000003,79050000001' });
    });

    it(`${dialect}: openNumbers number list restricts the candidates; errors`, async () => {
      assert.deepEqual((await q({ action: 'openNumbers', number: '79020000002, 79020000003,79010000002' })).json(),
        { total: 3, numbers: '79010000002,79020000002,79020000003' });
      assert.equal((await q({ action: 'openNumbers', number: '79990000000' })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'openNumbers', number: '79020000001' })).body, 'NO_CHANNELS');
      assert.equal((await q({ action: 'openNumbers', operator: 'nobody' })).body, 'NO_NUMBERS');
      assert.equal((await q({ action: 'openNumbers', phoneException: '7,a' })).body, 'WRONG_EXCEPTION_PHONE');
    });

    it(`${dialect}: closeNumber is idempotent; EMPTY_NUMBER and BAD_NUMBER`, async () => {
      await q({ action: 'openNumber' });
      assert.equal((await q({ action: 'closeNumber' })).body, 'EMPTY_NUMBER');
      assert.equal((await q({ action: 'closeNumber', number: ' , ' })).body, 'EMPTY_NUMBER');
      assert.equal((await q({ action: 'closeNumber', number: '79990000000' })).body, 'BAD_NUMBER');
      assert.equal((await q({ action: 'closeNumber', number: '79010000001,79990000000' })).body, 'DONE');
      assert.equal((await q({ action: 'closeNumber', number: '79010000001' })).body, 'DONE');
      assert.deepEqual(await onlineOn(p, nano), []);
    });

    it(`${dialect}: getSimStatus reports statuses in request order; NOT_FOUND item and token; EMPTY_NUMBER`, async () => {
      await q({ action: 'openNumbers', channels: 'max' });
      assert.deepEqual((await q({ action: 'getSimStatus', number: '79010000001,79990000000,79020000002,79050000001' })).json(), [
        { number: '79010000001', status: 'CONNECTING' }, { number: '79990000000', status: 'NOT_FOUND' },
        { number: '79020000002', status: 'INACTIVE' }, { number: '79050000001', status: 'OFFLINE' },
      ]);
      await setStatus(p, '79010000001', 1);
      await setStatus(p, '79020000001', 5);
      await setStatus(p, '79020000003', 3);
      assert.deepEqual((await q({ action: 'getSimStatus', number: '9010000001,79020000001,79020000003' })).json(), [
        // Nano and Organizer report calls (device-link.md §9.3).
        { number: '79010000001', status: 'WAIT_SMS_CALL' }, { number: '79020000001', status: 'WAIT_SMS_CALL' }, { number: '79020000003', status: 'ERROR' },
      ]);
      await setStatus(p, '79010000001', 1, { ringCaller: '+79161234567', ringAt: Date.now() - 1000 });
      assert.deepEqual((await q({ action: 'getSimStatus', number: '79010000001' })).json(), [{ number: '79010000001', status: 'RING_[79161234567]' }]);
      assert.equal((await q({ action: 'getSimStatus', number: '79990000000' })).body, 'NOT_FOUND');
      assert.equal((await q({ action: 'getSimStatus' })).body, 'EMPTY_NUMBER');
    });

    it(`${dialect}: poolRestart frees every number and takes cards offline; keep leaves them online`, async () => {
      await q({ action: 'openNumbers' });
      assert.equal((await q({ action: 'poolRestart', keep: 'yes' })).body, 'DONE');
      assert.deepEqual((await q({ action: 'getPoolStatus' })).json(), [{ total: 6, used: 0, free: 6, channels: 0 }]);
      assert.deepEqual(await onlineOn(p, org), ['79020000001', '79020000003']);
      assert.equal((await q({ action: 'poolRestart' })).body, 'DONE');
      assert.deepEqual(await onlineOn(p, org), []);
      assert.deepEqual((await q({ action: 'getPoolStatus' })).json(), [{ total: 6, used: 0, free: 6, channels: 4 }]);
      assert.equal((await q({ action: 'openNumber' })).body, '79010000001');
    });
  });
}
