/**
 * The AT command interpreter of a virtual modem (device-link.md §3.4): one command line in, the
 * modem's raw output out, formatted as the SR firmware forwards it — the command echo, CR CR CR LF,
 * the response lines joined by CR LF, a blank line, and the final result code without a trailing
 * line break (fixtures `sr-iccid`, `sr-cspn`, `sr-cmgr`: `AT+CSPN?\r\r\r\n+CSPN: "MTS RUS",0\r\n\r\nOK`).
 * Asynchronous effects (USSD answers, call progress, restarts) are scheduled on the modem.
 */
import type { Modem } from './modem.ts';
import { OPERATORS } from './operators.ts';
import { resolveUssd } from './ussd.ts';
import { ucs2Hex } from './sms-source.ts';

export interface AtReply { readonly lines: readonly string[]; readonly final: string }

const OK = (lines: string[] = []): AtReply => ({ lines, final: 'OK' });
const ERROR: AtReply = { lines: [], final: 'ERROR' };

/** Formats a reply the way the SR firmware forwards modem output. */
export function formatModemOutput(echo: string, reply: AtReply): string {
  const body = reply.lines.length > 0 ? reply.lines.join('\r\n') + '\r\n\r\n' : '';
  return `${echo}\r\r\r\n${body}${reply.final}`;
}

/** Runs one AT command line; the empty string when the modem prints nothing (off, booting, dead). */
export function runAt(modem: Modem, line: string): string {
  if (!modem.answering) return '';
  const cmd = line.trim();
  return formatModemOutput(cmd, interpret(modem, cmd));
}

function stmt(index: number, m: { stat: number; pdu: string; length: number }): string[] {
  return [`+CMGL: ${index},${m.stat},"",${m.length}`, m.pdu];
}

const LIST_STAT: Record<string, number> = { '0': 0, '1': 1, '4': 4, '"REC UNREAD"': 0, '"REC READ"': 1, '"ALL"': 4 };

function interpret(modem: Modem, cmd: string): AtReply {
  const u = cmd.toUpperCase();
  const sim = modem.sim;
  if (u === 'AT' || /^ATE[01]?$/.test(u) || /^AT&W0?$/.test(u) || u === 'ATZ') return OK();
  if (u === 'AT+GMM' || u === 'AT+CGMM') return OK([modem.type === 'SIM800' ? 'SIMCOM_SIM800C' : 'SIMCOM_SIM5360E']);
  if (u === 'AT+CREG?') return OK([`+CREG: 0,${modem.creg}`]);
  if (u === 'AT+CSQ') return OK([modem.sim ? '+CSQ: 21,0' : '+CSQ: 99,99']);
  if (u === 'AT+CFUN?') return OK(['+CFUN: 1']);
  if (/^AT\+CFUN=1,1$/.test(u)) {
    modem.clock.setTimeout(() => modem.restart(), 0);
    return OK();
  }
  if (/^AT\+CLIP=[01]$/.test(u)) { modem.clip = u.endsWith('1'); return OK(); }
  if (/^AT\+CMGF=[01]$/.test(u)) { modem.cmgf = Number(u.slice(-1)); return OK(); }
  if (u === 'AT+CMGF?') return OK([`+CMGF: ${modem.cmgf}`]);
  if (u === 'AT+CPIN?') return sim ? OK(['+CPIN: READY']) : { lines: [], final: '+CME ERROR: 10' };
  if (!sim) {
    // Everything below needs a SIM.
    if (u === 'AT+COPS?') return OK(['+COPS: 0']);
    if (u.startsWith('ATH')) { modem.hangup(); return OK(); }
    return ERROR;
  }
  if (u === 'AT+COPS?') return OK([modem.registered ? `+COPS: 0,0,"${OPERATORS[sim.operator].cops}"` : '+COPS: 0']);
  if (u === 'AT+CSPN?') return OK([`+CSPN: "${OPERATORS[sim.operator].cspn}",0`]);
  if (u === 'AT+ICCID' || u === 'AT+ICCID?' || u === 'AT+CICCID') return OK([`+ICCID: ${sim.iccid}`]);
  if (u === 'AT+CCID') return OK([sim.iccid]);
  if (u === 'AT+CNUM') return OK([`+CNUM: "","+${sim.msisdn}",145`]);
  if (u.startsWith('AT+CPMS=')) return OK([`+CPMS: ${sim.used},${sim.capacity},${sim.used},${sim.capacity},${sim.used},${sim.capacity}`]);
  if (u === 'AT+CPMS?') return OK([`+CPMS: "SM",${sim.used},${sim.capacity},"SM",${sim.used},${sim.capacity},"SM",${sim.used},${sim.capacity}`]);
  let m: RegExpMatchArray | null;
  if ((m = /^AT\+CMGL=(.+)$/.exec(u))) {
    const stat = LIST_STAT[m[1]!];
    if (stat === undefined) return ERROR;
    const lines: string[] = [];
    for (const [i, msg] of sim.list(stat)) {
      lines.push(...stmt(i, msg));
      msg.stat = 1;
    }
    return OK(lines);
  }
  if ((m = /^AT\+CMGR=(\d+)$/.exec(u))) {
    const msg = sim.storage.get(Number(m[1]));
    if (!msg) return OK();
    const lines = [`+CMGR: ${msg.stat},"",${msg.length}`, msg.pdu];
    msg.stat = 1;
    return OK(lines);
  }
  if ((m = /^AT\+CMGD=(\d+)(?:,([0-4]))?$/.exec(u))) return deleteSms(modem, Number(m[1]), Number(m[2] ?? 0));
  if (/^AT\+CMGDA=(5|6|"DEL ALL"|"DEL READ")$/.test(u)) {
    if (modem.type !== 'SIM800') return ERROR;
    if (u.endsWith('"DEL READ"')) for (const [i] of sim.list(1)) sim.storage.delete(i);
    else sim.storage.clear();
    modem.network.retry(sim.msisdn);
    return OK();
  }
  if ((m = /^AT\+CUSD=([012])(?:,"([^"]*)"(?:,(\d+))?)?$/i.exec(cmd))) return ussd(modem, m[1]!, m[2]);
  if ((m = /^ATD([+0-9*#]+);?$/.exec(u))) return modem.dial(m[1]!) ? OK() : { lines: [], final: 'NO CARRIER' };
  if (u === 'ATA') return modem.answer() ? OK() : { lines: [], final: 'NO CARRIER' };
  if (/^ATH0?$/.test(u)) { modem.hangup(); return OK(); }
  // Current calls (3GPP TS 27.007 §7.18): id, dir (1 incoming), stat (4 incoming, 0 active, 2 dialing), mode, mpty, number, type.
  if (u === 'AT+CLCC') { const c = modem.call; return OK(c.kind === 'ringing' ? [`+CLCC: 1,1,4,0,0,"${c.caller}",145`] : c.kind === 'idle' ? [] : [`+CLCC: 1,${c.kind === 'active' && c.direction === 'in' ? 1 : 0},${c.kind === 'active' ? 0 : 2},0,0,"${c.peer}",145`]); }
  return ERROR;
}

function deleteSms(modem: Modem, index: number, flag: number): AtReply {
  const sim = modem.sim!;
  if (flag === 0) {
    if (index < 1) return ERROR;
    sim.storage.delete(index);
    modem.network.retry(sim.msisdn);
    return OK();
  }
  // SIM800 rejects index 0 even with a flag (logged `AT+CMGD=0,4` → `ERROR`, link_1.log 5188).
  if (index < 1 && modem.type === 'SIM800') return ERROR;
  for (const [i, msg] of sim.list(4)) {
    if (flag === 4 || (flag >= 1 && msg.stat === 1)) sim.storage.delete(i);
  }
  modem.network.retry(sim.msisdn);
  return OK();
}

function ussd(modem: Modem, n: string, code: string | undefined): AtReply {
  if (n === '2') { modem.ussdMenu = undefined; return OK(); }
  if (code === undefined) return OK();
  const sim = modem.sim;
  if (!sim || !modem.registered) return ERROR;
  const outcome = resolveUssd(sim, code, modem.ussdMenu);
  modem.ussdMenu = outcome.menu;
  modem.clock.setTimeout(() => {
    if (modem.sim !== sim || !modem.answering) return;
    modem.emit(`+CUSD: ${outcome.open ? 1 : 0}, "${ucs2Hex(outcome.text)}", 72`);
    if (outcome.sms) {
      const sms = outcome.sms;
      modem.clock.setTimeout(() => modem.network.sendSms({ to: sim.msisdn, from: sms.sender, text: sms.text }), modem.timings.ussdMs);
    }
  }, modem.timings.ussdMs);
  return OK();
}
