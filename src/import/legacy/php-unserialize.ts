/**
 * A strict, bounded reader of PHP `serialize()` output for plain data only: `N;`, `b:`, `i:`, `d:`,
 * `s:` and `a:` (arrays). Objects (`O:`, `C:`, `E:`) and references (`r:`, `R:`) are refused with a
 * typed error, never instantiated or followed: the legacy panel called `unserialize()` on blobs an
 * attacker could reach (device-link.md §10.1 item 7), and we read the same blobs.
 *
 * Works on bytes because `s:<n>:` counts bytes of the string as PHP held it (UTF-8 or CP1251);
 * string contents are decoded by the caller's `decodeString` once their bytes are cut out.
 * Returns `{ ok: true, value }` or `{ ok: false, error: { code, offset, detail } }`; never throws.
 */

/** A PHP array: keys are integers or strings, insertion order kept (a later duplicate key wins). */
export type PhpArray = ReadonlyMap<number | string, PhpValue>;
export type PhpValue = null | boolean | number | string | PhpArray;

export type PhpErrorCode =
  | 'PHP_SYNTAX' | 'PHP_TOO_LARGE' | 'PHP_TOO_DEEP' | 'PHP_TOO_MANY_ITEMS'
  | 'PHP_OBJECT' | 'PHP_REFERENCE' | 'PHP_TRAILING_DATA';

export interface PhpError {
  readonly code: PhpErrorCode;
  /** Byte offset in the input where reading stopped. */
  readonly offset: number;
  readonly detail: string;
}

export type PhpResult = { readonly ok: true; readonly value: PhpValue } | { readonly ok: false; readonly error: PhpError };

export interface PhpLimits {
  /** Longest input accepted, in bytes (default 1 MiB; settings blobs are a few hundred bytes). */
  readonly maxBytes: number;
  /** Deepest array nesting (default 16). */
  readonly maxDepth: number;
  /** Most array elements in the whole value (default 100 000). */
  readonly maxItems: number;
}

export const DEFAULT_PHP_LIMITS: PhpLimits = Object.freeze({ maxBytes: 1 << 20, maxDepth: 16, maxItems: 100_000 });

export interface UnserializeOptions {
  readonly limits?: Partial<PhpLimits>;
  /** Turns a string's bytes into text (default: UTF-8, invalid sequences replaced). */
  readonly decodeString?: (bytes: Uint8Array) => string;
}

class Stop {
  constructor(readonly error: PhpError) {}
}

const C = {
  colon: 0x3a, semi: 0x3b, quote: 0x22, open: 0x7b, close: 0x7d, minus: 0x2d, plus: 0x2b, dot: 0x2e,
} as const;

const utf8 = new TextDecoder('utf-8');

/** Reads one serialized value that must span the whole input. */
export function unserializePhp(input: Uint8Array | string, opts: UnserializeOptions = {}): PhpResult {
  const limits = { ...DEFAULT_PHP_LIMITS, ...opts.limits };
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  if (bytes.length > limits.maxBytes) {
    return { ok: false, error: { code: 'PHP_TOO_LARGE', offset: 0, detail: `${bytes.length} bytes, at most ${limits.maxBytes}` } };
  }
  const decode = opts.decodeString ?? ((b: Uint8Array) => utf8.decode(b));
  let pos = 0;
  let items = 0;

  const fail = (code: PhpErrorCode, detail: string, at = pos): never => { throw new Stop({ code, offset: at, detail }); };

  const expect = (byte: number, what: string): void => {
    if (bytes[pos] !== byte) fail('PHP_SYNTAX', `expected '${String.fromCharCode(byte)}' ${what}`);
    pos++;
  };

  /** Digits with an optional sign, up to a terminator; returns the text. */
  const readIntText = (terminator: number, what: string): string => {
    const start = pos;
    if (bytes[pos] === C.minus || bytes[pos] === C.plus) pos++;
    const digitsStart = pos;
    while (pos < bytes.length && bytes[pos]! >= 0x30 && bytes[pos]! <= 0x39 && pos - digitsStart < 20) pos++;
    if (pos === digitsStart) fail('PHP_SYNTAX', `expected digits for ${what}`);
    const text = String.fromCharCode(...bytes.subarray(start, pos));
    expect(terminator, `after ${what}`);
    return text;
  };

  const readInt = (terminator: number, what: string): number => {
    const at = pos;
    const n = Number(readIntText(terminator, what));
    if (!Number.isSafeInteger(n)) fail('PHP_SYNTAX', `${what} out of the safe integer range`, at);
    return n;
  };

  const readLength = (what: string): number => {
    const at = pos;
    const n = readInt(C.colon, what);
    if (n < 0) fail('PHP_SYNTAX', `negative ${what}`, at);
    return n;
  };

  const readDouble = (): number => {
    const start = pos;
    while (pos < bytes.length && bytes[pos] !== C.semi && pos - start < 64) pos++;
    const text = String.fromCharCode(...bytes.subarray(start, pos));
    expect(C.semi, 'after a double');
    if (text === 'INF') return Infinity;
    if (text === '-INF') return -Infinity;
    if (text === 'NAN') return NaN;
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) fail('PHP_SYNTAX', `bad double '${text.slice(0, 20)}'`, start);
    return Number(text);
  };

  const readString = (): string => {
    const n = readLength('string length');
    expect(C.quote, 'before string bytes');
    if (pos + n > bytes.length) fail('PHP_SYNTAX', `string of ${n} bytes runs past the end`);
    const s = decode(bytes.subarray(pos, pos + n));
    pos += n;
    expect(C.quote, `after ${n} string bytes (length does not match)`);
    expect(C.semi, 'after a string');
    return s;
  };

  const readKey = (): number | string => {
    const tag = bytes[pos];
    if (bytes[pos + 1] !== C.colon) fail('PHP_SYNTAX', 'expected an array key');
    pos += 2;
    if (tag === 0x69 /* i */) return readInt(C.semi, 'integer key');
    if (tag === 0x73 /* s */) return readString();
    return fail('PHP_SYNTAX', 'an array key must be an integer or a string', pos - 2);
  };

  const readValue = (depth: number): PhpValue => {
    const tag = bytes[pos];
    if (tag === undefined) return fail('PHP_SYNTAX', 'unexpected end of input');
    if (tag === 0x4e /* N */) { pos++; expect(C.semi, "after 'N'"); return null; }
    if (bytes[pos + 1] !== C.colon) return fail('PHP_SYNTAX', `expected ':' after type '${String.fromCharCode(tag)}'`, pos + 1);
    switch (tag) {
      case 0x62 /* b */: {
        pos += 2;
        const v = bytes[pos];
        if (v !== 0x30 && v !== 0x31) fail('PHP_SYNTAX', 'a boolean is 0 or 1');
        pos++;
        expect(C.semi, 'after a boolean');
        return v === 0x31;
      }
      case 0x69 /* i */: pos += 2; return readInt(C.semi, 'integer');
      case 0x64 /* d */: pos += 2; return readDouble();
      case 0x73 /* s */: pos += 2; return readString();
      case 0x61 /* a */: {
        if (depth >= limits.maxDepth) fail('PHP_TOO_DEEP', `arrays nested deeper than ${limits.maxDepth}`);
        pos += 2;
        const n = readLength('array size');
        if (items + n > limits.maxItems) fail('PHP_TOO_MANY_ITEMS', `more than ${limits.maxItems} array elements`);
        items += n;
        expect(C.open, 'before array elements');
        const map = new Map<number | string, PhpValue>();
        for (let i = 0; i < n; i++) {
          const k = readKey();
          map.set(k, readValue(depth + 1));
        }
        expect(C.close, 'after array elements');
        return map;
      }
      case 0x4f /* O */: case 0x43 /* C */: case 0x45 /* E */:
        return fail('PHP_OBJECT', 'serialized objects are never read (plain data only)');
      case 0x72 /* r */: case 0x52 /* R */:
        return fail('PHP_REFERENCE', 'serialized references are not plain data');
      default:
        return fail('PHP_SYNTAX', `unknown type '${String.fromCharCode(tag)}'`);
    }
  };

  try {
    const value = readValue(0);
    if (pos !== bytes.length) fail('PHP_TRAILING_DATA', `${bytes.length - pos} bytes after the value`);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, error: e.error };
    return { ok: false, error: { code: 'PHP_SYNTAX', offset: pos, detail: String(e) } };
  }
}

/** True for a PHP array value. */
export function isPhpArray(v: PhpValue | undefined): v is PhpArray {
  return v instanceof Map;
}

/** `arr[key]` with PHP's key rule: a decimal-integer string key and the integer are the same key. */
export function phpGet(arr: PhpArray, key: number | string): PhpValue | undefined {
  if (arr.has(key)) return arr.get(key);
  if (typeof key === 'string' && /^(0|-?[1-9]\d{0,15})$/.test(key)) return arr.get(Number(key));
  if (typeof key === 'number') return arr.get(String(key));
  return undefined;
}

/** A scalar as PHP would print it with `echo` (`true` → `1`, `false`/null → ``); undefined for arrays. */
export function phpScalarText(v: PhpValue | undefined): string | undefined {
  if (v === null || v === undefined || v === false) return v === undefined ? undefined : '';
  if (v === true) return '1';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  return undefined;
}

/** A scalar as an integer the way PHP's `(int)` would read a clean value; undefined otherwise. */
export function phpInt(v: PhpValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*-?\d{1,15}\s*$/.test(v)) return Number(v);
  return undefined;
}
