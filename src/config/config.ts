/**
 * Server configuration from command-line flags and environment variables (flags win).
 *
 * | flag | env | default |
 * |---|---|---|
 * | --host | SIMNAV_HOST | 127.0.0.1 |
 * | --port | SIMNAV_PORT | 8080 |
 * | --db | SIMNAV_DB | sqlite:./data/simnav.db |
 * | --tz | SIMNAV_TZ (or TZ) | the host's zone |
 * | --send-sms-timeout | SIMNAV_SEND_SMS_TIMEOUT (seconds) | 60 |
 * | --log-level | SIMNAV_LOG_LEVEL | info |
 * | --demo | SIMNAV_DEMO=1 | off |
 *
 * Bad values fail at boot with a code (STYLE.md §8), never on the first request.
 */
export interface Config {
  host: string;
  port: number;
  db: string;
  /** IANA zone for `time` fields of the pool API. */
  timeZone: string;
  /** How long sendSms waits for the modem's verdict. */
  sendSmsTimeoutMs: number;
  logLevel: string;
  demo: boolean;
}

export type ConfigError = { code: 'CONFIG_INVALID'; message: string };
export type ConfigResult = { ok: true; value: Config } | { ok: false; error: ConfigError };

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isTimeZone(tz: string): boolean {
  try { new Intl.DateTimeFormat('en-GB', { timeZone: tz }); return true; } catch { return false; }
}

/** Parses `--name value` / `--name=value` / boolean `--flag` arguments. */
export function parseFlags(args: readonly string[], booleans: readonly string[]): { flags: Map<string, string>; rest: string[]; error?: string } {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) { rest.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (booleans.includes(name)) { flags.set(name, eq >= 0 ? a.slice(eq + 1) : '1'); continue; }
    if (eq >= 0) { flags.set(name, a.slice(eq + 1)); continue; }
    const v = args[i + 1];
    if (v === undefined) return { flags, rest, error: `--${name} needs a value` };
    flags.set(name, v);
    i++;
  }
  return { flags, rest };
}

const KNOWN = ['host', 'port', 'db', 'tz', 'send-sms-timeout', 'log-level', 'demo'];

export function loadConfig(args: readonly string[], env: NodeJS.ProcessEnv): ConfigResult {
  const fail = (message: string): ConfigResult => ({ ok: false, error: { code: 'CONFIG_INVALID', message } });
  const p = parseFlags(args, ['demo']);
  if (p.error) return fail(p.error);
  for (const k of p.flags.keys()) if (!KNOWN.includes(k)) return fail(`unknown option --${k}`);
  if (p.rest.length > 0) return fail(`unexpected argument '${p.rest[0]}'`);
  const get = (flag: string, name: string): string | undefined => p.flags.get(flag) ?? (env[name] || undefined);

  const host = get('host', 'SIMNAV_HOST') ?? '127.0.0.1';
  const portText = get('port', 'SIMNAV_PORT') ?? '8080';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return fail(`invalid port '${portText}'`);
  const db = get('db', 'SIMNAV_DB') ?? 'sqlite:./data/simnav.db';
  if (!db.startsWith('sqlite:') && !/^postgres(ql)?:\/\//.test(db)) return fail('--db must be sqlite:<path> or postgres://…');
  const timeZone = get('tz', 'SIMNAV_TZ') ?? hostTimeZone();
  if (!isTimeZone(timeZone)) return fail(`unknown time zone '${timeZone}'`);
  const timeoutText = get('send-sms-timeout', 'SIMNAV_SEND_SMS_TIMEOUT') ?? '60';
  if (!/^\d+(\.\d+)?$/.test(timeoutText) || Number(timeoutText) <= 0 || Number(timeoutText) > 600) {
    return fail(`invalid send-sms-timeout '${timeoutText}' (seconds, 0 < t ≤ 600)`);
  }
  const logLevel = get('log-level', 'SIMNAV_LOG_LEVEL') ?? 'info';
  if (!LEVELS.includes(logLevel)) return fail(`invalid log level '${logLevel}'`);
  const demoText = p.flags.get('demo') ?? env.SIMNAV_DEMO ?? '';
  const demo = ['1', 'true', 'yes', 'on'].includes(demoText.toLowerCase());
  return {
    ok: true,
    value: { host, port: Number(portText), db, timeZone, sendSmsTimeoutMs: Math.round(Number(timeoutText) * 1000), logLevel, demo },
  };
}
