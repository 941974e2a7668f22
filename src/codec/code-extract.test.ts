import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureJson } from '../../test/support/fixtures.ts';
import { extractCode } from './code-extract.ts';

const cases: readonly [string, number, string | null][] = [
  ['Ваш код подтверждения: 4821. Никому не сообщайте его.', 4, '4821'],
  ['Код 123456 для входа в Сбербанк Онлайн. Не сообщайте его никому, даже сотрудникам банка.', 6, '123456'],
  ['Покупка 1500.00 RUB, карта *1234. Код подтверждения 5678', 4, '5678'],
  ['21.10.2022 16:15 Вход в личный кабинет МТС. Код: 9035', 4, '9035'],
  ['Списание 2500 руб. Баланс 4 520,30 р. Пароль: 3311', 4, '3311'],
  ['VISA1234 13:47 Покупка 1200р MAGNIT Баланс: 3456.78р. Код 7401', 4, '7401'],
  ['Your Google verification code is G-482913', 6, '482913'],
  ['WhatsApp code 123-456. Don’t share this code with others', 6, '123456'],
  ['Your Uber code: 55 21 89. Never share this code.', 6, '552189'],
  ['Telegram code: 12345\n\nYou can also tap on this link to log in:\nhttps://t.me/login/12345', 5, '12345'],
  ['Balance: $250.50. Your Amazon OTP is 7781. Expires at 10:30.', 4, '7781'],
  ['On 2024-05-01 at 10:30 your Steam Guard code 8812 was requested', 4, '8812'],
  ['Code for login: 12345678', 6, '123456'],
  ['Сумма 2500 руб. списана 21.10.2022 в 12:30', 4, null],
  ['Встреча завтра в 12:30, не опаздывай', 4, null],
  ['Баланс 150 р. Пополните счет', 4, null],
  ['1234 — ваш код для входа в Госуслуги', 4, '1234'],
  ['Ozon: код 947 261 для входа. Никому его не говорите', 6, '947261'],
  ['Для оплаты заказа №58213 введите код 4410', 4, '4410'],
  ['Tinkoff: вход в приложение 27.11.2026 в 12:05. Код 2026', 4, '2026'],
];

for (const [text, n, want] of cases) {
  test(`code / ${n} digits / ${text.slice(0, 48)}`, () => {
    assert.equal(extractCode(text, n), want);
  });
}

test('code / bad lengths and empty texts give no code', () => {
  assert.equal(extractCode('1234', 0), null);
  assert.equal(extractCode('1234', 21), null);
  assert.equal(extractCode('1234', 2.5), null);
  assert.equal(extractCode('', 4), null);
});

test('code / an exact run beats a longer run and a grouped code', () => {
  assert.equal(extractCode('ref 123456789, code 12 34, pin 9876', 4), '9876');
});

// Real SMS texts (shared/fixtures/pdu/deliver.json): a service code, an airtime notice full of
// amounts and a date, and the operator's "your number is +7…" replies logged on real hardware.
test('code / real SMS texts from the fixtures', () => {
  const texts = new Map(readFixtureJson<{ id: string; text: string | null }[]>('pdu/deliver.json').map((v) => [v.id, v.text ?? '']));
  assert.equal(extractCode(texts.get('pygsm-decode-5')!, 4), '4856');
  assert.equal(extractCode(texts.get('pygsm-decode-4')!, 4), null);
  const numberReplies = [...texts].filter(([id]) => id.startsWith('sr-link1-')).map(([, t]) => t).filter((t) => t.startsWith('Ваш номер телефона:+7'));
  assert.ok(numberReplies.length >= 20);
  for (const t of numberReplies) for (const n of [4, 5, 6]) assert.equal(extractCode(t, n), null, `${n}: ${t}`);
});
