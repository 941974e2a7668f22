import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiKind, checkTaskParams, phoneNumber, unitsFor } from './params.ts';

test('task params / phone numbers: + and 3–15 digits after dropping spaces, dashes, brackets; anything else refused', () => {
  assert.equal(phoneNumber('+7 (900) 000-00-01'), '+79000000001');
  assert.equal(phoneNumber('900'), '+900');
  for (const bad of ['', '+', '12', '+7900000000000000', '+7900;AT', 7900, null, 'x'.repeat(41)]) assert.equal(phoneNumber(bad), null, String(bad));
});

test('task params / kinds without params take none; unknown fields and non-objects refused', () => {
  assert.deepEqual(checkTaskParams('scan_number', undefined), { ok: true, value: {} });
  assert.deepEqual(checkTaskParams('pull_sms', {}), { ok: true, value: {} });
  assert.equal(checkTaskParams('read_iccid', { x: 1 }).ok, false);
  assert.equal(checkTaskParams('check_balance', []).ok, false);
  assert.equal(checkTaskParams('check_balance', 'a').ok, false);
  assert.equal(checkTaskParams('send_sms', { recipients: ['+79000000001'], text: 'x', perSim: 1, __proto__x: 1 }).ok, false);
});

test('task params / send_sms: recipients normalised, text without control characters, perSim 1–100 (default 1)', () => {
  const ok = checkTaskParams('send_sms', { recipients: ['8 900 000 00 01', '+79000000002'], text: 'line 1\nline 2' });
  assert.deepEqual(ok, { ok: true, value: { recipients: ['+89000000001', '+79000000002'], text: 'line 1\nline 2', perSim: 1 } });
  for (const p of [
    { text: 'x' }, { recipients: [], text: 'x' }, { recipients: 'x', text: 'x' }, { recipients: Array(1001).fill('+79000000001'), text: 'x' },
    { recipients: ['+79000000001'] }, { recipients: ['+79000000001'], text: '   ' }, { recipients: ['+79000000001'], text: 'x'.repeat(1001) },
    { recipients: ['+79000000001'], text: 'a\u0007b' }, { recipients: ['+79000000001'], text: 'x', perSim: 1.5 }, { recipients: ['+79000000001'], text: 'x', perSim: 101 },
  ]) assert.equal(checkTaskParams('send_sms', p).ok, false, JSON.stringify(p));
});

test('task params / test_call: a number and 5–120 seconds (default 15)', () => {
  assert.deepEqual(checkTaskParams('test_call', { number: '+79000000001' }), { ok: true, value: { number: '+79000000001', seconds: 15 } });
  for (const p of [{}, { number: 'ATD' }, { number: '+79000000001', seconds: 4 }, { number: '+79000000001', seconds: '15' }]) assert.equal(checkTaskParams('test_call', p).ok, false, JSON.stringify(p));
});

test('task params / send_sms units rotate SIMs: perSim recipients each, only the SIMs needed; too few SIMs refused', () => {
  const params = { recipients: ['+1001', '+1002', '+1003', '+1004', '+1005'], text: 't', perSim: 2 };
  const u = unitsFor('send_sms', ['A1', 'A2', 'A3', 'A4'], params);
  assert.deepEqual(u, { ok: true, value: [{ place: 'A1', recipients: ['+1001', '+1002'] }, { place: 'A2', recipients: ['+1003', '+1004'] }, { place: 'A3', recipients: ['+1005'] }] });
  const few = unitsFor('send_sms', ['A1', 'A2'], params);
  assert.equal(few.ok, false);
  assert.deepEqual(unitsFor('pull_sms', ['A1', 'A2'], {}), { ok: true, value: [{ place: 'A1' }, { place: 'A2' }] });
  assert.equal(apiKind('scan_numbers'), 'scan_number');
  assert.equal(apiKind('test_call'), 'test_call');
});
