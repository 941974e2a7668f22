/**
 * Not a test: times `importLegacy` on a large legacy database (10 SR-Box-Bank × 512 cards, 10
 * pools × 500 cards, 20 000 SMS, 5 000 calls) into fresh SQLite and PostgreSQL stores, twice
 * (the second run finds everything present). Prints the figures.
 *
 *   npx tsx test/import/measure.ts
 */
import mysql from 'mysql2/promise';
import { createLegacyDb, MARIADB, php } from './legacy-db.ts';
import { createTestStore } from '../../src/store/testing.ts';
import { openMysqlSource } from '../../src/import/legacy/legacy-source.ts';
import { importLegacy } from '../../src/import/legacy/import-legacy.ts';
import { realClock } from '../../src/lib/clock.ts';

const legacy = await createLegacyDb('sept-2021');
const c = await mysql.createConnection({ ...MARIADB, database: legacy.name });
const T = 1_666_358_130;
const LETTERS = 'ABCDEFGH';
try {
  for (let d = 0; d < 10; d++) {
    const id = 100 + d;
    await c.query(`INSERT INTO devices (id, title, model, token_remote, data) VALUES (?, ?, 'SR-Box-Bank', ?, ?)`, [id, `Bank ${d}`, String(8000000000 + d), php({ map: '11111111' })]);
    const rows: unknown[][] = [];
    for (let col = 0; col < 8; col++) for (let r = 1; r <= 64; r++) rows.push([id, `${LETTERS[col]}${r}`, String(79000000000 + d * 1000 + col * 64 + r), 'MTS RUS', T]);
    await c.query('INSERT INTO cards (device, place, number, operator, time) VALUES ?', [rows]);
  }
  for (let p = 0; p < 10; p++) {
    await c.query('INSERT INTO pools (id, title, `key`, time) VALUES (?, ?, ?, ?)', [100 + p, `Pool ${p}`, `${String(p).padStart(2, '0')}${'ab'.repeat(15)}`, T]);
    const rows: unknown[][] = [];
    for (let i = 0; i < 500; i++) rows.push([100 + p, String(79000000000 + p * 1000 + (i % 512) + 1)]);
    await c.query('INSERT IGNORE INTO card2pool (pool, card) VALUES ?', [rows]);
  }
  for (let k = 0; k < 20; k++) {
    const rows: unknown[][] = [];
    for (let i = 0; i < 1000; i++) { const n = k * 1000 + i; rows.push([T + n, T + n, 0, String(79000000000 + (n % 10) * 1000 + (n % 512) + 1), 'Sender', `Код ${n}`]); }
    await c.query('INSERT INTO sms_incoming (time, modified, card_id, number, sender, txt) VALUES ?', [rows]);
  }
  const calls: unknown[][] = [];
  for (let i = 0; i < 5000; i++) calls.push([T + i * 60, String(79000000000 + (i % 10) * 1000 + (i % 512) + 1), '+79035550000', 100 + (i % 10)]);
  await c.query('INSERT INTO call_incoming (time, number, incoming, device) VALUES ?', [calls]);
} finally { await c.end(); }

try {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const store = await createTestStore(dialect);
    try {
      for (const run of ['first', 'second']) {
        const src = await openMysqlSource(legacy.url);
        if (!src.ok) throw new Error(src.error.message);
        const t0 = performance.now();
        const r = await importLegacy(src.value, store, { clock: realClock() });
        const ms = performance.now() - t0;
        await src.value.close();
        if (!r.ok) throw new Error(r.error.message);
        const k = r.value.counts;
        console.log(`${dialect} ${run} run: ${(ms / 1000).toFixed(1)} s — cards ${k.cards.imported}+${k.cards.present}, poolCards ${k.poolCards.imported}+${k.poolCards.present}, sms ${k.sms.imported}+${k.sms.present}, calls ${k.calls.imported}+${k.calls.present} (imported+present)`);
      }
    } finally { await store.close(); }
  }
} finally { await legacy.drop(); }
