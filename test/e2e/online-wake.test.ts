import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createWorld } from './support/harness.ts';

/**
 * Sessions wake on desired-state changes instead of re-reading `card_online` every second: an idle
 * minute costs a few ticks (registration check, SMS safety listing), and a change written straight
 * to the store — as the console's online routes and other cluster nodes do, without calling the
 * runtime — is acted on within the desired-state watch's period, far below the re-read safety net.
 */
test('e2e / online sessions: idle sessions do not poll the store; a change made by anyone wakes them', async () => {
  const w = await createWorld([
    { id: 'board', model: 'SR-Board', simModel: 'sr-board', token: '3100000001', sims: [{ place: 'A1', number: '79262000001' }, { place: 'C3', number: '79262000002' }] },
  ]);
  try {
    assert.ok(await w.open('79262000001'));
    assert.ok(await w.until(async () => (await w.status('79262000001')).startsWith('WAIT'), 240_000), await w.status('79262000001'));
    await w.drive(5000);
    const s = w.session();
    const before = s.stats.ticks;
    await w.drive(60_000);
    const idle = s.stats.ticks - before;
    assert.ok(idle <= 8, `ticks in an idle minute: ${idle} (a 1 s re-read makes ~60)`);

    const position = async (cardId: number) => (await w.store.db.selectFrom('card_online').select('position').where('card_id', '=', cardId).executeTakeFirst())?.position;
    const second = w.cards.get('board:C3')!;
    const first = w.cards.get('board:A1')!;
    // The console puts the second card online: one row written to the store, no wake() call.
    const now = w.clock.now();
    await w.store.db.insertInto('card_online').values({
      card_id: second, aggregator_id: w.aggregators.get('board')!, desired: 'online', opened_by_pool: null, opened_at: now,
      channel: null, status_code: -3, status_at: now, generation: 1, updated_at: now,
    }).execute();
    assert.ok(await w.until(async () => (await position(second)) === 'ONLINE', 5000), 'seated within the watch period, not the 20 s safety net');
    assert.ok(await w.until(async () => (await w.status('79262000002')).startsWith('WAIT'), 240_000), await w.status('79262000002'));
    // …and, once it is seated (a seating holds the session until the device answers), takes the first one offline.
    await w.store.db.updateTable('card_online')
      .set({ desired: 'offline', status_code: null, status_at: w.clock.now(), channel: null, generation: sql<number>`generation + 1`, updated_at: w.clock.now() })
      .where('card_id', '=', first).execute();
    assert.ok(await w.until(async () => (await position(first)) === 'HOLD', 5000), 'released within the watch period');
  } finally {
    await w.stop();
  }
});
