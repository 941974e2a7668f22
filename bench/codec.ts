/**
 * Codec throughput on one core: PDU decodes per second (target ≥ 200 000/s, issue #2) and
 * link-request parses per second, on third-party data read from ../shared/fixtures (every
 * SMS-DELIVER vector of pdu/deliver.json; every classic poll of device-logs/link_1.log).
 * Run: npm run bench -- codec
 * Figures are printed, never asserted (ARCHITECTURE.md: benchmarks are not timed tests).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { buildClassicQuery, decodePdu, encodeSubmit, parseLinkRequest, parseSmsAnswer } from '../src/codec/index.ts';

const fixtures = new URL('../../shared/fixtures/', import.meta.url);
const deliver = JSON.parse(readFileSync(new URL('pdu/deliver.json', fixtures), 'utf8')) as { id: string; pdu: string }[];
const PDUS = deliver.map((v) => v.pdu);
const UCS2_79 = deliver.find((v) => v.id === 'sr-link1-01')!.pdu;

/** Every classic poll of link_1.log as the query string the device sent (entries may span lines). */
function classicQueries(): string[] {
  const lines = readFileSync(new URL('device-logs/link_1.log', fixtures), 'utf8').split('\n');
  const start = /^\d\d:\d\d:\d\d \d\d\.\d\d\.\d{4} IN > /;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!start.test(lines[i]!)) continue;
    let acc = lines[i]!.replace(start, '');
    while (!acc.includes(' OUT > ') && i + 1 < lines.length) acc += '\n' + lines[++i]!;
    const c = /^(\d+) \| ([\s\S]*) OUT > {2}\| /.exec(acc);
    if (c) out.push(buildClassicQuery('1234567890', Number(c[1]), c[2]!));
  }
  return out;
}
const QUERIES = classicQueries();

const smsAnswer = `1##E#3#2##E#3#5## 3,0,"",79\r\n${UCS2_79}#3#`;

function measure(name: string, unit: string, fn: (i: number) => unknown): { perCpu: number; perWall: number } {
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
  // Per CPU-second discounts other processes sharing the machine, but counts V8's helper threads
  // (GC, compiler) too; per wall-second is exact on an idle machine. Both are printed.
  const perCpu = Math.round((n / cpuMs) * 1000);
  const perWall = Math.round((n / elapsed) * 1000);
  const fmt = (v: number) => v.toLocaleString('en-US').padStart(11);
  process.stdout.write(`${name.padEnd(52)} ${fmt(perCpu)} ${unit}/CPU-s ${fmt(perWall)} /wall-s  (${n}${sink < 0 ? '!' : ''})\n`);
  return { perCpu, perWall };
}

process.stdout.write(`node ${process.version}, single thread; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores\n`);
const mix = measure(`PDU decode (all ${PDUS.length} deliver.json vectors)`, 'decodes', (i) => decodePdu(PDUS[i % PDUS.length]!).ok);
measure('PDU decode (UCS2 79-octet, link_1.log)', 'decodes', () => decodePdu(UCS2_79).ok);
measure(`link request parse (all ${QUERIES.length} classic polls of link_1)`, 'parses', (i) => parseLinkRequest(QUERIES[i % QUERIES.length]!).ok);
measure('modem>sms answer split (3 sections)', 'answers', () => {
  const a = parseSmsAnswer(smsAnswer);
  return a.kind === 'sections' && a.sections.length === 3;
});
measure('SMS-SUBMIT encode (GSM-7, 1 part)', 'encodes', () => encodeSubmit({ to: '+79161234567', text: 'Your code is 4821' }).ok);
const low = Math.min(mix.perCpu, mix.perWall);
process.stdout.write(`PDU decode target ≥ 200,000/s on one core: ${low >= 200_000 ? 'met' : 'NOT met'} (vector mix, lower of the two figures: ${low.toLocaleString('en-US')}/s)\n`);
