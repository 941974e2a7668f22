/**
 * Russian and English (issue #6 item 11), switchable per user. `t(key, vars)` looks a key up in
 * the current language and fills `{name}` placeholders; an unknown key shows itself, so a missing
 * translation is visible rather than blank.
 */
import { en } from './i18n-en.ts';
import { ru } from './i18n-ru.ts';

export type Lang = 'en' | 'ru';
export type Key = keyof typeof en;

const dicts: Record<Lang, Record<Key, string>> = { en, ru };
let lang: Lang = 'ru';

export function setLang(l: string): void { lang = l === 'en' ? 'en' : 'ru'; document.documentElement.lang = lang; }
export function currentLang(): Lang { return lang; }

export function t(key: Key, vars?: Record<string, string | number>): string {
  const s = dicts[lang][key] ?? en[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
}
