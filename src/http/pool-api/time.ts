/** Time fields of the pool API (api.md §1 "Time"): `HH:MM:SS DD.MM.YYYY` in the panel's zone, Unix seconds as a string. */

export type TimeFormatter = (ms: number) => string;

export function timeFormatter(timeZone: string): TimeFormatter {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  // formatToParts costs tens of microseconds, and getSms formats every message on every call:
  // the answers of recent seconds are kept (the same messages are read again and again).
  const recent = new Map<number, string>();
  return (ms) => {
    const second = Math.floor(ms / 1000);
    const hit = recent.get(second);
    if (hit !== undefined) return hit;
    const parts: Record<string, string> = {};
    for (const p of f.formatToParts(new Date(second * 1000))) parts[p.type] = p.value;
    const out = `${parts.hour}:${parts.minute}:${parts.second} ${parts.day}.${parts.month}.${parts.year}`;
    if (recent.size >= 4096) recent.clear();
    recent.set(second, out);
    return out;
  };
}

export function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}
