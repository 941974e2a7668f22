import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCp1251, decodeUpload, encodeCp1251 } from './cp1251.ts';

test('cp1251 / every byte 0x00–0xFF survives decode → encode (table agrees with the platform decoder)', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(encodeCp1251(decodeCp1251(all)), all);
});

test('cp1251 / Russian text encodes to the known bytes', () => {
  assert.deepEqual([...encodeCp1251('МТС Ёё №1')], [0xcc, 0xd2, 0xd1, 0x20, 0xa8, 0xb8, 0x20, 0xb9, 0x31]);
});

test('cp1251 / characters outside the code page become ?', () => {
  assert.equal(decodeCp1251(encodeCp1251('a中😀b')), 'a??b');
});

test('cp1251 / property: Cyrillic+ASCII strings round-trip', () => {
  const ch = fc.constantFrom(...'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁЯ0123456789 ;,"\'abcXYZ№€'.split(''));
  fc.assert(fc.property(fc.array(ch), (cs) => {
    const s = cs.join('');
    assert.equal(decodeCp1251(encodeCp1251(s)), s);
  }));
});

test('upload / valid UTF-8 → utf-8; CP1251 bytes → windows-1251; BOM honoured', () => {
  assert.deepEqual(decodeUpload(new TextEncoder().encode('Мегафон')), { encoding: 'utf-8', text: 'Мегафон' });
  assert.deepEqual(decodeUpload(encodeCp1251('Мегафон')), { encoding: 'windows-1251', text: 'Мегафон' });
  const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('x')]);
  assert.equal(decodeUpload(bom).encoding, 'utf-8');
});
