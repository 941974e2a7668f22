/** Time fields of the pool API (api.md §1 "Time"): `HH:MM:SS DD.MM.YYYY` in the panel's zone, Unix seconds as a string. */

export type TimeFormatter = (ms: number) => string;

export function timeFormatter(timeZone: string): TimeFormatter {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  return (ms) => {
    const parts: Record<string, string> = {};
    for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
    return `${parts.hour}:${parts.minute}:${parts.second} ${parts.day}.${parts.month}.${parts.year}`;
  };
}

export function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}
