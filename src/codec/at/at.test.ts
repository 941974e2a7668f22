import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cmeErrorMeaning, cmsErrorMeaning } from './errors.ts';
import { parseModemOutput, stripModemPrefix } from './lines.ts';
import { buildCusdLine, decodeUssdPayload, parseCusd } from './cusd.ts';
import { parseIccid } from './sim-info.ts';
import { parseRegistration } from './creg.ts';
import { parseUrcs } from './urc.ts';

test('lines / two-modem box prefixes are removed and the modem is known', () => {
  const out = parseModemOutput('2:AT+ICCID\r\r\r\n2:+ICCID: 89701010068650504170\r\n\r\n2:OK');
  assert.equal(out.modem, 2);
  assert.equal(out.echo, 'AT+ICCID');
  assert.equal(out.final?.type, 'OK');
  assert.deepEqual(parseIccid(out.body), { ok: true, value: '89701010068650504170' });
  assert.deepEqual(stripModemPrefix('no prefix'), { modem: null, text: 'no prefix' });
});

test('lines / +CME and +CMS errors carry their meaning', () => {
  const cme = parseModemOutput('AT+CPIN?\r\r\r\n+CME ERROR: 10').final;
  assert.deepEqual(cme, { type: 'CME', code: 10, meaning: 'SIM not inserted', text: '+CME ERROR: 10' });
  assert.equal(cmsErrorMeaning(330), 'SMSC address unknown');
  assert.equal(cmsErrorMeaning(530), 'manufacturer specific error');
  assert.equal(cmeErrorMeaning(9999), 'manufacturer specific error');
  const verbose = parseModemOutput('+CME ERROR: SIM not inserted').final;
  assert.ok(verbose?.type === 'CME' && verbose.code === null && verbose.meaning === 'SIM not inserted');
});

test('creg / the third character rule of the legacy panel agrees with the parser on box output', () => {
  const r = parseRegistration('1:AT+CREG?\r\r\r\n1:+CREG: 0,5\r\n\r\n1:OK');
  assert.ok(r.ok && r.value.state === 'roaming' && r.value.registered && r.value.solicited);
  assert.equal(parseRegistration('OK').ok, false);
});

test('cusd / packed GSM 7-bit payload with DCS 15 is unpacked', () => {
  // "*100#" style reply "Balance 10" packed as GSM 7-bit.
  const d = decodeUssdPayload('C2303BEC1E97413118', 15);
  assert.deepEqual(d, { text: 'Balance 10', encoding: 'gsm7-packed' });
  assert.equal(decodeUssdPayload('Balance 10', 15).encoding, 'text');
  assert.equal(decodeUssdPayload('12345678', 15).encoding, 'text');
});

test('cusd / the simulator line round-trips through the parser', () => {
  const line = buildCusdLine(0, 'Баланс: 100 р.');
  assert.match(line, /^\+CUSD: 0, "[0-9A-F]+", 72$/);
  const c = parseCusd(line);
  assert.ok(c && c.text === 'Баланс: 100 р.' && c.encoding === 'ucs2' && c.dcs === 72);
});

test('cusd / without DCS a long UCS2 hex payload is decoded, short hex stays text', () => {
  assert.equal(parseCusd('+CUSD: 0,"0031003200330034"')?.text, '1234');
  assert.equal(parseCusd('+CUSD: 0,"1234"')?.text, '1234');
  assert.equal(parseCusd('+CUSD: 4')?.text, null);
});

test('urc / a URC mixed into a reply is still seen', () => {
  const u = parseUrcs('AT+CSQ\r\r\r\n+CMTI: "SM",7\r\n+CSQ: 20,0\r\n\r\nOK\r\n+CLIP: "+79161234567",145,"",0,"",0');
  assert.deepEqual(u.map((x) => x.type), ['+CMTI', '+CLIP']);
});

// at/transcripts.json has +CREG samples only; +CGREG and +CEREG share the parser and their forms.
test('creg / +CGREG and +CEREG in query and unsolicited forms', () => {
  const view = (t: string) => {
    const r = parseRegistration(t);
    assert.ok(r.ok, t);
    const v = r.value;
    return [v.command, v.solicited, v.n, v.stat, v.state, v.registered, v.lac, v.ci, v.actName];
  };
  assert.deepEqual(view('AT+CEREG?\r\r\r\n+CEREG: 2,1,"1A2B","01C2D3E4",7\r\n\r\nOK'), ['CEREG', true, 2, 1, 'home', true, 0x1a2b, 0x01c2d3e4, 'lte']);
  assert.deepEqual(view('\r\n+CEREG: 5,"00C3","0A1B2C3D",7\r\n'), ['CEREG', false, null, 5, 'roaming', true, 0xc3, 0x0a1b2c3d, 'lte']);
  assert.deepEqual(view('+CEREG: 0,3\r\n\r\nOK'), ['CEREG', true, 0, 3, 'denied', false, 0, 0, 'unknown']);
  assert.deepEqual(view('+CGREG: 0,5\r\n\r\nOK'), ['CGREG', true, 0, 5, 'roaming', true, 0, 0, 'unknown']);
  assert.deepEqual(view('\r\n+CGREG: 2\r\n'), ['CGREG', false, null, 2, 'searching', false, 0, 0, 'unknown']);
});

test('iccid / +CCID and +CICCID replies, with a box prefix and a swapped value', () => {
  assert.deepEqual(parseIccid('AT+CCID\r\r\r\n+CCID: 89701010068650504170\r\n\r\nOK'), { ok: true, value: '89701010068650504170' });
  assert.deepEqual(parseIccid('+CICCID: 8970199200434265321F\r\n\r\nOK'), { ok: true, value: '8970199200434265321' });
  assert.deepEqual(parseIccid('2:AT+CCID\r\r\r\n2:+CCID: "98071001608605054071"\r\n\r\n2:OK'), { ok: true, value: '89700110066850500417' });
  assert.equal(parseIccid('AT+CCID\r\r\r\nERROR').ok, false);
});
