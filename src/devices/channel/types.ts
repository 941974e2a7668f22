/**
 * Commands and their outcomes on a device's command channel (device-link.md §2.2–2.4, §12;
 * STYLE.md §5: a command carries its parser; a timeout, a `+CME ERROR` and a parse failure are
 * three distinct typed outcomes).
 */

/** What a parser returns; structurally the codec's `Result` (src/codec/result.ts). */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly reason?: string } };

/** One device command and the parser of its answer. */
export interface Command<T> {
  /** Raw command text as the device gets it (`modem>select:3`, `card:A5`, `&&` chains allowed). */
  readonly text: string;
  /** How long to wait for the (first) answer, in milliseconds, counted from when it was queued. */
  readonly timeoutMs: number;
  /** Turns the answer text into a value; a codec function. */
  readonly parse: (answer: string) => ParseResult<T>;
}

/** Why a command did not produce a value. */
export type CommandError =
  /** No answer within `timeoutMs`. `released` = it had been handed to the device. */
  | { readonly code: 'TIMEOUT'; readonly step: number; readonly timeoutMs: number; readonly released: boolean }
  /** The modem answered `+CME ERROR: <n>` (mobile equipment) or `+CMS ERROR: <n>` (message service). */
  | { readonly code: 'CME_ERROR' | 'CMS_ERROR'; readonly step: number; readonly errorCode: number | string; readonly answer: string }
  /** The answer came but the command's parser refused it. */
  | { readonly code: 'PARSE_FAILED'; readonly step: number; readonly answer: string; readonly cause: { readonly code: string; readonly reason?: string } }
  /** The command was dropped before an answer: queue purged, channel closed, or aborted by the caller. */
  | { readonly code: 'CANCELLED'; readonly step: number; readonly reason: string }
  /** The transaction window had expired; the command was not sent. */
  | { readonly code: 'TX_EXPIRED'; readonly transaction: string }
  /** The command text is empty or holds characters the link cannot carry. */
  | { readonly code: 'BAD_COMMAND'; readonly reason: string };

/** The outcome of sending one command. */
export type CommandOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly step: number; readonly answer: string }
  | { readonly ok: false; readonly error: CommandError };

/** A step-0 (unsolicited) message as kept by the stream. */
export interface UnsolicitedMessage {
  /** Position in the stream, strictly increasing from 1. */
  readonly seq: number;
  /** Clock time of arrival, ms since the epoch. */
  readonly at: number;
  /** The payload as the device sent it. */
  readonly text: string;
  /** Modem number of a `1:`/`2:` line prefix (SR-Box-2 family), or null. */
  readonly modem: number | null;
  /** `text` with the `<n>:` line prefixes removed. */
  readonly body: string;
}
