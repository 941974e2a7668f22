import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFixtureJson } from '../../../test/support/fixtures.ts';

const bin = fileURLToPath(new URL('../../../bin/simnav.mjs', import.meta.url));
const simnav = (args: string[], input?: string) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input: input ?? '' });

// Third-party vectors are read from ../shared/fixtures, never copied here (fixtures/SOURCES.md).
const deliver = new Map(readFixtureJson<{ id: string; pdu: string }[]>('pdu/deliver.json').map((v) => [v.id, v.pdu]));
const submit = new Map(readFixtureJson<{ id: string; expected_pdu: string | string[] }[]>('pdu/submit.json').map((v) => [v.id, v.expected_pdu]));
const invalid = new Map(readFixtureJson<{ id: string; pdu: string }[]>('pdu/invalid.json').map((v) => [v.id, v.pdu]));

function json(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>;
}

test('cli pdu decode / logged UCS2 SMS → JSON fields, exit 0', () => {
  const r = simnav(['pdu', 'decode', deliver.get('sr-link1-01')!]);
  assert.equal(r.status, 0, r.stderr);
  const j = json(r.stdout);
  assert.equal(j['smsc'], '+79139869993');
  assert.equal(j['sender'], '111');
  assert.equal(j['timestamp'], '2022-10-21T16:15:30+03:00');
  assert.equal(j['dcs'], 'ucs2');
  assert.equal(j['udh'], null);
  assert.equal(j['text'], 'Ваш номер телефона:+79169716405.');
  assert.equal(j['data'], null);
});

test('cli pdu decode / part 2 of the MTS 4-part message shows its concatenation header', () => {
  const r = simnav(['pdu', 'decode', deliver.get('sr-link1-02')!]);
  assert.equal(r.status, 0, r.stderr);
  const j = json(r.stdout);
  assert.equal(j['sender'], 'MTC');
  assert.deepEqual(j['udh'], { hex: '050003CD0402', concat: { ref: 205, total: 4, seq: 2, ref_bits: 8 } });
});

test('cli pdu decode / 8-bit data from stdin, hex split by spaces → text null, data hex', () => {
  const pdu = deliver.get('mm-pdu3-8bit')!;
  const r = simnav(['pdu', 'decode'], `${pdu.slice(0, 20)} ${pdu.slice(20)}\n`);
  assert.equal(r.status, 0, r.stderr);
  const j = json(r.stdout);
  assert.equal(j['text'], null);
  assert.equal(j['data'], 'E8329BFD4697D9EC37DE');
});

test('cli pdu decode / --no-smsc reads a bare TPDU', () => {
  const pdu = deliver.get('mm-pdu3')!; // SMSC field 07 91 … (8 octets)
  const r = simnav(['pdu', 'decode', '--no-smsc', pdu.slice(16)]);
  assert.equal(r.status, 0, r.stderr);
  const j = json(r.stdout);
  assert.equal(j['smsc'], null);
  assert.equal(j['text'], 'hellohello');
});

test('cli pdu decode / undecodable → {"error": reason}, exit 1', () => {
  for (const input of [invalid.get('mm-pdu-no-address')!, invalid.get('pygsm-invalid-data-2')!, '079']) {
    const r = simnav(['pdu', 'decode', input]);
    assert.equal(r.status, 1, input);
    const j = json(r.stdout);
    assert.equal(typeof j['error'], 'string', input);
    assert.ok((j['error'] as string).length > 0);
  }
  const stdin = simnav(['pdu', 'decode'], 'not a pdu at all\n');
  assert.equal(stdin.status, 1);
  assert.equal(typeof json(stdin.stdout)['error'], 'string');
  const empty = simnav(['pdu', 'decode'], '');
  assert.equal(empty.status, 1);
  assert.deepEqual(json(empty.stdout), { error: 'no PDU given' });
});

test('cli pdu encode / prints the AT+CMGS length and PDU of each part', () => {
  const r = simnav(['pdu', 'encode', '--to', '+27820001111', '--text', 'Hello World!']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `AT+CMGS=24\n${submit.get('pygsm-encode-1')}\n`);
});

test('cli pdu encode / a long UCS2 text → one AT+CMGS line per part, lengths match the PDUs', () => {
  const r = simnav(['pdu', 'encode', '--to', '+79161234567', '--text', 'Ж'.repeat(100)]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 4);
  for (let i = 0; i < lines.length; i += 2) {
    const hex = lines[i + 1]!;
    // AT+CMGS counts the octets after the SMSC field (here `00`, the modem's own SMSC).
    assert.equal(lines[i], `AT+CMGS=${hex.length / 2 - 1}`);
    const d = json(simnav(['pdu', 'decode', hex]).stdout);
    assert.deepEqual((d['udh'] as { concat: unknown }).concat, { ref: 0, total: 2, seq: i / 2 + 1, ref_bits: 8 });
  }
});

test('cli pdu encode / bad options exit 2, an unsendable number exits 1 with {"error"}', () => {
  for (const args of [['--to', '+1'], ['--to', '+1', '--text', 'x', '--validity', 'soon'], ['--to', '+1', '--text', 'x', '--ref', '300'], ['--to', '+1', '--text', 'x', '--bogus'], ['--to', '+1', '--text']]) {
    const r = simnav(['pdu', 'encode', ...args]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /usage:/);
  }
  const bad = simnav(['pdu', 'encode', '--to', '+7916 XYZ', '--text', 'x']);
  assert.equal(bad.status, 1);
  assert.equal(json(bad.stdout)['code'], 'BAD_ADDRESS');
});
