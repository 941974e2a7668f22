/**
 * Pool API parameters from the query string and the body (form, multipart, JSON), merged with the
 * body winning (api.md §1). Parsed here from raw bytes so that a value that is not valid UTF-8 is
 * treated as absent, as the contract says, instead of being silently "repaired". A value holding a NUL
 * character is absent too: no pool API value can contain one, and PostgreSQL refuses it in text.
 */
export type Params = ReadonlyMap<string, string>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try { return utf8.decode(bytes); } catch { return undefined; }
}

const hex = (b: number): number =>
  b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x41 && b <= 0x46 ? b - 0x37 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1;

/** Percent-decodes one form component (`+` is a space); undefined for a bad escape or bad UTF-8. */
export function decodeComponent(raw: Uint8Array): string | undefined {
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === 0x2b) { out[n++] = 0x20; continue; }
    if (b === 0x25) {
      const h = hex(raw[i + 1] ?? -1); const l = hex(raw[i + 2] ?? -1);
      if (h < 0 || l < 0) return undefined;
      out[n++] = h * 16 + l;
      i += 2;
      continue;
    }
    out[n++] = b;
  }
  return decodeUtf8(out.subarray(0, n));
}

/** Parses `a=1&b=2` bytes; later duplicates win (as PHP's $_GET / $_POST). */
export function parseUrlEncoded(bytes: Uint8Array, into: Map<string, string>): void {
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x26) continue;
    const pair = bytes.subarray(start, i);
    start = i + 1;
    if (pair.length === 0) continue;
    const eq = pair.indexOf(0x3d);
    const name = decodeComponent(eq < 0 ? pair : pair.subarray(0, eq));
    const value = decodeComponent(eq < 0 ? new Uint8Array(0) : pair.subarray(eq + 1));
    if (name === undefined || name === '') continue;
    if (value === undefined) { into.delete(name); continue; }
    into.set(name, value);
  }
}

/** Text fields of a multipart/form-data body (file parts are read as text too: clients send plain values). */
export function parseMultipart(body: Buffer, boundary: string, into: Map<string, string>): void {
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const partStart = pos + delim.length;
    if (body[partStart] === 0x2d && body[partStart + 1] === 0x2d) return; // closing delimiter
    const next = body.indexOf(delim, partStart);
    if (next < 0) return;
    const part = body.subarray(partStart, next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd >= 0) {
      const head = part.subarray(0, headEnd).toString('latin1');
      let value = part.subarray(headEnd + 4);
      if (value.length >= 2 && value[value.length - 2] === 0x0d && value[value.length - 1] === 0x0a) value = value.subarray(0, value.length - 2);
      const m = /content-disposition:[^\r\n]*;\s*name="([^"]*)"/i.exec(head);
      const name = m ? decodeUtf8(Buffer.from(m[1]!, 'latin1')) : undefined;
      if (name) {
        const text = decodeUtf8(value);
        if (text === undefined) into.delete(name); else into.set(name, text);
      }
    }
    pos = next;
  }
}

/** JSON object body: strings as they are, numbers and booleans as text, arrays joined by commas. */
export function parseJsonBody(body: Buffer, into: Map<string, string>): void {
  const text = decodeUtf8(body);
  if (text === undefined) return;
  let v: unknown;
  try { v = JSON.parse(text); } catch { return; }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string') { if (x.includes('\0')) into.delete(k); else into.set(k, x); }
    else if (typeof x === 'number' && Number.isFinite(x)) into.set(k, String(x));
    else if (typeof x === 'boolean') into.set(k, x ? '1' : '0');
    else if (Array.isArray(x) && x.every((i) => (typeof i === 'string' && !i.includes('\0')) || typeof i === 'number')) into.set(k, x.join(','));
  }
}

/**
 * Parses a query string as the HTTP parser hands it over (one char per byte). A component of plain
 * ASCII without `%` or `+` is its own value (the usual case: keys, actions, numbers); any other
 * goes through the byte decoder, so invalid escapes and invalid UTF-8 are handled as in a body.
 */
export function parseQueryString(qs: string, into: Map<string, string>): void {
  const plain = (c: string): boolean => {
    for (let i = 0; i < c.length; i++) {
      const ch = c.charCodeAt(i);
      if (ch === 0x25 || ch === 0x2b || ch >= 0x80) return false;
    }
    return true;
  };
  const decode = (c: string): string | undefined => (plain(c) ? c : decodeComponent(Buffer.from(c, 'latin1')));
  let start = 0;
  while (start <= qs.length) {
    let end = qs.indexOf('&', start);
    if (end < 0) end = qs.length;
    if (end > start) {
      const pair = qs.slice(start, end);
      const eq = pair.indexOf('=');
      const name = decode(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
      if (name !== undefined && name !== '') {
        if (value === undefined) into.delete(name); else into.set(name, value);
      }
    }
    start = end + 1;
  }
}

/** The merged parameters of a request: query string first, then the body on top. */
export function requestParams(rawUrl: string, contentType: string | undefined, body: unknown): Params {
  const params = new Map<string, string>();
  const q = rawUrl.indexOf('?');
  if (q >= 0) parseQueryString(rawUrl.slice(q + 1), params);
  if (Buffer.isBuffer(body) && body.length > 0) {
    const ct = (contentType ?? '').toLowerCase();
    if (ct.startsWith('multipart/form-data')) {
      const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
      const boundary = m?.[1] ?? m?.[2];
      if (boundary) parseMultipart(body, boundary, params);
    } else if (ct.startsWith('application/json')) {
      parseJsonBody(body, params);
    } else if (ct === '' || ct.startsWith('application/x-www-form-urlencoded') || ct.startsWith('text/plain')) {
      parseUrlEncoded(body, params);
    }
  }
  return params;
}

/** The first present value among a name and its aliases (api.md §1 "Parameter aliases"). */
export function param(p: Params, name: string, ...aliases: string[]): string | undefined {
  for (const n of [name, ...aliases]) {
    const v = p.get(n);
    if (v !== undefined) return v;
  }
  return undefined;
}
