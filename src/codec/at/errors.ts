/**
 * `+CME ERROR` (3GPP TS 27.007 §9.2) and `+CMS ERROR` (TS 27.005 §3.2.5) code meanings.
 * Unlisted codes keep their number with a generic meaning.
 */

const CME: Readonly<Record<number, string>> = {
  0: 'phone failure',
  1: 'no connection to phone',
  2: 'phone-adaptor link reserved',
  3: 'operation not allowed',
  4: 'operation not supported',
  5: 'PH-SIM PIN required',
  6: 'PH-FSIM PIN required',
  7: 'PH-FSIM PUK required',
  10: 'SIM not inserted',
  11: 'SIM PIN required',
  12: 'SIM PUK required',
  13: 'SIM failure',
  14: 'SIM busy',
  15: 'SIM wrong',
  16: 'incorrect password',
  17: 'SIM PIN2 required',
  18: 'SIM PUK2 required',
  20: 'memory full',
  21: 'invalid index',
  22: 'not found',
  23: 'memory failure',
  24: 'text string too long',
  25: 'invalid characters in text string',
  26: 'dial string too long',
  27: 'invalid characters in dial string',
  30: 'no network service',
  31: 'network timeout',
  32: 'network not allowed - emergency calls only',
  40: 'network personalization PIN required',
  41: 'network personalization PUK required',
  42: 'network subset personalization PIN required',
  43: 'network subset personalization PUK required',
  44: 'service provider personalization PIN required',
  45: 'service provider personalization PUK required',
  46: 'corporate personalization PIN required',
  47: 'corporate personalization PUK required',
  100: 'unknown',
  103: 'illegal MS',
  106: 'illegal ME',
  107: 'GPRS services not allowed',
  111: 'PLMN not allowed',
  112: 'location area not allowed',
  113: 'roaming not allowed in this location area',
  132: 'service option not supported',
  133: 'requested service option not subscribed',
  134: 'service option temporarily out of order',
  148: 'unspecified GPRS error',
  149: 'PDP authentication failure',
  150: 'invalid mobile class',
};

const CMS: Readonly<Record<number, string>> = {
  1: 'unassigned (unallocated) number',
  8: 'operator determined barring',
  10: 'call barred',
  21: 'short message transfer rejected',
  27: 'destination out of service',
  28: 'unidentified subscriber',
  29: 'facility rejected',
  30: 'unknown subscriber',
  38: 'network out of order',
  41: 'temporary failure',
  42: 'congestion',
  47: 'resources unavailable, unspecified',
  50: 'requested facility not subscribed',
  69: 'requested facility not implemented',
  81: 'invalid short message transfer reference value',
  95: 'invalid message, unspecified',
  96: 'invalid mandatory information',
  97: 'message type non-existent or not implemented',
  98: 'message not compatible with short message protocol state',
  99: 'information element non-existent or not implemented',
  111: 'protocol error, unspecified',
  127: 'interworking, unspecified',
  300: 'ME failure',
  301: 'SMS service of ME reserved',
  302: 'operation not allowed',
  303: 'operation not supported',
  304: 'invalid PDU mode parameter',
  305: 'invalid text mode parameter',
  310: 'SIM not inserted',
  311: 'SIM PIN required',
  312: 'PH-SIM PIN required',
  313: 'SIM failure',
  314: 'SIM busy',
  315: 'SIM wrong',
  316: 'SIM PUK required',
  317: 'SIM PIN2 required',
  318: 'SIM PUK2 required',
  320: 'memory failure',
  321: 'invalid memory index',
  322: 'memory full',
  330: 'SMSC address unknown',
  331: 'no network service',
  332: 'network timeout',
  340: 'no +CNMA acknowledgement expected',
  500: 'unknown error',
};

/** Meaning of a `+CME ERROR` code. */
export function cmeErrorMeaning(code: number): string {
  return CME[code] ?? (code >= 256 ? 'manufacturer specific error' : 'unlisted error');
}

/** Meaning of a `+CMS ERROR` code. */
export function cmsErrorMeaning(code: number): string {
  if (CMS[code] !== undefined) return CMS[code];
  if (code >= 512) return 'manufacturer specific error';
  if (code < 128) return 'network error';
  return 'unlisted error';
}
