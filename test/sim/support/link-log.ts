/**
 * Reads the classic entries of `device-logs/link_1.log` (fixtures/device-logs/README.md):
 * `HH:MM:SS DD.MM.YYYY IN > <step> | <data> OUT >  | <body>`, an entry spanning several lines when
 * the data holds line breaks (it ends at the line containing ` OUT > `). Bare CRs are kept.
 */
import { readFixtureText } from '../../support/fixtures.ts';

export interface LogEntry {
  /** 1-based line number where the entry starts. */
  readonly line: number;
  /** Device step (undefined when the device sent none). */
  readonly step: number | undefined;
  readonly data: string;
  /** Panel answer without `{data}`: `<step>#!#<command>`. */
  readonly body: string;
  /** The command handed out in this poll, if any. */
  readonly command: { readonly step: number; readonly text: string } | undefined;
}

const START = /^\d\d:\d\d:\d\d \d\d\.\d\d\.\d{4} IN > /;

export function readClassicLog(file = 'device-logs/link_1.log', lastLine = 6788): LogEntry[] {
  const lines = readFixtureText(file).split('\n').slice(0, lastLine);
  const out: LogEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!START.test(lines[i]!)) continue;
    const first = i;
    let text = lines[i]!.replace(START, '');
    while (!text.includes(' OUT > ') && i + 1 < lines.length) text += '\n' + lines[++i]!;
    const at = text.lastIndexOf(' OUT > ');
    const left = text.slice(0, at);
    const right = text.slice(at + ' OUT > '.length);
    const sep = left.indexOf(' | ');
    const stepText = left.slice(0, sep).trim();
    const data = left.slice(sep + 3);
    const body = right.slice(right.indexOf('| ') + 2);
    const m = /^(\d+)#!#([\s\S]*)$/.exec(body);
    const command = m && m[2] !== 'REQUEST' && m[1] !== '0' ? { step: Number(m[1]), text: m[2]! } : undefined;
    out.push({ line: first + 1, step: stepText === '' ? undefined : Number(stepText), data, body, command });
  }
  return out;
}

/** The command with its digits replaced by N: one "shape" per kind of command. */
export function commandShape(cmd: string): string {
  return cmd.replace(/\d+/g, 'N');
}

/** Classifies a device answer: `1`, `NULL`, digits, a pack answer, an sms answer, or text. */
export function answerClass(data: string): string {
  if (data === '1') return '1';
  if (data === 'NULL') return 'NULL';
  if (/^\d+$/.test(data)) return 'digits';
  if (/^(\d+##[\s\S]*?#1#)+$/.test(data)) return 'pack';
  if (/^(\d+##[\s\S]*?#3#)+$/.test(data)) return 'sms';
  return 'text';
}
