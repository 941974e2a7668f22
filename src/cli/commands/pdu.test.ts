import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/simnav.mjs', import.meta.url));
const simnav = (args: string[], input?: string) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input });

test('cli pdu decode / logged UCS2 SMS → JSON fields, exit 0', () => {
  const r = simnav(['pdu', 'decode', '07919731899699F304038111F1000822011261510321400412043004480020043D043E043C04350440002004420435043B04350444043E043D0430003A002B00370039003100360039003700310036003400300035002E']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(j['smsc'], '+79139869993');
  assert.equal(j['sender'], '111');
  assert.equal(j['timestamp'], '2022-10-21T16:15:30+03:00');
  assert.equal(j['dcs'], 'ucs2');
  assert.equal(j['udh'], null);
  assert.equal(j['text'], 'Ваш номер телефона:+79169716405.');
});

test('cli pdu decode / 8-bit data from stdin → text null, data hex', () => {
  const r = simnav(['pdu', 'decode'], '07912143658709F1040B918100551512F20004111010214365000A E8329BFD4697D9EC37DE\n');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(j['text'], null);
  assert.equal(j['data'], 'E8329BFD4697D9EC37DE');
});

test('cli pdu decode / undecodable → {"error"}, exit 1', () => {
  const r = simnav(['pdu', 'decode', '000ABF00']);
  assert.equal(r.status, 1);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(typeof j['error'], 'string');
});

test('cli pdu encode / prints the AT+CMGS length and PDU of each part', () => {
  const r = simnav(['pdu', 'encode', '--to', '+27820001111', '--text', 'Hello World!']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'AT+CMGS=24\n0001000B917228001011F100000CC8329BFD065DDF72363904\n');
  const long = simnav(['pdu', 'encode', '--to', '+79161234567', '--text', 'Ж'.repeat(100)]);
  assert.equal(long.stdout.trim().split('\n').length, 4);
});
