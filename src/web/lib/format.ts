/**
 * Text helpers: times in the configured time zone (panel-features.md §2.16: the legacy panel showed
 * every time 3 h early), numbers, and OTP-code highlighting that works on text, never on HTML.
 */
import { h } from './dom.ts';
import { currentLang, t } from './i18n.ts';
import { copyText } from './ui.ts';

let timeZone: string | undefined;

/** Sets the display time zone (an IANA name); an unknown name falls back to the browser's. */
export function setTimeZone(tz: string | null | undefined): void {
  try {
    if (tz) new Intl.DateTimeFormat('en', { timeZone: tz });
    timeZone = tz || undefined;
  } catch { timeZone = undefined; }
}
export function displayTimeZone(): string { return timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone; }

export function fmtTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(currentLang() === 'ru' ? 'ru-RU' : 'en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).format(ms);
}

export function fmtAgo(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return t('never');
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return t('agoSeconds', { n: s });
  if (s < 3600) return t('agoMinutes', { n: Math.floor(s / 60) });
  if (s < 86400) return t('agoHours', { n: Math.floor(s / 3600) });
  return t('agoDays', { n: Math.floor(s / 86400) });
}

export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}` : `${mm}:${String(ss).padStart(2, '0')}`;
}

export function fmtMoney(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString(currentLang() === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: 2 });
}

/** A phone number for display: `+7 999 123-45-67` style grouping only for 11-digit numbers. */
export function fmtNumber(n: string | null | undefined): string {
  if (!n) return '—';
  const m = /^(\d)(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(n);
  // A leading 8 is the Russian trunk prefix (dialled as is), not a country code: no `+` before it.
  const plus = m?.[1] === '8' ? '' : '+';
  return m ? `${plus}${m[1]} ${m[2]} ${m[3]}-${m[4]}-${m[5]}` : /^\d+$/.test(n) ? `+${n}` : n;
}

const CODE = /(?<![\d])\d{4,20}(?![\d])/g;

/**
 * SMS text as nodes: runs of 4–20 digits become click-to-copy code chips (panel-features.md §2.9),
 * everything else is a text node. The input is never interpreted as markup.
 */
export function smsText(text: string): Node[] {
  const out: Node[] = [];
  let last = 0;
  for (const m of text.matchAll(CODE)) {
    const i = m.index ?? 0;
    if (i > last) out.push(document.createTextNode(text.slice(last, i)));
    const code = m[0];
    out.push(h('button', { type: 'button', class: 'code', title: t('clickToCopy'), onclick: () => copyText(code) }, code));
    last = i + code.length;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}
