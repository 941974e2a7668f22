/**
 * `simnav pdu decode <hex>` / `simnav pdu encode --to <number> --text <text>`: SMS PDUs for people
 * debugging hardware. Decoding and encoding are the codec's; this file parses arguments and prints.
 */
import { decodePdu, encodeSubmit, type SmsPdu, type TextEncoding } from '../../codec/index.ts';

export const summary = 'decode an SMS PDU to JSON, or encode an SMS-SUBMIT for AT+CMGS';
export const usage = `usage:
  simnav pdu decode [--no-smsc] [--lenient] [<hex>]   (hex from stdin when omitted)
  simnav pdu encode --to <number> --text <text> [--smsc <number>] [--encoding auto|gsm7|ucs2]
                    [--validity <seconds>] [--status-report] [--ref <0-255>]

decode prints {"smsc","sender","timestamp","dcs","udh","text","data",…} and exits 0; a PDU it cannot
decode prints {"error":"<reason>","code":…} and exits 1. --no-smsc reads a bare TPDU (SMSC length 0);
--lenient decodes user data shorter than TP-UDL with a warning. Hex may contain spaces.
encode prints, for each part, the AT+CMGS length line and the PDU hex (exit 1 with {"error"} when the
number or text cannot be sent). Bad options exit 2.`;

/** The JSON a person sees for a decoded PDU. */
export function pduJson(p: SmsPdu): Record<string, unknown> {
  const base = { type: p.kind, smsc: p.smsc?.text ?? null, tpdu_length: p.tpduLength };
  if (p.kind === 'status-report') {
    return { ...base, recipient: p.recipient.text, reference: p.reference, timestamp: p.timestamp.iso, discharge: p.discharge.iso, status: p.status };
  }
  const payload = {
    dcs: p.dcs.alphabet,
    dcs_byte: p.dcs.byte,
    class: p.dcs.messageClass,
    pid: p.pid,
    udh: p.udh ? { hex: p.udh.hex, concat: p.concat ? { ref: p.concat.ref, total: p.concat.total, seq: p.concat.seq, ref_bits: p.concat.refBits } : null } : null,
    text: p.text,
    data: p.data,
  };
  if (p.kind === 'deliver') {
    return { ...base, sender: p.sender.text, sender_type: p.sender.type, timestamp: p.timestamp.iso, ...payload, ...(p.warning ? { warning: p.warning } : {}) };
  }
  return { ...base, recipient: p.recipient.text, recipient_type: p.recipient.type, reference: p.reference, validity: p.validity, ...payload };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Flags each subcommand knows: name → takes a value. Anything else is a usage error, not ignored. */
const DECODE_FLAGS: ReadonlyMap<string, boolean> = new Map([['--no-smsc', false], ['--lenient', false]]);
const ENCODE_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['--to', true], ['--text', true], ['--smsc', true], ['--encoding', true], ['--validity', true], ['--ref', true], ['--status-report', false],
]);

type Parsed = { ok: true; values: Map<string, string>; flags: Set<string>; positional: string[] } | { ok: false; message: string };

/** Splits arguments into `--name value` options, bare flags and positional words. */
function parseArgs(args: readonly string[], known: ReadonlyMap<string, boolean>): Parsed {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const takesValue = known.get(a);
    if (takesValue === undefined) return { ok: false, message: `unknown option ${a}` };
    if (!takesValue) flags.add(a);
    else if (i + 1 >= args.length) return { ok: false, message: `${a} needs a value` };
    else values.set(a, args[++i]!);
  }
  return { ok: true, values, flags, positional };
}

function usageError(sub: string, message: string): number {
  process.stderr.write(`simnav pdu ${sub}: ${message}\n${usage}\n`);
  return 2;
}

async function decode(args: string[]): Promise<number> {
  const a = parseArgs(args, DECODE_FLAGS);
  if (!a.ok) return usageError('decode', a.message);
  // Hex pasted with spaces arrives as several words; they are one PDU.
  const hex = (a.positional.length > 0 ? a.positional.join('') : await readStdin()).replace(/\s+/g, '');
  if (hex === '') {
    process.stdout.write(JSON.stringify({ error: 'no PDU given' }) + '\n');
    return 1;
  }
  const r = decodePdu(hex, { smsc: !a.flags.has('--no-smsc'), lenient: a.flags.has('--lenient') });
  if (!r.ok) {
    const e = r.error;
    const where = e.field ? ` (${e.field}${e.offset !== undefined ? ` at ${e.offset}` : ''})` : '';
    process.stdout.write(JSON.stringify({ error: e.reason + where, code: e.code }) + '\n');
    return 1;
  }
  process.stdout.write(JSON.stringify(pduJson(r.value), null, 2) + '\n');
  return 0;
}

function encode(args: string[]): number {
  const a = parseArgs(args, ENCODE_FLAGS);
  if (!a.ok) return usageError('encode', a.message);
  if (a.positional.length > 0) return usageError('encode', `unexpected argument '${a.positional[0]}' (quote the text: --text "…")`);
  const to = a.values.get('--to');
  const text = a.values.get('--text');
  if (to === undefined || text === undefined) return usageError('encode', '--to and --text are required');
  const encoding = a.values.get('--encoding') ?? 'auto';
  if (encoding !== 'auto' && encoding !== 'gsm7' && encoding !== 'ucs2') return usageError('encode', '--encoding is auto, gsm7 or ucs2');
  const validity = a.values.get('--validity');
  if (validity !== undefined && !/^\d{1,9}$/.test(validity)) return usageError('encode', '--validity is a number of seconds');
  const ref = a.values.get('--ref');
  if (ref !== undefined && !(/^\d{1,3}$/.test(ref) && Number(ref) <= 255)) return usageError('encode', '--ref is 0–255');
  const r = encodeSubmit({
    to,
    text,
    smsc: a.values.get('--smsc') ?? null,
    encoding: encoding satisfies TextEncoding,
    requestStatusReport: a.flags.has('--status-report'),
    validity: validity === undefined ? null : { kind: 'relative', seconds: Number(validity) },
    ...(ref === undefined ? {} : { reference: Number(ref), concatRef: Number(ref) }),
  });
  if (!r.ok) {
    process.stdout.write(JSON.stringify({ error: r.error.reason, code: r.error.code }) + '\n');
    return 1;
  }
  for (const p of r.value) process.stdout.write(`AT+CMGS=${p.cmgsLength}\n${p.hex}\n`);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'decode') return decode(rest);
  if (sub === 'encode') return encode(rest);
  process.stderr.write(usage + '\n');
  return 2;
}
