/**
 * PostgreSQL cannot hold U+0000 in `text` (error 22021), while everything else we store takes it:
 * an SMS decoded from UCS2 may carry one, so may a device's payload or an admin's JSON. Left alone,
 * such a value fails its INSERT — an SMS part would then never commit (and so, rightly, never be
 * deleted from the SIM, but it would be read again forever and never shown). The raw PDU is kept
 * as hex, so nothing is lost by storing the decoded text with U+FFFD (the Unicode replacement
 * character) in place of each NUL. One place for the rule: every query parameter of every
 * connection passes through this client. SQLite stores NUL as it is and needs none of this.
 */
import pg from 'pg';

const NUL = /\u0000/g;

/** The value as PostgreSQL can store it: strings with NUL get U+FFFD instead; anything else unchanged. */
export function pgStorable(v: unknown): unknown {
  return typeof v === 'string' && v.includes('\u0000') ? v.replace(NUL, '\ufffd') : v;
}

export class TextSafeClient extends pg.Client {
  // Kysely calls query(text, values); other call forms pass through untouched.
  override query(...args: unknown[]): never {
    if (Array.isArray(args[1]) && args[1].some((v) => typeof v === 'string' && v.includes('\u0000'))) args[1] = args[1].map(pgStorable);
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}
