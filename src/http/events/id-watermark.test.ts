import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdWatermark } from './id-watermark.ts';

test('id watermark / ids skipped over are asked for again until they appear or expire; each is accepted once', () => {
  const w = new IdWatermark({ start: 10, trackHoles: true, holeTtlMs: 60_000, maxHoles: 5 });
  assert.deepEqual(w.query(0), { after: 10, holes: [] });
  assert.equal(w.accept(13, 0), true); // 11 and 12 are still in flight
  assert.deepEqual(w.query(1000), { after: 13, holes: [11, 12] });
  assert.equal(w.accept(12, 1000), true);
  assert.equal(w.accept(12, 1000), false, 'a filled hole is not published twice');
  assert.equal(w.accept(13, 1000), false, 'old ids are not news');
  assert.deepEqual(w.query(2000).holes, [11]);
  assert.deepEqual(w.query(61_001).holes, [], 'a rolled-back insert leaves a gap that is given up');
  assert.equal(w.accept(11, 61_001), false);
  // A jump wider than the hole budget is not tracked (a reset sequence, a bulk import).
  assert.equal(w.accept(1000, 62_000), true);
  assert.equal(w.holeCount, 0);
  assert.equal(w.last, 1000);
});

test('id watermark / without hole tracking (SQLite: ids visible in order) it is a plain watermark', () => {
  const w = new IdWatermark({ start: 0, trackHoles: false });
  assert.equal(w.accept(5, 0), true);
  assert.deepEqual(w.query(0), { after: 5, holes: [] });
  assert.equal(w.accept(3, 0), false);
});
