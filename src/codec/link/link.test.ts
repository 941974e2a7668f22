import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClassicQuery, buildSmartQuery, parseLinkRequest } from './request.ts';
import { buildCommandBody, buildIdleBody, buildSmartBody, parseClassicBody, parseSmartBody } from './body.ts';
import { joinChain, splitChain } from './chain.ts';
import { buildPackAnswer, parsePackAnswer } from './pack-answer.ts';
import { buildSmsAnswer, parseSmsAnswer } from './sms-answer.ts';
import { buildActivation, parseActivation } from './activation.ts';
import { buildSmartAlert, buildSmartCommand, buildSmartReply, buildSmartState, parseSmartCommand, parseSmartPayload } from './smart.ts';

test('request / classic poll with a multi-line payload', () => {
  const r = parseLinkRequest(buildClassicQuery('1234567890', 1014, 'AT+CREG?\r\r\r\n+CREG: 0,1\r\n\r\nOK'));
  assert.deepEqual(r, { ok: true, value: { kind: 'classic', token: '1234567890', step: 1014, data: 'AT+CREG?\r\r\r\n+CREG: 0,1\r\n\r\nOK', idle: false } });
});

test('request / idle poll is flagged', () => {
  const r = parseLinkRequest({ token: '1234567890', step: '0', data: 'REQUEST' });
  assert.ok(r.ok && r.value.kind === 'classic' && r.value.idle && r.value.step === 0);
});

test('request / no step → SMART with a typed JSON event', () => {
  const r = parseLinkRequest(buildSmartQuery('1234567890', '{"result":"1","sign":"test"}'));
  assert.ok(r.ok && r.value.kind === 'smart');
  assert.deepEqual(r.value.message, { kind: 'reply', result: '1', sign: 'test', fields: Object.assign(Object.create(null), { result: '1', sign: 'test' }) });
});

test('request / hostile inputs → typed errors', () => {
  assert.equal((parseLinkRequest({ step: '1' }) as { error: { code: string } }).error.code, 'NO_TOKEN');
  assert.equal((parseLinkRequest({ token: "1' OR 1=1", step: '1' }) as { error: { code: string } }).error.code, 'BAD_TOKEN');
  assert.equal((parseLinkRequest({ token: '1234567890', step: '-1' }) as { error: { code: string } }).error.code, 'BAD_STEP');
  assert.equal((parseLinkRequest({ token: '1234567890', step: '4294967296' }) as { error: { code: string } }).error.code, 'BAD_STEP');
  assert.equal((parseLinkRequest({ token: '1234567890', step: '1e3' }) as { error: { code: string } }).error.code, 'BAD_STEP');
});

test('body / command and idle frames round-trip on the device side', () => {
  assert.equal(buildCommandBody(1011, 'modem>pack:AT+CREG?##ALL##1'), '{data}1011#!#modem>pack:AT+CREG?##ALL##1');
  assert.equal(buildIdleBody(), '{data}0#!#REQUEST');
  assert.deepEqual(parseClassicBody(buildCommandBody(7, 'a#!#b')), { ok: true, value: { kind: 'command', step: 7, command: 'a#!#b' } });
  assert.deepEqual(parseClassicBody(buildIdleBody()), { ok: true, value: { kind: 'idle' } });
  assert.deepEqual(parseClassicBody(''), { ok: true, value: { kind: 'empty' } });
  assert.equal((parseClassicBody('<html>') as { error: { code: string } }).error.code, 'NO_PREFIX');
  assert.equal((parseClassicBody('{data}x#!#y') as { error: { code: string } }).error.code, 'BAD_STEP');
});

test('body / SMART frames', () => {
  assert.equal(buildSmartBody('.answer.clear:sign=test'), '{data}.answer.clear:sign=test');
  assert.equal(buildSmartBody(null), '{data}REQUEST');
  assert.deepEqual(parseSmartBody('{data}REQUEST'), { ok: true, value: { kind: 'idle' } });
  assert.deepEqual(parseSmartBody('{data}modem1.card:3'), { ok: true, value: { kind: 'command', command: 'modem1.card:3' } });
});

test('chain / split and join, && inside a command is refused', () => {
  assert.deepEqual(splitChain('modem>select:5&&modem>send:AT+CUSD=1,"*111#",15'), ['modem>select:5', 'modem>send:AT+CUSD=1,"*111#",15']);
  assert.deepEqual(joinChain(['modem>on', 'answer>clear']), { ok: true, value: 'modem>on&&answer>clear' });
  assert.equal((joinChain(['sms>send:+7;hi&&modem>off']) as { error: { code: string } }).error.code, 'CHAIN_INJECTION');
  assert.equal(joinChain([]).ok, false);
});

test('pack / logged answer with a garbled and an empty section', () => {
  const raw = '1##AT+CREG?\r\r\r\n+CREG: 0,2\r\n\r\nOK#1#3##AT+CREG?\r\r\r\n+,\r/#1#5###1#';
  const p = parsePackAnswer(raw);
  assert.deepEqual(p.sections.map((s) => s.modem), [1, 3, 5]);
  assert.equal(p.sections[2]!.output, '');
  assert.equal(buildPackAnswer(p.sections), raw);
  assert.deepEqual(parsePackAnswer('junk#1#2##x#1#').garbage, ['junk']);
});

test('sms answer / errors, an entry and the Nano form', () => {
  const raw = '1##E#3#2##E#3#5## 3,0,"",79\r\n0791AB#3#';
  const a = parseSmsAnswer(raw);
  assert.ok(a.kind === 'sections');
  assert.deepEqual(a.sections, [
    { modem: 1, status: 'error' },
    { modem: 2, status: 'error' },
    { modem: 5, status: 'ok', entries: [{ index: 3, stat: 0, alpha: '', length: 79, pdu: '0791AB' }] },
  ]);
  assert.equal(buildSmsAnswer(a.sections), raw);
  assert.deepEqual(parseSmsAnswer('1'), { kind: 'empty' });
  const nano = buildSmsAnswer([{ modem: 1, status: 'ok', entries: [{ index: 1, stat: 0, alpha: '', length: 2, pdu: 'AABB' }, { index: 2, stat: 1, alpha: '', length: 2, pdu: 'CCDD' }] }], { terminator: false });
  assert.equal(nano, '1## 1,0,"",2\r\nAABB\r\n\r\n## 2,1,"",2\r\nCCDD');
  const n = parseSmsAnswer(nano);
  assert.ok(n.kind === 'sections' && n.sections[0]!.status === 'ok' && n.sections[0]!.entries.length === 2);
  assert.deepEqual(n.sections[0]!.status === 'ok' && n.sections[0]!.entries.map((e) => e.pdu), ['AABB', 'CCDD']);
  // Nano's other literals (device-link.md §3.3): SMS memory unreadable, modem silent.
  assert.deepEqual(parseSmsAnswer('Error'), { kind: 'device-error', text: 'Error' });
  assert.deepEqual(parseSmsAnswer('NO RESPONSE'), { kind: 'device-error', text: 'NO RESPONSE' });
});

test('sms answer / leaked URC text becomes a raw section, not a crash', () => {
  const raw = '1+CPIN: NOT READY#3#2##E#3#';
  const a = parseSmsAnswer(raw);
  assert.ok(a.kind === 'sections');
  assert.deepEqual(a.sections, [{ modem: 1, status: 'raw', text: '+CPIN: NOT READY' }, { modem: 2, status: 'error' }]);
  assert.equal(buildSmsAnswer(a.sections), raw);
  const junk = parseSmsAnswer('junk#3#');
  assert.ok(junk.kind === 'sections' && junk.garbage[0] === 'junk');
});

test('activation / code;f1;f2', () => {
  assert.deepEqual(parseActivation('1;23;MTS RUS'), { ok: true, value: { code: 1, f1: '23', f2: 'MTS RUS' } });
  assert.equal(buildActivation({ code: 5, f1: '9', f2: 'Beeline' }), '5;9;Beeline');
  assert.equal(parseActivation('NULL').ok, false);
});

test('smart / state, alert, banner, malformed', () => {
  const st = parseSmartPayload('{"result":"1","type":"state","dev":"modem2","card":"1","iccid":"8970199200434265321f","network":"Bee Line GSM","operator":"Beeline"}');
  assert.ok(st.kind === 'state' && st.modem === 2 && st.code === 1 && st.operator === 'Beeline');
  const al = parseSmartPayload('{"result":"Мой основной номер: 9263630348","type":"alert","dev":"modem3","event":"ussd"}');
  assert.ok(al.kind === 'alert' && al.event === 'ussd' && al.modem === 3);
  assert.deepEqual(parseSmartPayload('SR started'), { kind: 'text', text: 'SR started' });
  assert.equal(parseSmartPayload('{"result":').kind, 'malformed');
  assert.equal(parseSmartPayload('[1]').kind, 'text');
});

test('smart / builders match the firmware bytes', () => {
  assert.equal(buildSmartReply('1', 'test'), '{"result":"1","sign":"test"}');
  assert.equal(
    buildSmartState({ modem: 2, result: 1, card: 1, iccid: '8970199200434265321f', network: 'Bee Line GSM', operator: 'Beeline' }),
    '{"result":"1","type":"state","dev":"modem2","card":"1","iccid":"8970199200434265321f","network":"Bee Line GSM","operator":"Beeline"}',
  );
  assert.equal(buildSmartState({ modem: 1, result: -1, card: 1 }), '{"result":"-1","type":"state","dev":"modem1","card":"1"}');
  assert.equal(buildSmartAlert({ modem: 3, event: 'ussd', result: 'x' }), '{"result":"x","type":"alert","dev":"modem3","event":"ussd"}');
  const c = parseSmartCommand('.answer.clear:sign=test');
  assert.deepEqual(c, { wantsReply: true, name: 'answer.clear', argument: null, sign: 'test' });
  assert.equal(buildSmartCommand(c), '.answer.clear:sign=test');
  assert.deepEqual(parseSmartCommand('modem1.card:3'), { wantsReply: false, name: 'modem1.card', argument: '3', sign: null });
});
