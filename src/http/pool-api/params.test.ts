import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { param, parseQueryString, parseUrlEncoded, requestParams } from './params.ts';
import { timeFormatter } from './time.ts';

describe('pool api params', () => {
  it('params / query and form body merge, the body wins', () => {
    const p = requestParams('/api/handler.php?pool_key=a&action=getSms&number=1', 'application/x-www-form-urlencoded', Buffer.from('number=2&text=%D0%BF%D1%80%D0%B8+1'));
    assert.equal(p.get('pool_key'), 'a');
    assert.equal(p.get('number'), '2');
    assert.equal(p.get('text'), 'при 1');
  });
  it('params / a value that is not valid UTF-8 is absent', () => {
    const p = requestParams('/x?number=%FF%FE&sender=ok&bad=%zz', undefined, undefined);
    assert.equal(p.has('number'), false);
    assert.equal(p.has('bad'), false);
    assert.equal(p.get('sender'), 'ok');
  });
  it('params / a value holding a NUL is absent, in every body form (PostgreSQL refuses NUL in text)', () => {
    const q = requestParams('/x?operator=%00&sender=a%00b&ok=1', undefined, undefined);
    assert.deepEqual([...q.keys()], ['ok']);
    const j = requestParams('/x', 'application/json', Buffer.from('{"operator":"\\u0000","number":["1","\\u0000"],"ok":"1"}'));
    assert.deepEqual([...j.keys()], ['ok']);
    const m = requestParams('/x', 'multipart/form-data; boundary=XX', Buffer.from('--XX\r\nContent-Disposition: form-data; name="text"\r\n\r\na\0b\r\n--XX--\r\n'));
    assert.equal(m.has('text'), false);
  });
  it('params / multipart text fields', () => {
    const body = Buffer.from('--XX\r\nContent-Disposition: form-data; name="action"\r\n\r\ngetSms\r\n--XX\r\nContent-Disposition: form-data; name="text"\r\n\r\nline1\r\nline2\r\n--XX--\r\n');
    const p = requestParams('/x', 'multipart/form-data; boundary=XX', body);
    assert.equal(p.get('action'), 'getSms');
    assert.equal(p.get('text'), 'line1\r\nline2');
  });
  it('params / JSON body: strings, numbers, lists; malformed JSON adds nothing', () => {
    const p = requestParams('/x?a=1', 'application/json', Buffer.from('{"number":["1","2"],"channels":3,"new":true,"x":{"y":1}}'));
    assert.equal(p.get('number'), '1,2');
    assert.equal(p.get('channels'), '3');
    assert.equal(p.get('new'), '1');
    assert.equal(p.has('x'), false);
    assert.deepEqual([...requestParams('/x?a=1', 'application/json', Buffer.from('{bad')).entries()], [['a', '1']]);
  });
  it('params / property: the query string fast path decodes exactly as the byte decoder', () => {
    const piece = fc.constantFrom('a', 'b', '=', '&', '%', '%2', '%41', '%D0%BF', '%FF', '+', ' ', '7', 'п', '\u00ff', 'pool_key', 'number');
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }).map((xs) => xs.join('')), (qs) => {
      const fast = new Map<string, string>();
      const slow = new Map<string, string>();
      parseQueryString(qs, fast);
      parseUrlEncoded(Buffer.from(qs, 'latin1'), slow);
      assert.deepEqual([...fast.entries()], [...slow.entries()]);
    }), { numRuns: 2000 });
  });
  it('params / aliases: device_id or deviceId', () => {
    assert.equal(param(requestParams('/x?deviceId=4', undefined, undefined), 'device_id', 'deviceId'), '4');
  });
  it('time / HH:MM:SS DD.MM.YYYY in the configured zone', () => {
    assert.equal(timeFormatter('Europe/Moscow')(1615893622000), '14:20:22 16.03.2021');
    assert.equal(timeFormatter('UTC')(Date.UTC(2021, 0, 1, 0, 0, 5)), '00:00:05 01.01.2021');
  });
});
