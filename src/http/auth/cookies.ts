/**
 * Just enough of RFC 6265 for the session cookie: read a Cookie header, write a Set-Cookie value.
 * Values we write are base64url (no escaping needed); values we read are taken verbatim and
 * never trusted beyond a hash lookup.
 */

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

export interface CookieOptions { httpOnly: boolean; secure: boolean; maxAgeSec: number }

export function setCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(o.maxAgeSec))}`];
  if (o.httpOnly) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}
