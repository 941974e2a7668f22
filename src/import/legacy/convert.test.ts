import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getModel, resolveSettings } from '../../models/index.ts';
import type { ModelDescriptor, ResolvedSettings } from '../../models/index.ts';
import {
  legacyCardNumber, legacyColor, legacyInsertedFolder, legacyLinkToken, legacyMethod, legacyNetworkNames, legacyPlace,
  legacySettings, parseModemList, phoneDigits, widenFor,
} from './convert.ts';
import { parseMysqlUrl } from './legacy-source.ts';
import { parseLegacyUdh } from './steps-messages.ts';

const model = (id: string): ModelDescriptor => getModel(id)!;
const settings = (raw = {}): ResolvedSettings => { const r = resolveSettings(raw); assert.ok(r.ok); return r.value; };
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const place = (m: string, text: string, s = settings()) => {
  const r = legacyPlace(model(m), s, text);
  return r.ok ? model(m).formatPlace(r.value) : r.error.code;
};

describe('legacy convert / places', () => {
  it('canonical notation per model: Nano leading zeros, Train zero-padded pairs, lower-case letters', () => {
    assert.equal(place('SR-Nano-500', 'A05'), 'A5');
    assert.equal(place('SR-Nano-1000', 'a005'), 'A5');
    assert.equal(place('SR-Train', '04-07'), '4-7');
    assert.equal(place('SR-Box-8', 'c'), 'C');
    assert.equal(place('SR-Organizer', '2-5'), '2-5');
  });
  it('letter+row models also take the old row-col form (12-3 = C12)', () => {
    assert.equal(place('SR-Box-Bank', '12-3', settings({ bankMap: '11000000' })), 'C12');
    assert.equal(place('SR-Board', '64-8'), 'H64');
    assert.equal(place('SR-Train', '12-3'), '12-3');
  });
  it('refusals are typed: syntax vs out of the layout', () => {
    assert.equal(place('SR-Nano-500', 'Z9'), 'PLACE_OUT_OF_RANGE');
    assert.equal(place('SR-Nano-500', 'hello'), 'PLACE_SYNTAX');
    assert.equal(place('SR-Box-Bank', 'C20'), 'PLACE_OUT_OF_RANGE');
    assert.equal(place('SR-Box-Bank', '20-9'), 'PLACE_SYNTAX');
  });
  it('settings are widened to hold the legacy cards (banks, train rows), and left alone when they fit', () => {
    const bank = model('SR-Box-Bank');
    const w = widenFor(bank, { bankMap: '10000000' }, [{ line: 1, slot: 20 }, { line: 0, slot: 3 }]);
    assert.equal(w.settings.bankMap, '10100000');
    assert.match(w.note ?? '', /bank map widened/);
    assert.deepEqual(widenFor(bank, { bankMap: '10000000' }, [{ line: 0, slot: 8 }]), { settings: { bankMap: '10000000' } });
    const train = widenFor(model('SR-Train'), { rowEnd: 10 }, [{ line: 14, slot: 1 }]);
    assert.deepEqual([train.settings.rowBegin, train.settings.rowEnd], [0, 14]);
  });
});

describe('legacy convert / numbers', () => {
  const train = model('SR-Train');
  const s = settings();
  const p47 = { line: 4, slot: 7 };
  it('digits kept, + and formatting removed', () => {
    assert.deepEqual(legacyCardNumber(train, s, p47, '4-7', '+7 (916) 123-45-67'), { kind: 'number', number: '79161234567' });
    assert.deepEqual(legacyCardNumber(train, s, p47, '4-7', '79161234567'), { kind: 'number', number: '79161234567' });
    assert.deepEqual(legacyCardNumber(train, s, p47, '4-7', ''), { kind: 'none' });
  });
  it('blocked quirk: the slot written into number (as stored or in another spelling of the same slot)', () => {
    assert.deepEqual(legacyCardNumber(train, s, p47, '4-7', '4-7'), { kind: 'blocked' });
    assert.deepEqual(legacyCardNumber(train, s, p47, '04-07', '4-7'), { kind: 'blocked' });
    const nano = model('SR-Nano-500');
    assert.deepEqual(legacyCardNumber(nano, s, { line: 0, slot: 5 }, 'A5', 'a05'), { kind: 'blocked' });
  });
  it('anything else is invalid (cleared with a warning by the importer)', () => {
    assert.deepEqual(legacyCardNumber(train, s, p47, '4-7', '4-8'), { kind: 'invalid', text: '4-8' });
    assert.deepEqual(legacyCardNumber(train, s, p47, '4-7', 'n/a'), { kind: 'invalid', text: 'n/a' });
    assert.equal(phoneDigits('12'), null);
  });
});

describe('legacy convert / devices.data and devices.modems', () => {
  it('serialized settings → model settings plus legacy extras', () => {
    const blob = 'a:6:{s:9:"row_begin";i:2;s:4:"rows";s:2:"17";s:10:"time_limit";i:300;s:13:"carrier_limit";i:90;s:5:"modem";s:6:"sim800";s:7:"storage";s:1:"0";}';
    const r = legacySettings(model('SR-Train'), bytes(blob), '1, 2,9');
    assert.deepEqual(r.settings, { rowBegin: 2, rowEnd: 17, timeLimit: 300, carrierLimit: 90, modemType: 'SIM800', storage: false, enabledChannels: [1, 2, 9] });
    assert.deepEqual(r.warnings, []);
  });
  it('Organizer-Smart type from lines/modems', () => {
    const smart = model('SR-Organizer-Smart');
    assert.equal(legacySettings(smart, bytes('a:2:{s:5:"lines";i:3;s:6:"modems";i:3;}'), '').settings.smartType, 55);
    assert.equal(legacySettings(smart, bytes('a:2:{s:5:"lines";i:3;s:6:"modems";i:1;}'), '').settings.smartType, 54);
  });
  it('values the model refuses are dropped with a warning; unreadable blobs and objects give defaults', () => {
    const bad = legacySettings(model('SR-Box-Bank'), bytes('a:1:{s:3:"map";s:3:"abc";}'), '');
    assert.deepEqual(bad.settings, {});
    assert.match(bad.warnings[0] ?? '', /setting bankMap = "abc" refused/);
    const obj = legacySettings(model('SR-Box-8'), bytes('O:8:"stdClass":0:{}'), '');
    assert.deepEqual(obj.settings, {});
    assert.match(obj.warnings[0] ?? '', /PHP_OBJECT/);
  });
  it('a blob whose UTF-8 strings were re-encoded by a latin1 connection is still read', () => {
    const original = Buffer.from('a:2:{s:5:"title";s:8:"Нано";s:5:"modem";s:6:"SIM800";}', 'utf8');
    const mangled = Buffer.from(new TextDecoder('windows-1252').decode(original), 'utf8');
    assert.notEqual(mangled.length, original.length);
    const r = legacySettings(model('SR-Nano-500'), new Uint8Array(mangled), '');
    assert.deepEqual([r.warnings, r.settings], [[], { modemType: 'SIM800' }]);
  });
  it('modem lists', () => {
    assert.deepEqual(parseModemList('3,1,1,,x,99'), [1, 3]);
    assert.equal(parseModemList(''), undefined);
  });
});

describe('legacy convert / small values', () => {
  it('link tokens, operator fields, colours', () => {
    assert.equal(legacyLinkToken(' 1234567890 '), '1234567890');
    assert.equal(legacyLinkToken(''), null);
    assert.equal(legacyLinkToken('12 34'), null);
    assert.equal(legacyMethod('', '*100#'), 'ussd');
    assert.equal(legacyMethod('SMS', '*100#'), 'sms');
    assert.equal(legacyMethod('', ''), 'none');
    assert.deepEqual(legacyNetworkNames(';MTS;mts rus;;MTS;'), ['MTS', 'MTS RUS']);
    assert.equal(legacyColor('E30611'), '#e30611');
    assert.equal(legacyColor('#0f0'), '#00ff00');
    assert.equal(legacyColor('red'), '#808080');
  });
  it('inserted disk blob: serialized array, bare id, garbage', () => {
    assert.deepEqual(legacyInsertedFolder(bytes('a:2:{s:2:"id";i:3;s:5:"title";s:4:"Disk";}')), { id: 3, title: 'Disk' });
    assert.deepEqual(legacyInsertedFolder(bytes('7')), { id: 7 });
    assert.equal(legacyInsertedFolder(bytes('O:3:"Foo":0:{}')), undefined);
    assert.equal(legacyInsertedFolder(null), undefined);
  });
  it('unmerged SMS headers: 8-bit and 16-bit references, blanks allowed, nonsense refused', () => {
    assert.deepEqual(parseLegacyUdh('050003CD0402'), { ref: 0xcd, total: 4, seq: 2 });
    assert.deepEqual(parseLegacyUdh('05 00 03 CD 04 02 '), { ref: 0xcd, total: 4, seq: 2 });
    assert.deepEqual(parseLegacyUdh('0608040102030'), undefined);
    assert.deepEqual(parseLegacyUdh('06080401020301'), { ref: 0x0102, total: 3, seq: 1 });
    assert.equal(parseLegacyUdh('050003CD0405'), undefined);
    assert.equal(parseLegacyUdh('ZZ'), undefined);
  });
  it('source URLs: mysql:// with a database, anything else refused', () => {
    const ok = parseMysqlUrl('mysql://u:p%40ss@db.local:3307/srnav');
    assert.deepEqual(ok, { ok: true, value: { host: 'db.local', port: 3307, user: 'u', password: 'p@ss', database: 'srnav' } });
    for (const bad of ['postgres://x@y/z', 'mysql://host', 'nonsense', 'mysql://h/a;drop', 'mysql://u:50%off@h/db', 'mysql://%E0%A4%A@h/db', 'mysql://h/%zz']) {
      const r = parseMysqlUrl(bad);
      assert.ok(!r.ok && r.error.code === 'SOURCE_URL_INVALID', bad);
    }
  });
});
