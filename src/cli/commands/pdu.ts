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
decode prints {"error":"<reason>"} and exits 1. --no-smsc reads a bare TPDU (SMSC length 0).
encode prints, for each part, the AT+CMGS length line and the PDU hex.`;

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

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function decode(args: string[]): Promise<number> {
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const positional = args.filter((a) => !a.startsWith('--'));
  const hex = (positional[0] ?? (await readStdin())).replace(/\s+/g, '');
  if (hex === '') {
    process.stdout.write(JSON.stringify({ error: 'no PDU given' }) + '\n');
    return 1;
  }
  const r = decodePdu(hex, { smsc: !flags.has('--no-smsc'), lenient: flags.has('--lenient') });
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
  const to = option(args, '--to');
  const text = option(args, '--text');
  if (to === undefined || text === undefined) {
    process.stderr.write('simnav pdu encode: --to and --text are required\n');
    return 2;
  }
  const encoding = (option(args, '--encoding') ?? 'auto') as TextEncoding;
  if (!['auto', 'gsm7', 'ucs2'].includes(encoding)) {
    process.stderr.write('simnav pdu encode: --encoding is auto, gsm7 or ucs2\n');
    return 2;
  }
  const validity = option(args, '--validity');
  const ref = option(args, '--ref');
  const r = encodeSubmit({
    to,
    text,
    smsc: option(args, '--smsc') ?? null,
    encoding,
    requestStatusReport: args.includes('--status-report'),
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
