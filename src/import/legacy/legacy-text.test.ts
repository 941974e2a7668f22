import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCp1251 } from '../../domain/inventory/csv/cp1251.ts';
import { decodeLegacyText, declaredCharset } from './legacy-text.ts';

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
/** What a latin1 connection does to bytes on their way into a utf8 column. */
const throughLatin1 = (b: Uint8Array) => utf8(new TextDecoder('windows-1252').decode(b));

describe('legacy text / charset quirks', () => {
  it('plain UTF-8 stays as it is', () => {
    assert.deepEqual(decodeLegacyText(utf8('Ваш код 1234'), 'utf8'), { text: 'Ваш код 1234', repair: 'none' });
  });
  it('CP1251 bytes in a utf8/latin1 column → decoded as CP1251', () => {
    const r = decodeLegacyText(encodeCp1251('Баланс: 12,50 р.'), 'latin1');
    assert.deepEqual(r, { text: 'Баланс: 12,50 р.', repair: 'cp1251' });
  });
  it('a cp1251 column is CP1251 even when the bytes happen to be valid UTF-8', () => {
    assert.equal(decodeLegacyText(encodeCp1251('Привет'), 'cp1251').text, 'Привет');
  });
  it('UTF-8 written through a latin1 connection (double-encoded) → repaired', () => {
    assert.deepEqual(decodeLegacyText(throughLatin1(utf8('Ваш номер')), 'utf8'), { text: 'Ваш номер', repair: 'double-utf8' });
  });
  it('CP1251 written through a latin1 connection ("Ïðèâåò") → repaired', () => {
    assert.deepEqual(decodeLegacyText(throughLatin1(encodeCp1251('Привет, МТС')), 'utf8'), { text: 'Привет, МТС', repair: 'latin1-cp1251' });
  });
  it('genuine Latin-1 text is not "repaired"', () => {
    assert.deepEqual(decodeLegacyText(utf8('Café crème'), 'utf8'), { text: 'Café crème', repair: 'none' });
  });
  it('information_schema charset names', () => {
    assert.equal(declaredCharset('utf8mb3'), 'utf8');
    assert.equal(declaredCharset('utf8mb4'), 'utf8');
    assert.equal(declaredCharset('cp1251'), 'cp1251');
    assert.equal(declaredCharset(null), 'binary');
  });
});
