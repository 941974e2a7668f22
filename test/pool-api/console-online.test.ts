/**
 * The console's Online page and the pool API share one "put online" rule and one lock
 * (src/domain/pools/online.ts): what the console puts online or stops is seen by getNumbers /
 * getPoolStatus at once, and openNumber never seats a card beside it that the model cannot hold.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../../src/store/testing.ts';
import { createUser } from '../../src/domain/users/users.ts';
import { createSession } from '../../src/domain/auth/sessions.ts';
import { realClock } from '../../src/lib/clock.ts';
import { startPanel, call, addAggregator, addCards, addPool, onlineOn } from './support.ts';
import type { Panel } from './support.ts';

for (const dialect of testDialects()) {
  describe(`${dialect}: console Online page and the pool API`, () => {
    let p: Panel;
    let key: string;
    let org: number;
    let ids: number[] = [];
    let session: { cookie: string; csrf: string };
    const console = async (url: string, body: unknown) => {
      const r = await fetch(`${p.base}/api/v1${url}`, {
        method: 'POST', headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf }, body: JSON.stringify(body),
      });
      return { status: r.status, body: await r.json() as Record<string, unknown> };
    };
    const online = async () => ((await call(p, { pool_key: key, action: 'getNumbers', position: 'ONLINE' })).body);

    before(async () => {
      p = await startPanel(dialect);
      const u = await createUser({ db: p.store.db, clock: realClock() }, { login: 'op', role: 'operator', password: 'long enough password' });
      assert.ok(u.ok);
      const s = await createSession({ db: p.store.db, clock: realClock() }, u.value.user.id);
      session = { cookie: `simnav_session=${s.token}`, csrf: s.csrfToken };
      org = await addAggregator(p, 'SR-Organizer');
      ids = await addCards(p, org, [{ place: '1-1', number: '79020000001' }, { place: '1-2', number: '79020000002' }, { place: '2-1', number: '79020000003' }]);
      key = (await addPool(p, ids)).key;
    });
    after(async () => { await p.close(); });

    it(`${dialect}: a card the console puts online is ONLINE in getNumbers at once; its line is taken for openNumber`, async () => {
      assert.equal(await online(), 'NO_NUMBERS'); // the pool views are built now
      const r = await console('/online', { cardIds: [ids[1]], replace: false });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.online, ['1-2']);
      const listed = JSON.parse(await online()) as Array<{ number: string; status: string }>;
      assert.deepEqual(listed.map((x) => [x.number, x.status]), [['79020000002', 'FREE']]);
      // SR-Organizer holds one card per line: line 1 is taken by the console's card, so 2-1 goes.
      assert.equal((await call(p, { pool_key: key, action: 'openNumber' })).body, '79020000003');
      assert.equal((await call(p, { pool_key: key, action: 'openNumber' })).body, 'BUSY');
      assert.deepEqual(await onlineOn(p, org), ['79020000002', '79020000003']);
    });

    it(`${dialect}: the console's stop is seen by the pool API at once`, async () => {
      const r = await console('/online/stop', { aggregatorId: org });
      assert.equal(r.status, 200);
      assert.equal(r.body.count, 2);
      assert.equal(await online(), 'NO_NUMBERS');
      // FREE and offline now: 1-1 and 1-2, one line (2-1 is USED by its openNumber).
      const st = (await call(p, { pool_key: key, action: 'getPoolStatus' })).json() as Array<{ channels: number; used: number }>;
      assert.deepEqual([st[0]!.used, st[0]!.channels], [1, 1]);
    });
  });
}
