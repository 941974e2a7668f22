import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  excludedByPrefix, normalizeNumber, numbersMatch, parseExceptionPrefixes, parseFlag, parseList, parseNumberList, parsePositiveInt,
} from './numbers.ts';

describe('pool numbers', () => {
  it('normalise / strips + spaces - ( ) and refuses other characters', () => {
    assert.equal(normalizeNumber('+7 (901) 123-45-67'), '79011234567');
    assert.equal(normalizeNumber("1' OR '1'='1"), '');
    assert.equal(normalizeNumber(''), '');
    assert.equal(normalizeNumber('1'.repeat(21)), '');
  });
  it('match / equal digits, or a suffix of at least 10 digits', () => {
    assert.equal(numbersMatch('9011234567', '79011234567'), true);
    assert.equal(numbersMatch('79011234567', '9011234567'), true);
    assert.equal(numbersMatch('011234567', '79011234567'), false);
    assert.equal(numbersMatch('1', '79011234567'), false);
    assert.equal(numbersMatch('79011234567', '79011234567'), true);
    assert.equal(numbersMatch('89011234567', '79011234567'), false);
  });
  it('match / symmetric and never matches a shorter-than-10 proper suffix (property)', () => {
    fc.assert(fc.property(fc.stringMatching(/^\d{1,15}$/), fc.stringMatching(/^\d{1,15}$/), (a, b) => {
      assert.equal(numbersMatch(a, b), numbersMatch(b, a));
      if (a !== b && Math.min(a.length, b.length) < 10) assert.equal(numbersMatch(a, b), false);
    }));
  });
  it('lists / trimmed, empty items dropped, numbers de-duplicated', () => {
    assert.deepEqual(parseList(' a, ,b ,,c'), ['a', 'b', 'c']);
    assert.deepEqual(parseNumberList('+79011234567, 79011234567,x,9021234567'), ['79011234567', '9021234567']);
    assert.equal(parseList(Array(5000).fill('1').join(',')).length, 1000);
  });
  it('flags / 1 true yes on are true, anything else false', () => {
    for (const t of ['1', 'true', 'YES', 'on']) assert.equal(parseFlag(t), true);
    for (const f of [undefined, '0', 'no', '', '2']) assert.equal(parseFlag(f), false);
  });
  it('period / integer ≥ 1, else absent', () => {
    assert.equal(parsePositiveInt('60'), 60);
    for (const v of ['0', '-5', '1.5', 'abc', '', '99999999999']) assert.equal(parsePositiveInt(v), undefined);
  });
  it('phone_exception / 1–15 digit prefixes; compared with and without the country code', () => {
    assert.deepEqual(parseExceptionPrefixes('7918, 7900111'), ['7918', '7900111']);
    assert.equal(parseExceptionPrefixes('79a'), null);
    assert.equal(parseExceptionPrefixes('1234567890123456'), null);
    assert.equal(excludedByPrefix('79181234567', ['918'], ['7']), true);
    assert.equal(excludedByPrefix('79181234567', ['7918'], []), true);
    assert.equal(excludedByPrefix('79011234567', ['918'], ['7']), false);
  });
});
