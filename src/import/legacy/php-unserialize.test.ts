import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isPhpArray, phpGet, phpInt, unserializePhp } from './php-unserialize.ts';
import type { PhpValue } from './php-unserialize.ts';
import { decodeLegacyText } from './legacy-text.ts';

/** A minimal serializer (test-only) to check decode(serialize(x)) = x. */
function ser(v: PhpValue): string {
  if (v === null) return 'N;';
  if (typeof v === 'boolean') return `b:${v ? 1 : 0};`;
  if (typeof v === 'number') return Number.isInteger(v) ? `i:${v};` : `d:${v};`;
  if (typeof v === 'string') return `s:${Buffer.byteLength(v)}:"${v}";`;
  let out = `a:${v.size}:{`;
  for (const [k, x] of v) out += (typeof k === 'number' ? `i:${k};` : `s:${Buffer.byteLength(k)}:"${k}";`) + ser(x);
  return out + '}';
}

describe('php unserialize / plain data', () => {
  it('devices.data settings map → values by key', () => {
    const blob = 'a:5:{s:9:"row_begin";i:0;s:4:"rows";s:2:"19";s:10:"time_limit";i:300;s:3:"map";s:8:"11110000";s:10:"activation";b:1;}';
    const r = unserializePhp(blob);
    assert.ok(r.ok);
    assert.ok(isPhpArray(r.value));
    assert.equal(phpGet(r.value, 'row_begin'), 0);
    assert.equal(phpInt(phpGet(r.value, 'rows')), 19);
    assert.equal(phpGet(r.value, 'map'), '11110000');
    assert.equal(phpGet(r.value, 'activation'), true);
  });

  it('modems map with integer keys and nested lists; "1" and 1 are the same key', () => {
    const r = unserializePhp('a:2:{i:1;a:2:{i:0;i:4;i:1;i:-2;}i:9;a:2:{i:0;i:4;i:1;i:1;}}');
    assert.ok(r.ok && isPhpArray(r.value));
    const m1 = phpGet(r.value, '1');
    assert.ok(isPhpArray(m1));
    assert.equal(phpGet(m1, 1), -2);
  });

  it('string lengths count bytes: UTF-8 Cyrillic and CP1251 with a decoder', () => {
    const utf = unserializePhp('s:12:"Привет";');
    assert.deepEqual(utf, { ok: true, value: 'Привет' });
    const bytes = Buffer.concat([Buffer.from('s:6:"'), Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]), Buffer.from('";')]);
    const cp = unserializePhp(bytes, { decodeString: (b) => decodeLegacyText(b).text });
    assert.deepEqual(cp, { ok: true, value: 'Привет' });
  });

  it('doubles, INF, negative ints, null', () => {
    const r = unserializePhp('a:4:{i:0;d:12.5;i:1;d:-INF;i:2;i:-7;i:3;N;}');
    assert.ok(r.ok && isPhpArray(r.value));
    assert.deepEqual([...r.value.values()], [12.5, -Infinity, -7, null]);
  });

  const refusals: Array<[string, string, string]> = [
    ['object', 'O:8:"stdClass":1:{s:1:"a";i:1;}', 'PHP_OBJECT'],
    ['object inside an array', 'a:1:{i:0;O:3:"Foo":0:{}}', 'PHP_OBJECT'],
    ['custom-serialized object', 'C:3:"Foo":0:{}', 'PHP_OBJECT'],
    ['reference', 'a:2:{i:0;i:1;i:1;R:2;}', 'PHP_REFERENCE'],
    ['string length past the end', 's:50:"short";', 'PHP_SYNTAX'],
    ['string length too short (charset-converted blob)', 's:3:"Привет";', 'PHP_SYNTAX'],
    ['array size larger than its elements', 'a:3:{i:0;i:1;}', 'PHP_SYNTAX'],
    ['array key that is an array', 'a:1:{a:0:{}i:1;}', 'PHP_SYNTAX'],
    ['truncated', 'a:1:{i:0;', 'PHP_SYNTAX'],
    ['empty input', '', 'PHP_SYNTAX'],
    ['trailing bytes', 'i:1;i:2;', 'PHP_TRAILING_DATA'],
    ['integer beyond 2^53', 'i:99999999999999999999;', 'PHP_SYNTAX'],
    ['bad boolean', 'b:2;', 'PHP_SYNTAX'],
  ];
  for (const [title, input, code] of refusals) {
    it(`refuses ${title} → ${code}`, () => {
      const r = unserializePhp(input);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, code);
    });
  }

  it('bounds: depth, element count and size → typed errors', () => {
    const deep = 'a:1:{i:0;'.repeat(40) + 'N;' + '}'.repeat(40);
    const d = unserializePhp(deep, { limits: { maxDepth: 16 } });
    assert.ok(!d.ok && d.error.code === 'PHP_TOO_DEEP');
    const many = unserializePhp('a:1000000000:{}');
    assert.ok(!many.ok && many.error.code === 'PHP_TOO_MANY_ITEMS');
    const big = unserializePhp('s:3:"abc";', { limits: { maxBytes: 5 } });
    assert.ok(!big.ok && big.error.code === 'PHP_TOO_LARGE');
  });

  it('property: any bytes → a value or a typed error, never a throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      const r = unserializePhp(b);
      return r.ok ? !('error' in r) : typeof r.error.code === 'string' && r.error.offset >= 0;
    }), { numRuns: 2000 });
  });

  it('property: mutated serialized data never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), fc.nat(), (s, cut) => {
      const text = ser(new Map<number | string, PhpValue>([[0, s], ['k', 1]]));
      const r = unserializePhp(text.slice(0, cut % (text.length + 1)));
      return typeof r.ok === 'boolean';
    }));
  });

  it('property: decode(serialize(x)) = x for plain data', () => {
    const key = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 8 }).filter((s) => !/^(0|-?[1-9]\d*)$/.test(s)));
    const { value } = fc.letrec<{ value: PhpValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 20 }),
        fc.uniqueArray(fc.tuple(key, tie('value')), { maxLength: 4, selector: (t) => String(t[0]) })
          .map((entries) => new Map<number | string, PhpValue>(entries)),
      ),
    }));
    fc.assert(fc.property(value, (v) => {
      const r = unserializePhp(ser(v));
      assert.ok(r.ok);
      assert.deepEqual(r.value, v);
    }));
  });
});
