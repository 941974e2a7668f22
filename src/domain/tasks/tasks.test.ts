import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/clock.ts';
import { createTestStore, testDialects } from '../../store/testing.ts';
import { createTaskQueue } from './tasks.ts';

test('sqlite: tasks / a task suspended before it ran gets its start time on its first unit after resume', async () => {
  const store = await createTestStore('sqlite');
  try {
    const clock = new FakeClock(1_000_000);
    const agg = await store.db.insertInto('aggregators').values({
      model: 'SR-Nano-500', title: 'nano', link_token_hash: 'h'.repeat(64), link_token_hint: 'h', link_mode: 'client',
      server_ip: null, server_token: null, settings: '{}', modems: '[]', step: 1000, last_heard_at: null, serial: null,
      firmware: null, disk_id: null, enabled: 1, created_at: 0, updated_at: 0,
    } as never).returning('id').executeTakeFirstOrThrow();
    const tasks = createTaskQueue({ store, clock });
    const id = await tasks.createScan(agg.id, ['A0', 'A1']);
    assert.equal(await tasks.suspend(id), true);
    assert.equal(await tasks.resume(id), true);
    await clock.advance(5_000);
    const unit = await tasks.next(agg.id);
    assert.equal(unit?.place, 'A0');
    const row = await store.db.selectFrom('tasks').select(['status', 'started_at']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'running');
    assert.equal(Number(row.started_at), 1_005_000);
  } finally {
    await store.close();
  }
});

for (const dialect of testDialects()) test(`${dialect}: tasks / a running unit's saved data comes back with it after a restart (send_sms: recipients already sent); balance keeps the previous one`, async () => {
  const store = await createTestStore(dialect);
  try {
    const clock = new FakeClock(1_000_000);
    const agg = await store.db.insertInto('aggregators').values({
      model: 'SR-Box-8', title: 'box', link_token_hash: 'b'.repeat(64), link_token_hint: 'b', link_mode: 'client',
      server_ip: null, server_token: null, settings: '{}', modems: '[]', step: 1000, last_heard_at: null, serial: null,
      firmware: null, disk_id: null, enabled: 1, created_at: 0, updated_at: 0,
    } as never).returning('id').executeTakeFirstOrThrow();
    const tasks = createTaskQueue({ store, clock });
    const id = await tasks.create(agg.id, 'send_sms', [{ place: 'A', recipients: ['+1001', '+1002'] }, { place: 'B', recipients: ['+1003'] }], { text: 't', perSim: 2 });
    const u = (await tasks.next(agg.id))!;
    assert.deepEqual(u.data, { place: 'A', recipients: ['+1001', '+1002'] });
    assert.deepEqual(await tasks.params(id), { text: 't', perSim: 2 });
    await tasks.saveUnitData(u.unitId, { ...u.data, sent: ['+1001'] });
    const again = (await createTaskQueue({ store, clock }).next(agg.id))!;
    assert.equal(again.unitId, u.unitId);
    assert.deepEqual(again.data, { place: 'A', recipients: ['+1001', '+1002'], sent: ['+1001'] });
    // the batch claim: the next unit of the same task, marked running with it
    const more = await tasks.pending(id, u.unitId, 10);
    assert.deepEqual(more.map((m) => m.place), ['B']);
    assert.deepEqual(await tasks.claim(id, more.map((m) => m.unitId)), [more[0]!.unitId]);
    const seen: number[] = [];
    tasks.onProgress((p) => { seen.push(p.progress); });
    await tasks.finishUnit(id, u.unitId, 'A', 'ok');
    await tasks.finishUnit(id, u.unitId, 'A', 'ok'); // reported twice: counted once
    assert.deepEqual(seen, [1]);
    const card = await store.db.insertInto('cards').values({ aggregator_id: agg.id, place: 'A', place_sort: 0, number: null, iccid: null, operator: 'MTS RUS', balance: null, last_balance: null, balance_at: null, last_balance_at: null, number_at: null, created_at: 0, updated_at: 0 })
      .returning('id').executeTakeFirstOrThrow();
    assert.deepEqual(await tasks.recordBalance(card.id, 12.5), { previous: null });
    await clock.advance(1000);
    assert.deepEqual(await tasks.recordBalance(card.id, 10), { previous: 12.5 });
    const row = await store.db.selectFrom('cards').select(['balance', 'last_balance', 'balance_at', 'last_balance_at']).where('id', '=', card.id).executeTakeFirstOrThrow();
    assert.deepEqual([Number(row.balance), Number(row.last_balance), Number(row.balance_at) - Number(row.last_balance_at)], [10, 12.5, 1000]);
    assert.equal(await tasks.cardOperator(card.id), 'MTS RUS');
    assert.equal((await tasks.profileFor('mts rus'))?.balanceCode, '*100#');
  } finally {
    await store.close();
  }
});
