import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { detectSeparator, parseDelimited, quoteCell, type Separator } from './delimited.ts';

const cellsOf = (text: string) => {
  const r = parseDelimited(text);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value.rows.map((x) => x.cells);
};

test('delimited / separator detected from the header: tab, ; and ,', () => {
  assert.equal(detectSeparator('a\tb\tc\n1;2'), '\t');
  assert.equal(detectSeparator('a;b;c'), ';');
  assert.equal(detectSeparator('a,b,c'), ',');
  assert.equal(detectSeparator('"a;b";c,d,e'), ',');
});

test('delimited / quoting, doubled quotes, embedded separators and line breaks, CRLF', () => {
  assert.deepEqual(cellsOf('h1;h2\r\n"a;b";"say ""hi"""\r\n"multi\nline";x\r\n'), [
    ['h1', 'h2'], ['a;b', 'say "hi"'], ['multi\nline', 'x'],
  ]);
});

test('delimited / blank lines skipped, row line numbers kept', () => {
  const r = parseDelimited('h;h\n\n1;2\n"a\nb";3\n4;5');
  assert.ok(r.ok);
  assert.deepEqual(r.value.rows.map((x) => x.line), [1, 3, 4, 6]);
});

test('delimited / quote inside an unquoted cell is literal', () => {
  assert.deepEqual(cellsOf('a;b\n5"x;y'), [['a', 'b'], ['5"x', 'y']]);
});

test('delimited / broken quoting → CSV_UNTERMINATED_QUOTE / CSV_BAD_QUOTE with the line', () => {
  assert.deepEqual(parseDelimited('a;b\n1;"open\n2;3'), { ok: false, error: { code: 'CSV_UNTERMINATED_QUOTE', line: 2 } });
  assert.deepEqual(parseDelimited('a;b\n1;"x"y;2'), { ok: false, error: { code: 'CSV_BAD_QUOTE', line: 2 } });
});

test('delimited / limits: rows and cell length', () => {
  assert.equal(parseDelimited('a\nb\nc', { maxRows: 2, maxCellChars: 10 }).ok, false);
  const long = parseDelimited('a;' + 'x'.repeat(11), { maxRows: 2, maxCellChars: 10 });
  assert.deepEqual(long, { ok: false, error: { code: 'CSV_CELL_TOO_LONG', line: 1, limit: 10 } });
  const longQuoted = parseDelimited('a;"' + 'x'.repeat(11) + '"', { maxRows: 2, maxCellChars: 10 });
  assert.equal(longQuoted.ok, false);
});

test('delimited / empty input → CSV_EMPTY', () => {
  assert.deepEqual(parseDelimited(''), { ok: false, error: { code: 'CSV_EMPTY', line: 0 } });
});

test('delimited / property: quoteCell then parse returns the cells; random text never throws', () => {
  const sep = fc.constantFrom<Separator>(';', '\t', ',');
  const cell = fc.string({ unit: fc.constantFrom('a', 'я', ';', ',', '\t', '"', '\n', '\r', ' ', '1') });
  fc.assert(fc.property(sep, fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (s, rows) => {
    const text = rows.map((r) => r.map((c) => quoteCell(c, s)).join(s)).join('\r\n');
    const r = parseDelimited(text, { maxRows: 100, maxCellChars: 1000 }, s);
    assert.ok(r.ok);
    assert.deepEqual(r.value.rows.map((x) => x.cells), rows);
  }));
  fc.assert(fc.property(fc.string(), (t) => {
    const r = parseDelimited(t);
    assert.ok(r.ok || typeof r.error.code === 'string');
  }));
});
