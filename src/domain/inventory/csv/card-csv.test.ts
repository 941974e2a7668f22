import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type CardCsvRow, formatCardCsv, guardFormula, parseCardCsv, parseCardRow } from './card-csv.ts';

const base: CardCsvRow = {
  model: 'SR-Box-Bank', aggregatorId: 3, iccid: '89701012345678901234', number: '79161234567', blocked: false,
  place: 'B12', balance: -12.5, operator: 'MTS RUS', updatedAt: Date.UTC(2025, 3, 12, 8, 5, 9), title: 'Main', comment: 'ok',
};

test('card csv / a legacy row parses: + in number, P: place, comma decimal, dd.mm.yyyy time', () => {
  const r = parseCardRow(2, ['SR-Box-Bank', '3', '89701012345678901234', '+7 916 123-45-67', 'P:B12', '-12,50', 'MTS RUS', '12.04.2025 08:05:09', 'Main', 'ok']);
  assert.deepEqual(r, { ok: true, value: base });
});

test('card csv / "Blocked" in the number column → blocked card without number', () => {
  const r = parseCardRow(2, ['SR-Nano-500', '', '', 'Blocked', 'P:A0']);
  assert.ok(r.ok);
  assert.equal(r.value.blocked, true);
  assert.equal(r.value.number, null);
  assert.equal(r.value.balance, null);
});

test('card csv / bad fields are named', () => {
  const cases: [string[], string][] = [
    [['SR-Train', 'x1', '', '7916', 'P:1-1'], 'aggregator'],
    [['', '', '', '7916', 'P:1-1'], 'aggregator'],
    [['SR-Train', '1', "1' OR 1=1", '7916', 'P:1-1'], 'iccid'],
    [['SR-Train', '1', '', "7916'; DROP TABLE cards;--", 'P:1-1'], 'number'],
    [['SR-Train', '1', '', '7916', 'P:'], 'place'],
    [['SR-Train', '1', '', '7916', "P:A1' --"], 'place'],
    [['SR-Train', '1', '', '7916', 'P:1-1', '1e9'], 'balance'],
    [['SR-Train', '1', '', '7916', 'P:1-1', '', '', '31.02.2025 00:00:00'], 'time'],
    [['SR-Train', '1', '', '7916', 'P:1-1', '', '', '', 'x'.repeat(300)], 'title'],
  ];
  for (const [cells, field] of cases) {
    assert.deepEqual(parseCardRow(5, cells), { ok: false, error: { code: 'CSV_BAD_FIELD', line: 5, field } }, cells.join('|'));
  }
});

test('card csv / export guards formula cells, leaves plain numbers alone', () => {
  assert.equal(guardFormula('=HYPERLINK("x")'), `'=HYPERLINK("x")`);
  for (const s of ['+1+1', '-2+3', '@SUM(A1)', '\tx', "'quoted"]) assert.equal(guardFormula(s)[0], "'", s);
  assert.equal(guardFormula('-12.5'), '-12.5');
  assert.equal(guardFormula('Мегафон'), 'Мегафон');
  const csv = formatCardCsv([{ ...base, title: '=cmd|"/c calc"!A1', comment: '@x' }]);
  const line = csv.split('\r\n')[1]!;
  assert.ok(line.includes(`"'=cmd|""/c calc""!A1"`), line);
  assert.ok(line.includes(";'@x"), line);
  assert.ok(line.includes(';-12.5;'), line);
});

test('card csv / file: header skipped, good rows kept, bad rows listed with line numbers', () => {
  const r = parseCardCsv('Model;Aggregator;ICCID;Number\nSR-Train;1;;79160000001;P:1-1\nSR-Train;1;;abc;P:1-2\n');
  assert.ok(r.ok);
  assert.equal(r.value.rows.length, 1);
  assert.deepEqual(r.value.errors, [{ code: 'CSV_BAD_FIELD', line: 3, field: 'number' }]);
});

test('card csv / property: format then parse returns the rows (formula cells included)', () => {
  const txt = fc.option(fc.string({ unit: fc.constantFrom('a', 'Я', '=', '+', '-', '@', "'", ';', '"', ' ', '1', '\n'), minLength: 1, maxLength: 12 })
    .map((s) => s.trim()).filter((s) => s !== ''), { nil: null });
  const row = fc.record<CardCsvRow>({
    model: fc.constantFrom('SR-Train', 'SR-Nano-500', 'SR-Box-Bank'),
    aggregatorId: fc.option(fc.integer({ min: 1, max: 1e6 }), { nil: null }),
    iccid: fc.option(fc.stringMatching(/^\d{19}$/), { nil: null }),
    number: fc.option(fc.stringMatching(/^\d{11}$/), { nil: null }),
    blocked: fc.constant(false),
    place: fc.constantFrom('A0', '2-8', 'B12', 'H64'),
    balance: fc.option(fc.integer({ min: -100000, max: 100000 }).map((c) => c / 100), { nil: null }),
    operator: txt, updatedAt: fc.option(fc.integer({ min: 0, max: 4e12 }).map((t) => t - (t % 1000)), { nil: null }),
    title: txt, comment: txt,
  });
  fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 5 }), (rows) => {
    const r = parseCardCsv(formatCardCsv(rows));
    assert.ok(r.ok);
    assert.deepEqual(r.value.errors, []);
    assert.deepEqual(r.value.rows.map((x) => x.row), rows.map((x) => ({ ...x })));
  }));
});
