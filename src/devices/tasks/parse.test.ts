import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balanceIn } from './balance.ts';
import { numberIn } from './scan.ts';

test('tasks / numbers in operator texts: the first 10–13 digit run, separators ignored', () => {
  assert.equal(numberIn('Ваш номер телефона:+79169716297.'), '79169716297');
  assert.equal(numberIn('Мой основной номер: 9261234567'), '9261234567');
  assert.equal(numberIn('Ваш номер +7 (916) 971-62-97'), '79169716297');
  assert.equal(numberIn('Баланс: 123.45 р.'), null);
});

test('tasks / balances in operator texts: amount with decimals, sign from "-" or "минус"', () => {
  assert.equal(balanceIn('Баланс: 123.45 р.'), 123.45);
  assert.equal(balanceIn('Balance 99,5 rub'), 99.5);
  assert.equal(balanceIn('Ваш баланс -12.30 р.'), -12.3);
  assert.equal(balanceIn('Баланс: минус 7 р.'), -7);
  assert.equal(balanceIn('Неверный запрос'), null);
});
