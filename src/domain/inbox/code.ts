/**
 * Code extraction for `code=N` (api.md §4). In order of preference:
 *  1. a maximal run of exactly N digits (not part of a longer run);
 *  2. N digits written in groups split by single spaces or hyphens (`123-456`, `123 456`), joined;
 *  3. the first N digits of the first longer run.
 * Known hazard: dates, times, amounts and phone numbers. A digit run that is part of one — glued
 * to another run by `.`, `,`, `:` or `/` (`16.03.2021`, `14:20`, `1500,00`), or led by `+` — is
 * not a candidate; and among several rule-1 candidates one that follows a code word (код, code,
 * пароль, password, PIN, OTP) wins. Pure.
 */

interface Run { start: number; end: number; digits: string }

const CODE_WORD = /(код|code|пароль|parol|password|pin|otp|kod)/iu;

function runs(text: string): Run[] {
  const out: Run[] = [];
  const re = /\d+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ start: m.index, end: m.index + m[0].length, digits: m[0] });
  return out;
}

/** True when the run belongs to a date, time, amount or international phone number. */
function numericContext(text: string, r: Run): boolean {
  const before = text[r.start - 1] ?? '';
  const before2 = text[r.start - 2] ?? '';
  const after = text[r.end] ?? '';
  const after2 = text[r.end + 1] ?? '';
  if (before === '+') return true;
  if ('.,:/'.includes(after) && after !== '' && /\d/.test(after2)) return true;
  if ('.,:/'.includes(before) && before !== '' && /\d/.test(before2)) return true;
  return false;
}

function byKeyword(text: string, cands: Run[]): Run | undefined {
  return cands.find((r) => CODE_WORD.test(text.slice(Math.max(0, r.start - 24), r.start))) ?? cands[0];
}

/** The code of length `n` in `text`, or null when it has none. */
export function extractCode(text: string, n: number): string | null {
  if (!Number.isInteger(n) || n < 1 || n > 64) return null;
  const all = runs(text);
  const plain = all.filter((r) => !numericContext(text, r));

  const exact = plain.filter((r) => r.digits.length === n);
  if (exact.length > 0) return byKeyword(text, exact)!.digits;

  // Groups: runs joined by exactly one space or hyphen; the whole chain must hold n digits.
  for (let i = 0; i < all.length; i++) {
    const chain = [all[i]!];
    for (let j = i + 1; j < all.length; j++) {
      const gap = text.slice(chain[chain.length - 1]!.end, all[j]!.start);
      if (gap !== ' ' && gap !== '-') break;
      chain.push(all[j]!);
    }
    const prev = text.slice(Math.max(0, all[i]!.start - 1), all[i]!.start);
    const continues = i > 0 && (prev === ' ' || prev === '-') && all[i - 1]!.end === all[i]!.start - 1;
    if (chain.length >= 2 && !continues && !chain.some((r) => numericContext(text, r))) {
      const joined = chain.map((r) => r.digits).join('');
      if (joined.length === n) return joined;
    }
    i += chain.length - 1;
  }

  const longer = plain.find((r) => r.digits.length > n);
  return longer ? longer.digits.slice(0, n) : null;
}
