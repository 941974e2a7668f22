/**
 * The one result shape of every codec decoder (STYLE.md §1): a value or a typed error, never both,
 * never a throw. `field` names the wire field that could not be read, `offset` the octet (or
 * character) position where reading failed.
 */
export interface CodecError {
  /** Stable machine code, e.g. `PDU_TOO_SHORT`, `BAD_HEX`, `BAD_UDH`. */
  readonly code: string;
  /** The protocol field being read, e.g. `TP-UDL`, `TP-OA`. */
  readonly field?: string;
  /** Octet offset (PDU) or character offset (text formats) where the problem was found. */
  readonly offset?: number;
  /** Human-readable explanation. */
  readonly reason: string;
}

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: CodecError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: string, reason: string, field?: string, offset?: number): Result<T> {
  const error: { code: string; reason: string; field?: string; offset?: number } = { code, reason };
  if (field !== undefined) error.field = field;
  if (offset !== undefined) error.offset = offset;
  return { ok: false, error };
}
