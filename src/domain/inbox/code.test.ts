import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractCode } from '../../codec/code-extract.ts';

describe('code extraction', () => {
  const cases: Array<[string, number, string | null]> = [
    ['Ваш код подтверждения: 482913. Никому не сообщайте его.', 6, '482913'],
    ['Your verification code is 4821', 4, '4821'],
    ['Код: 123-456', 6, '123456'],
    ['Code 123 456 for login', 6, '123456'],
    ['Telegram code: 51837', 5, '51837'],
    ['Баланс 1500,00 руб. Код для входа 7342', 4, '7342'],
    ['Platezh 16.03.2021 14:20 na summu 2500 r. Parol: 9911', 4, '9911'],
    ['Звоните +79161234567, код 5521', 4, '5521'],
    ['Code 123456', 4, '1234'],
    ['Нет цифр', 4, null],
    ['G-123456 is your Google verification code.', 6, '123456'],
    ['Vash parol 2048. Pokupka 1999 rub', 4, '2048'],
    ['8 800 555-35-35 call us, code 1122', 4, '1122'],
  ];
  for (const [text, n, want] of cases) {
    it(`code / N=${n} / ${JSON.stringify(text)} → ${want ?? 'none'}`, () => assert.equal(extractCode(text, n), want));
  }
  it('code / returns N digits or null, never throws (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: -3, max: 70 }), (text, n) => {
      const c = extractCode(text, n);
      if (c !== null) assert.match(c, new RegExp(`^\\d{${n}}$`));
    }));
  });
});
