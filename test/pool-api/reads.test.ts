/** Pool API reads and the common checks, over real HTTP, every way of sending parameters. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../../src/store/testing.ts';
import { startPanel, call, addAggregator, addCards, addPool } from './support.ts';
import type { Method, Panel } from './support.ts';

const METHODS: Method[] = ['GET', 'POST-form', 'POST-multipart', 'POST-json'];

for (const dialect of testDialects()) {
  describe(`${dialect}: pool api reads`, () => {
    let p: Panel;
    let key: string;
    let otherKey: string;
    let nano: number; let org: number; let bank: number;
    before(async () => {
      p = await startPanel(dialect);
      nano = await addAggregator(p, 'SR-Nano-500');
      org = await addAggregator(p, 'SR-Organizer');
      bank = await addAggregator(p, 'SR-Box-Bank');
      const ids = [
        ...await addCards(p, nano, [
          { place: 'A1', number: '79010000002', operator: 'BEE' },
          { place: 'A0', number: '79010000001', operator: 'MTS RUS' },
          { place: 'A2', number: null },
        ]),
        ...await addCards(p, org, [
          { place: '1-1', number: '79020000001', operator: 'BEE' },
          { place: '1-2', number: '79180000002', operator: 'BEE' },
          { place: '2-1', number: '79020000003', operator: 'MTS RUS' },
        ]),
        ...await addCards(p, bank, [{ place: 'A1', number: '79030000001', operator: 'MEGAFON' }, { place: 'B1', number: '79030000002', operator: 'MEGAFON' }]),
      ];
      key = (await addPool(p, ids)).key;
      const lone = await addCards(p, nano, [{ place: 'A5', number: '79990000000' }]);
      otherKey = (await addPool(p, lone)).key;
    });
    after(async () => { await p.close(); });

    it(`${dialect}: missing or unknown pool_key → BAD_KEY, checked before the action`, async () => {
      const cases: Array<Record<string, string>> = [{ action: 'getPoolStatus' }, { pool_key: 'nope', action: 'getPoolStatus' }, { pool_key: 'nope', action: 'bogus' }, {}];
      for (const params of cases) {
        const r = await call(p, params);
        assert.equal(r.status, 200);
        assert.equal(r.type, 'text/plain; charset=utf-8');
        assert.equal(r.body, 'BAD_KEY');
      }
    });

    it(`${dialect}: missing, unknown or wrongly cased action → BAD_ACTION`, async () => {
      for (const action of [undefined, '', 'getpoolstatus', 'getAggregators', 'toString', '__proto__', 'constructor']) {
        const r = await call(p, action === undefined ? { pool_key: key } : { pool_key: key, action });
        assert.equal(r.body, 'BAD_ACTION', String(action));
      }
    });

    for (const method of METHODS) {
      it(`${dialect}: getPoolStatus by ${method} → one JSON object that adds up`, async () => {
        const r = await call(p, { pool_key: key, action: 'getPoolStatus' }, method);
        assert.equal(r.status, 200);
        assert.equal(r.type, 'application/json; charset=utf-8');
        // 7 numbers (the number-less card does not count); Nano 1 + Organizer 2 + Bank 2 can be online together.
        assert.deepEqual(r.json(), [{ total: 7, used: 0, free: 7, channels: 5 }]);
      });
    }

    it(`${dialect}: the body wins over the query string`, async () => {
      const res = await fetch(`${p.base}/api/handler.php?pool_key=${key}&action=bogus`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=getPoolStatus',
      });
      assert.deepEqual(JSON.parse(await res.text()), [{ total: 7, used: 0, free: 7, channels: 5 }]);
    });

    it(`${dialect}: getPoolStatus filters by device_id (or deviceId) and operator`, async () => {
      assert.deepEqual((await call(p, { pool_key: key, action: 'getPoolStatus', device_id: String(org) })).json(), [{ total: 3, used: 0, free: 3, channels: 2 }]);
      assert.deepEqual((await call(p, { pool_key: key, action: 'getPoolStatus', deviceId: `${nano},${bank}` })).json(), [{ total: 4, used: 0, free: 4, channels: 3 }]);
      assert.deepEqual((await call(p, { pool_key: key, action: 'getPoolStatus', operator: 'bee, MEGAFON' })).json(), [{ total: 5, used: 0, free: 5, channels: 4 }]);
      assert.deepEqual((await call(p, { pool_key: key, action: 'getPoolStatus', device_id: 'x' })).json(), [{ total: 0, used: 0, free: 0, channels: 0 }]);
    });

    it(`${dialect}: getAgregators lists aggregators with pool numbers, by id, with the model's channels`, async () => {
      assert.deepEqual((await call(p, { pool_key: key, action: 'getAgregators' })).json(), [
        { id: nano, model: 'SR-Nano-500', numbers: 2, channels: 1 },
        { id: org, model: 'SR-Organizer', numbers: 3, channels: 2 },
        { id: bank, model: 'SR-Box-Bank', numbers: 2, channels: 8 },
      ]);
      assert.deepEqual((await call(p, { pool_key: key, action: 'getAgregators', operator: 'MTS RUS' })).json(), [
        { id: nano, model: 'SR-Nano-500', numbers: 1, channels: 1 },
        { id: org, model: 'SR-Organizer', numbers: 1, channels: 2 },
      ]);
      assert.deepEqual((await call(p, { pool_key: key, action: 'getAgregators', operator: 'nobody' })).json(), []);
    });

    it(`${dialect}: getOperators counts numbers per stored operator name, by name`, async () => {
      assert.deepEqual((await call(p, { pool_key: key, action: 'getOperators' })).json(), [
        { name: 'BEE', numbers: 3 }, { name: 'MEGAFON', numbers: 2 }, { name: 'MTS RUS', numbers: 2 },
      ]);
      assert.deepEqual((await call(p, { pool_key: key, action: 'getOperators', device_id: String(org) })).json(), [
        { name: 'BEE', numbers: 2 }, { name: 'MTS RUS', numbers: 1 },
      ]);
      assert.deepEqual((await call(p, { pool_key: key, action: 'getOperators', device_id: '999999' })).json(), []);
    });

    it(`${dialect}: getNumbers lists by aggregator then place, with FREE/HOLD`, async () => {
      const r = await call(p, { pool_key: key, action: 'getNumbers' });
      assert.equal(r.type, 'application/json; charset=utf-8');
      const rows = r.json() as Array<Record<string, string>>;
      assert.deepEqual(rows.map((x) => x.number), ['79010000001', '79010000002', '79020000001', '79180000002', '79020000003', '79030000001', '79030000002']);
      assert.deepEqual(rows[0], { number: '79010000001', place: 'A0', device_id: String(nano), model: 'SR-Nano-500', operator: 'MTS RUS', status: 'FREE', position: 'HOLD' });
    });

    it(`${dialect}: getNumbers phone_exception drops prefixes with and without the country code`, async () => {
      const a = (await call(p, { pool_key: key, action: 'getNumbers', phone_exception: '7918' })).json() as Array<{ number: string }>;
      assert.equal(a.some((x) => x.number === '79180000002'), false);
      assert.equal(a.length, 6);
      const b = (await call(p, { pool_key: key, action: 'getNumbers', phoneException: '918,903' })).json() as Array<{ number: string }>;
      assert.deepEqual(b.map((x) => x.number), ['79010000001', '79010000002', '79020000001', '79020000003']);
    });

    it(`${dialect}: getNumbers errors: WRONG_EXCEPTION_PHONE, NO_NUMBERS`, async () => {
      for (const ex of ['79a', '+7918', '1234567890123456']) {
        assert.equal((await call(p, { pool_key: key, action: 'getNumbers', phone_exception: ex })).body, 'WRONG_EXCEPTION_PHONE');
      }
      assert.equal((await call(p, { pool_key: key, action: 'getNumbers', position: 'ONLINE' })).body, 'NO_NUMBERS');
      assert.equal((await call(p, { pool_key: key, action: 'getNumbers', operator: 'none' })).body, 'NO_NUMBERS');
    });

    it(`${dialect}: a pool sees only its own numbers`, async () => {
      assert.deepEqual((await call(p, { pool_key: otherKey, action: 'getPoolStatus' })).json(), [{ total: 1, used: 0, free: 1, channels: 1 }]);
      assert.equal((await call(p, { pool_key: otherKey, action: 'getSimStatus', number: '79010000001' })).body, 'NOT_FOUND');
    });

    it(`${dialect}: /healthz and /metrics answer`, async () => {
      const h = await fetch(`${p.base}/healthz`);
      assert.equal(h.status, 200);
      assert.deepEqual(await h.json(), { status: 'ok', db: dialect });
      const m = await (await fetch(`${p.base}/metrics`)).text();
      assert.match(m, /simnav_pool_api_requests_total\{action="getPoolStatus",answer="json"\} \d+/);
      assert.match(m, /simnav_pool_api_duration_seconds_bucket\{le="0.005",action="getPoolStatus"\}/);
      assert.match(m, /simnav_numbers_online 0/);
      assert.match(m, /simnav_sms_received_total 0/);
    });
  });
}
