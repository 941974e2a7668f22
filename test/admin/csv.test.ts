import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedAggregator, startPanel, type Panel } from './support.ts';
import { testDialects } from '../../src/store/testing.ts';
import { encodeCp1251, decodeCp1251 } from '../../src/domain/inventory/csv/cp1251.ts';

const HEADER = 'Модель;Агрегатор;ICCID;Номер;Место;Баланс;Оператор;Время;Название;Комментарий';

for (const dialect of testDialects()) describe(`${dialect}: admin api: CSV import and export (legacy layout)`, () => {
  let p: Panel;
  let nano: number;
  let bank: number;
  before(async () => {
    p = await startPanel(dialect);
    nano = await seedAggregator(p, 'SR-Nano-500', 'Nano');
    bank = await seedAggregator(p, 'SR-Box-Bank', 'Bank');
  });
  after(async () => { await p.close(); });

  const importCsv = (body: string | Uint8Array, q = '', contentType = 'text/csv') =>
    p.call('POST', `/cards/import${q}`, { token: p.admin, raw: body, contentType });

  test('UTF-8 import: device by id or by model, + in numbers, P: places, Blocked, upsert by number', async () => {
    const csv = [
      HEADER,
      `SR-Nano-500;${nano};89701010000000000011;+79160000011;P:A0;12,50;MTS RUS;01.02.2025 10:00:00;Первая;комментарий`,
      'SR-Box-Bank;;;79160000012;P:B3;-1.5;MEGAFON;;;',
      `SR-Nano-500;${nano};;Blocked;P:A1;;;;;`,
    ].join('\r\n');
    const r = await importCsv(csv);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.encoding, r.body.inserted, r.body.updated, r.body.skipped], ['utf-8', 3, 0, 0]);
    const cards = await p.store.db.selectFrom('cards').selectAll().orderBy('id').execute();
    assert.deepEqual(cards.map((c) => [c.aggregator_id, c.place, c.number, c.balance, c.blocked]), [
      [nano, 'A0', '79160000011', 12.5, 0], [bank, 'B3', '79160000012', -1.5, 0], [nano, 'A1', null, null, 1],
    ]);
    assert.equal(cards[0]!.title, 'Первая');
    // same number again, new balance and place: updated, previous balance kept
    const again = await importCsv(`${HEADER}\nSR-Nano-500;${nano};;79160000011;P:A5;20;MTS RUS;;Первая;`);
    assert.deepEqual([again.body.inserted, again.body.updated], [0, 1]);
    const moved = await p.store.db.selectFrom('cards').selectAll().where('number', '=', '79160000011').executeTakeFirstOrThrow();
    assert.deepEqual([moved.place, moved.balance, moved.last_balance], ['A5', 20, 12.5]);
  });

  test('a number or place repeated within one file updates the row it already wrote (last row wins)', async () => {
    const csv = [
      HEADER,
      `SR-Box-Bank;${bank};;79160000061;P:F1;1;;;first;`,
      `SR-Box-Bank;${bank};;79160000061;P:F2;2;;;second;`,
      `SR-Box-Bank;${bank};;79160000062;P:F2;;;;;`,
      `SR-Box-Bank;${bank};;;P:F3;;;;no number;`,
      `SR-Box-Bank;${bank};;79160000063;P:F3;;;;now numbered;`,
      `SR-Box-Bank;${bank};;79160000063;P:F2;;;;;`,
    ].join('\n');
    const r = await importCsv(csv);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.inserted, r.body.updated], [2, 0]);
    assert.deepEqual(r.body.errors, [{ line: 7, code: 'CSV_PLACE_TAKEN', field: 'place' }], 'number 63 is at F3, F2 is another card');
    const rows = await p.store.db.selectFrom('cards').select(['place', 'number', 'balance', 'title']).where('place', 'like', 'F%').orderBy('place').execute();
    assert.deepEqual(rows, [
      { place: 'F2', number: '79160000062', balance: 2, title: '' }, // line 4: a new number at F2 renumbers that card
      { place: 'F3', number: '79160000063', balance: null, title: 'now numbered' },
    ]);
  });

  test('CP1251 file is detected and decoded; tab and comma separators work', async () => {
    const text = `${HEADER.replaceAll(';', '\t')}\nSR-Box-Bank\t${bank}\t\t79160000021\tP:C1\t5\tМегаФон\t\tКарта Ё\tзаметка`;
    const r = await importCsv(encodeCp1251(text), '', 'application/octet-stream');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.encoding, 'windows-1251');
    const c = await p.store.db.selectFrom('cards').selectAll().where('number', '=', '79160000021').executeTakeFirstOrThrow();
    assert.deepEqual([c.title, c.comment, c.operator], ['Карта Ё', 'заметка', 'МегаФон']);
    const comma = await importCsv(`model,id,iccid,number,place\nSR-Box-Bank,${bank},,79160000022,P:C2`);
    assert.equal(comma.body.inserted, 1);
  });

  test('bad rows are skipped and reported by line; ?aggregatorId forces the device; unknown device reported', async () => {
    const csv = [
      HEADER,
      'SR-Box-Bank;;;79160000031;P:D1;;;;;',
      'SR-Box-Bank;;;7916abc;P:D2;;;;;',
      'SR-Box-Bank;;;79160000033;P:Z9;;;;;',
      "SR-Box-Bank;;;79160000034;P:D4;1 OR 1=1;;;;",
      'SR-Unknown;;;79160000035;P:D5;;;;;',
      'SR-Box-Bank;777;;79160000036;P:D6;;;;;',
    ].join('\n');
    const r = await importCsv(csv);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.inserted, 2, 'line 7: unknown id 777 falls back to the first SR-Box-Bank (legacy rule)');
    assert.deepEqual(r.body.errors, [
      { line: 3, code: 'CSV_BAD_FIELD', field: 'number' },
      { line: 4, code: 'CSV_BAD_PLACE', field: 'place' },
      { line: 5, code: 'CSV_BAD_FIELD', field: 'balance' },
      { line: 6, code: 'CSV_NO_AGGREGATOR', field: 'aggregator' },
    ]);
    const forced = await importCsv(`${HEADER}\nSR-Train;;;79160000037;P:H8;;;;;`, `?aggregatorId=${bank}`);
    assert.equal(forced.body.inserted, 1);
    const missing = await importCsv(`${HEADER}\nx;;;1234567;P:A1`, '?aggregatorId=99999');
    assert.equal(missing.body.code, 'SIMNAV_ERR_NOT_FOUND');
  });

  test('broken quoting, empty file, wrong content type → typed errors, nothing imported', async () => {
    const before = (await p.store.db.selectFrom('cards').select('id').execute()).length;
    const r = await importCsv(`${HEADER}\nSR-Box-Bank;;;"79160000041;P:E1;;;;;\nSR-Box-Bank;;;79160000042;P:E2`);
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'SIMNAV_ERR_CSV_INVALID');
    assert.match(r.body.message, /line 2: CSV_UNTERMINATED_QUOTE/);
    const r2 = await importCsv(`${HEADER}\nSR-Box-Bank;;;"7916"0;P:E1`);
    assert.match(r2.body.message, /CSV_BAD_QUOTE/);
    assert.equal((await importCsv('')).status, 400);
    const json = await p.call('POST', '/cards/import', { token: p.admin, json: { csv: 'x' } });
    assert.equal(json.status, 415);
    assert.equal(json.body.code, 'SIMNAV_ERR_UNSUPPORTED_MEDIA_TYPE');
    const xml = await p.call('POST', '/cards/import', { token: p.admin, raw: '<x/>', contentType: 'application/xml' });
    assert.equal(xml.status, 415);
    assert.equal((await p.store.db.selectFrom('cards').select('id').execute()).length, before);
  });

  test('huge files: over 20 MB → 413; over 100 000 rows → CSV_TOO_MANY_ROWS', async () => {
    const big = await importCsv(new Uint8Array(21 * 1024 * 1024).fill(0x41));
    assert.equal(big.status, 413);
    assert.equal(big.body.code, 'SIMNAV_ERR_PAYLOAD_TOO_LARGE');
    const rows = `${HEADER}\n` + 'SR-Box-Bank;;;;P:A1\n'.repeat(100_001);
    const many = await importCsv(rows);
    assert.equal(many.status, 400);
    assert.match(many.body.message, /CSV_TOO_MANY_ROWS/);
  });

  test('export guards formula cells (= + - @) and round-trips through import in UTF-8 and CP1251', async () => {
    const evil = await p.call('POST', '/cards', {
      token: p.admin, json: { aggregatorId: bank, place: 'H1', number: '79160000051', title: '=HYPERLINK("http://x","y")', comment: '@SUM(1+1)', balance: -7.25, operator: '+cmd' },
    });
    assert.equal(evil.status, 201, evil.text);
    for (const encoding of ['utf-8', 'windows-1251'] as const) {
      const ex = await p.call('GET', `/cards/export.csv?encoding=${encoding}&sort=number`, { token: p.admin });
      assert.equal(ex.status, 200);
      assert.equal(ex.headers.get('content-type'), `text/csv; charset=${encoding}`);
      assert.match(ex.headers.get('content-disposition') ?? '', /attachment/);
      const text = encoding === 'utf-8' ? new TextDecoder().decode(ex.bytes) : decodeCp1251(ex.bytes);
      if (encoding === 'utf-8') assert.deepEqual([...ex.bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'BOM for Excel');
      else assert.ok(ex.bytes.includes(0xcf), 'Cyrillic as CP1251 bytes (П = 0xCF)');
      const line = text.split('\r\n').find((l) => l.includes('79160000051'))!;
      assert.ok(line.includes(`"'=HYPERLINK(""http://x"",""y"")"`), line);
      assert.ok(line.includes(";'@SUM(1+1)"), line);
      assert.ok(line.includes(";'+cmd;"), line);
      assert.ok(line.includes(';-7.25;'), line);
      for (const cell of text.split('\r\n').slice(1).flatMap((l) => l.split(';'))) assert.doesNotMatch(cell, /^[=+@]/);

      // round trip: wipe the cards, import the export, compare
      const before = await p.store.db.selectFrom('cards').select(['aggregator_id', 'place', 'number', 'iccid', 'operator', 'balance', 'title', 'comment', 'blocked']).orderBy('number').orderBy('place').execute();
      await p.store.db.deleteFrom('cards').execute();
      const back = await importCsv(ex.bytes, '', 'application/octet-stream');
      assert.equal(back.status, 200, back.text);
      assert.equal(back.body.encoding, encoding);
      assert.equal(back.body.skipped, 0, JSON.stringify(back.body.errors));
      const after = await p.store.db.selectFrom('cards').select(['aggregator_id', 'place', 'number', 'iccid', 'operator', 'balance', 'title', 'comment', 'blocked']).orderBy('number').orderBy('place').execute();
      assert.deepEqual(after, before, encoding);
    }
  });

  test('export honours the list filters and the pool scope', async () => {
    const ex = await p.call('GET', '/cards/export.csv?placePrefix=H', { token: p.admin });
    const lines = ex.text.trim().split('\r\n');
    assert.deepEqual(lines.slice(1).map((l) => l.split(';')[4]).sort(), ['P:H1', 'P:H8'], ex.text);
    const scoped = await p.userWithToken('scoped-export', 'viewer', []);
    const none = await p.call('GET', '/cards/export.csv', { token: scoped.token });
    assert.equal(none.text.trim().split('\r\n').length, 1, 'header only');
    assert.equal((await p.call('POST', '/cards/import', { token: scoped.token, raw: 'x' })).status, 403);
  });
});
