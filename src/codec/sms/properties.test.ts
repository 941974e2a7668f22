/** fast-check properties of the SMS codec: GSM-7 packing, encode → decode round trips. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GSM7_DEFAULT, GSM7_EXTENSION, gsm7Septets, gsm7Text, packSeptets, unpackSeptets } from './gsm7.ts';
import { decodePdu } from './decode.ts';
import { encodeSubmit } from './encode-submit.ts';
import { encodeDeliverParts } from './encode-deliver.ts';
import { addPart, emptyReassembly } from './reassembly.ts';
import { wellFormed } from './ucs2.ts';

const gsmChars = [...Array.from(GSM7_DEFAULT).filter((c) => c !== '\x1b'), ...GSM7_EXTENSION.values()];
const gsmText = fc.array(fc.constantFrom(...gsmChars), { maxLength: 400 }).map((a) => a.join(''));
/** Any Unicode: graphemes (emoji, combining marks), raw code points, and GSM text mixed. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  gsmText,
  fc.tuple(gsmText, fc.constantFrom('😀', '👍🏽', 'Ж', '中', '€')).map(([a, b]) => a + b + a),
);

test('gsm7 / the default table has 128 entries', () => {
  assert.equal(Array.from(GSM7_DEFAULT).length, 128);
});

test('gsm7 / pack → unpack returns the septets for any fill', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 127 }), { maxLength: 200 }), fc.integer({ min: 0, max: 6 }), (septets, fill) => {
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

test('submit / encode → decode gives the text back, parts within limits, for any Unicode', () => {
  fc.assert(
    fc.property(anyText, fc.integer({ min: 0, max: 255 }), fc.constantFrom<8 | 16>(8, 16), (text, ref, bits) => {
      const r = encodeSubmit({ to: '+79161234567', text, concatRef: ref, concatRefBits: bits });
      assert.ok(r.ok);
      let joined = '';
      for (const p of r.value) {
        assert.ok(p.cmgsLength <= 140 + 13, `TPDU of ${p.cmgsLength} octets`);
        const d = decodePdu(p.hex);
        assert.ok(d.ok && d.value.kind === 'submit', JSON.stringify(!d.ok && d.error));
        assert.equal(d.value.tpduLength, p.cmgsLength);
        if (r.value.length > 1) assert.deepEqual(d.value.concat && [d.value.concat.seq, d.value.concat.total, d.value.concat.refBits], [p.seq, r.value.length, bits]);
        joined += d.value.text;
      }
      assert.equal(joined, text);
    }),
    { numRuns: 400 },
  );
});

test('deliver / split → decode → reassemble gives the text back, in any arrival order', () => {
  fc.assert(
    fc.property(anyText, fc.integer({ min: 0, max: 255 }), fc.integer({ min: -79, max: 79 }), fc.context(), (text, ref, tz, ctx) => {
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
      let state = emptyReassembly;
      let done: string | null = null;
      for (const p of [...parts].reverse()) {
        const o = addPart(state, { sim: 's', sender: p.sender.text, ref: p.concat!.ref, total: p.concat!.total, seq: p.concat!.seq, text: p.text! });
        state = o.state;
        if (o.outcome.kind === 'complete') done = o.outcome.text;
      }
      ctx.log(`${parts.length} parts`);
      // Reassembly replaces lone surrogates with U+FFFD; well-formed text comes back unchanged.
      assert.equal(done, wellFormed(text));
    }),
    { numRuns: 300 },
  );
});
