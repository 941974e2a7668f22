/** fast-check properties of the SMS codec: GSM-7 packing, encode → decode round trips. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GSM7_DEFAULT, GSM7_EXTENSION, gsm7Length, gsm7Septets, gsm7Text, packSeptets, unpackSeptets } from './gsm7.ts';
import { decodePdu } from './decode.ts';
import { encodeSubmit } from './encode-submit.ts';
import { encodeDeliverParts } from './encode-deliver.ts';
import { addPart, emptyReassembly } from './reassembly.ts';
import { wellFormed } from './ucs2.ts';

const gsmChars = [...Array.from(GSM7_DEFAULT).filter((c) => c !== '\x1b'), ...GSM7_EXTENSION.values()];
// size 'max': fast-check's default size keeps strings to about ten characters whatever maxLength
// says, which would never reach a second part (160 septets / 70 UCS2 units).
const gsmText = fc.array(fc.constantFrom(...gsmChars), { maxLength: 480, size: 'max' }).map((a) => a.join(''));
/** UCS2 text dense in surrogate pairs, so pairs land on part boundaries (67 / 66 units per part). */
const emojiText = fc
  .array(fc.constantFrom('😀', '👍🏽', '🇷🇺', 'Ж', '中', 'a', ' '), { minLength: 30, maxLength: 220, size: 'max' })
  .map((a) => a.join(''));
/** Any Unicode: graphemes (emoji, combining marks), raw code points, GSM text, emoji-dense text. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300, size: 'max' }),
  fc.string({ unit: 'binary', maxLength: 200, size: 'max' }),
  gsmText,
  fc.tuple(gsmText, fc.constantFrom('😀', '👍🏽', 'Ж', '中', '€')).map(([a, b]) => a + b + a),
  emojiText,
);

test('gsm7 / the default table has 128 entries', () => {
  assert.equal(Array.from(GSM7_DEFAULT).length, 128);
});

test('gsm7 / pack → unpack returns the septets for any fill', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 127 }), { maxLength: 200, size: 'max' }), fc.integer({ min: 0, max: 6 }), (septets, fill) => {
      const packed = packSeptets(septets, fill);
      assert.equal(packed.length, Math.ceil((fill + 7 * septets.length) / 8));
      assert.deepEqual(Array.from(unpackSeptets(packed, 0, fill, septets.length)), septets);
    }),
    { numRuns: 2000 },
  );
});

test('gsm7 / text → septets → text for any GSM 7-bit string', () => {
  fc.assert(
    fc.property(gsmText, (s) => {
      const septets = gsm7Septets(s);
      assert.ok(septets);
      assert.equal(gsm7Text(septets), s);
    }),
    { numRuns: 2000 },
  );
});

test('gsm7 / any GSM 7-bit string packs and unpacks back to itself, after any fill', () => {
  fc.assert(
    fc.property(gsmText, fc.integer({ min: 0, max: 6 }), (s, fill) => {
      const septets = gsm7Septets(s)!;
      const packed = packSeptets(septets, fill);
      assert.equal(gsm7Text(unpackSeptets(packed, 0, fill, septets.length)), s);
    }),
    { numRuns: 1000 },
  );
});

test('submit / encode → decode gives the text back, parts full up to their limits, for any Unicode', () => {
  fc.assert(
    fc.property(anyText, fc.integer({ min: 0, max: 255 }), fc.constantFrom<8 | 16>(8, 16), (text, ref, bits) => {
      const r = encodeSubmit({ to: '+79161234567', text, concatRef: ref, concatRefBits: bits });
      assert.ok(r.ok);
      const alphabet = gsm7Length(text) === null ? 'ucs2' : 'gsm7';
      // Per part: 153 septets / 67 UCS2 units with an 8-bit reference header, one less with 16-bit.
      const limit = r.value.length === 1 ? (alphabet === 'gsm7' ? 160 : 70) : (alphabet === 'gsm7' ? 153 : 67) - (bits === 16 ? 1 : 0);
      let joined = '';
      r.value.forEach((p, i) => {
        assert.ok(p.cmgsLength <= 140 + 13, `TPDU of ${p.cmgsLength} octets`);
        const d = decodePdu(p.hex);
        assert.ok(d.ok && d.value.kind === 'submit', JSON.stringify(!d.ok && d.error));
        assert.equal(d.value.tpduLength, p.cmgsLength);
        assert.equal(d.value.dcs.alphabet, alphabet);
        if (r.value.length > 1) assert.deepEqual(d.value.concat && [d.value.concat.ref, d.value.concat.seq, d.value.concat.total, d.value.concat.refBits], [ref, p.seq, r.value.length, bits]);
        else assert.equal(d.value.udh, null);
        const part = d.value.text!;
        const size = alphabet === 'gsm7' ? gsm7Length(part)! : part.length;
        assert.ok(size <= limit, `part ${i + 1}: ${size} > ${limit}`);
        // Only an escape pair or a surrogate pair that would straddle the limit ends a part early.
        if (i < r.value.length - 1) assert.ok(size >= limit - 1, `part ${i + 1} of ${r.value.length} holds only ${size} of ${limit}`);
        joined += part;
      });
      assert.equal(joined, text);
    }),
    { numRuns: 400 },
  );
});

test('deliver / split → decode → reassemble gives the text back, in any arrival order, duplicates ignored', () => {
  fc.assert(
    fc.property(anyText, fc.integer({ min: 0, max: 255 }), fc.integer({ min: -79, max: 79 }), fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (text, ref, tz, keys) => {
      const r = encodeDeliverParts({ sender: 'MTC', text, timestamp: 1_666_358_130_000, tzQuarterHours: tz, ref });
      assert.ok(r.ok);
      const parts = r.value.map((p) => {
        const d = decodePdu(p.hex);
        assert.ok(d.ok && d.value.kind === 'deliver');
        assert.equal(d.value.timestamp.epochMs, 1_666_358_130_000);
        assert.equal(d.value.timestamp.tzQuarterHours, tz);
        return d.value;
      });
      if (parts.length === 1 && parts[0]!.concat === null) return assert.equal(parts[0]!.text, text);
      // Arrival order: the parts sorted by random keys, the first to arrive arriving twice.
      const order = parts.map((p, i) => ({ p, k: keys[i % keys.length]! + i / 1000 })).sort((a, b) => a.k - b.k).map((x) => x.p);
      order.splice(1, 0, order[0]!);
      let state = emptyReassembly;
      const outcomes: string[] = [];
      let done: string | null = null;
      for (const p of order) {
        const o = addPart(state, { sim: 's', sender: p.sender.text, ref: p.concat!.ref, total: p.concat!.total, seq: p.concat!.seq, text: p.text! });
        state = o.state;
        outcomes.push(o.outcome.kind);
        if (o.outcome.kind === 'complete') done = o.outcome.text;
      }
      assert.equal(outcomes[1], parts.length === 1 ? 'pending' : 'duplicate');
      assert.equal(outcomes.filter((k) => k === 'complete').length, 1);
      assert.equal(Object.keys(state.groups).length, parts.length === 1 ? 1 : 0);
      // Reassembly replaces lone surrogates with U+FFFD; well-formed text comes back unchanged.
      assert.equal(done, wellFormed(text));
    }),
    { numRuns: 300 },
  );
});
