/**
 * Codec throughput on one core: PDU decodes per second (target ≥ 200 000/s, issue #2) and
 * link-request parses per second. Run: npm run bench -- codec
 * Figures are printed, never asserted (ARCHITECTURE.md: benchmarks are not timed tests).
 */
import { cpus, loadavg } from 'node:os';
import { buildClassicQuery, decodePdu, encodeSubmit, parseLinkRequest, parseSmsAnswer } from '../src/codec/index.ts';

const PDUS = [
  // UCS2 from 111 (link_1.log), 7-bit with extension characters (ModemManager pdu1),
  // UCS2 part with concat UDH and alphanumeric sender (link_1.log, MTS 4-part), short 7-bit.
  '07919731899699F304038111F1000822011261510321400412043004480020043D043E043C04350440002004420435043B04350444043E043D0430003A002B00370039003100360039003700310036003400300035002E',
  '07912104442961F4040B916171957291F800001120821105050A6AC8B2BC7C9A83C220F6DB7D2ECB41EDF27C1E3E97411BDE06754FD3D1A0F9BB5D0695F1F4B29B5C2683C6E8B03C3CA697E5F34D6AE303D1D1F2F7DD0D4ABB59A0797D8C0685E7A00028EC26832A960B28EC2683BE6050780EBA97D96C17',
  '07919781340310F14006D04DEA100008220112002465211E050003CD040404300442043504360022003A0020002A0031003200320023',
  '07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37',
];

const smsAnswer = `1##E#3#2##E#3#5## 3,0,"",79\r\n${PDUS[0]}#3#`;
const QUERIES = [
  buildClassicQuery('1234567890', 0, 'REQUEST'),
  buildClassicQuery('1234567890', 1014, smsAnswer),
  buildClassicQuery('1234567890', 1011, '1##AT+CREG?\r\r\r\n+CREG: 0,1\r\n\r\nOK#1#2##AT+CREG?\r\r\r\n+CREG: 0,2\r\n\r\nOK#1#'),
];

function measure(name: string, unit: string, fn: (i: number) => unknown): void {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += fn(i) ? 1 : 0; // warm up the JIT
  let n = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < 1500) {
    for (let i = 0; i < 10_000; i++) sink += fn(n + i) ? 1 : 0;
    n += 10_000;
    elapsed = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Per CPU-second is the one-core figure even when other processes share the machine.
  const perCpu = Math.round((n / cpuMs) * 1000);
  const perWall = Math.round((n / elapsed) * 1000);
  const fmt = (v: number) => v.toLocaleString('en-US').padStart(11);
  process.stdout.write(`${name.padEnd(40)} ${fmt(perCpu)} ${unit}/CPU-s ${fmt(perWall)} /wall-s  (${n}${sink < 0 ? '!' : ''})\n`);
}

process.stdout.write(`node ${process.version}, single thread; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores\n`);
measure('PDU decode (mix of 4 real PDUs)', 'decodes', (i) => decodePdu(PDUS[i & 3]!).ok);
measure('PDU decode (UCS2 79-octet, link_1.log)', 'decodes', () => decodePdu(PDUS[0]!).ok);
measure('link request parse (idle, sms answer, pack)', 'parses', (i) => parseLinkRequest(QUERIES[i % 3]!).ok);
measure('modem>sms answer split (3 sections)', 'answers', () => {
  const a = parseSmsAnswer(smsAnswer);
  return a.kind === 'sections' && a.sections.length === 3;
});
measure('SMS-SUBMIT encode (GSM-7, 1 part)', 'encodes', () => encodeSubmit({ to: '+79161234567', text: 'Your code is 4821' }).ok);
