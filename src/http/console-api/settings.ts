/**
 * `GET /settings` (any role) and `PUT /settings` (admin): the panel settings the console edits
 * (issue #6 item 9) — display time zone, retention of SMS and calls, SMS storage behaviour —
 * and the terminal's quick-command buttons (panel-features.md `values.terminal_hot`), kept in the
 * `settings` table as JSON values. Unset keys answer their defaults (the time zone
 * of the server's configuration). Who changed what goes to the audit log.
 */
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { writeAudit } from '../../domain/audit/audit.ts';
import { who } from '../auth/authenticate.ts';
import { sendError } from '../errors.ts';
import type { ConsoleRoute } from './route.ts';

export interface PanelSettings { timeZone: string; retentionDays: number; smsStorage: 'delete' | 'keep'; terminalCommands: string[] }

const KEYS = ['timeZone', 'retentionDays', 'smsStorage', 'terminalCommands'] as const;

/** The terminal's quick commands until an admin sets others (the old panel's seeded `terminal_hot`). */
export const DEFAULT_TERMINAL_COMMANDS: readonly string[] = ['restart', 'buffer>', 'modem>', 'sms>', 'version', 'modem>send:ATH0', 'modem>send:AT+CREG?'];

/** One quick command: what the terminal route accepts as a command (1–500 characters, one line). */
const terminalCommand = { type: 'string', minLength: 1, maxLength: 500, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;

function validTerminalCommands(v: unknown): v is string[] {
  return Array.isArray(v) && v.length <= 40 && v.every((c) => typeof c === 'string' && c.length >= 1 && c.length <= 500 && !/[\u0000-\u001f\u007f]/.test(c));
}

export function validTimeZone(tz: string): boolean {
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}

export async function readSettings(ctx: AdminCtx, defaults: PanelSettings): Promise<PanelSettings> {
  const rows = await ctx.db.selectFrom('settings').select(['key', 'value']).where('key', 'in', [...KEYS]).execute();
  const out: PanelSettings = { ...defaults };
  for (const r of rows) {
    let v: unknown;
    try { v = JSON.parse(r.value); } catch { continue; }
    if (r.key === 'timeZone' && typeof v === 'string' && validTimeZone(v)) out.timeZone = v;
    if (r.key === 'retentionDays' && typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 3650) out.retentionDays = v;
    if (r.key === 'smsStorage' && (v === 'delete' || v === 'keep')) out.smsStorage = v;
    if (r.key === 'terminalCommands' && validTerminalCommands(v)) out.terminalCommands = v;
  }
  return out;
}

export function settingsRoutes(ctx: AdminCtx, defaults: () => PanelSettings): ConsoleRoute[] {
  return [
    { method: 'GET', url: '/settings', access: 'read', async handler() { return readSettings(ctx, defaults()); } },
    {
      method: 'PUT', url: '/settings', access: 'admin',
      schema: {
        body: {
          type: 'object', additionalProperties: false, minProperties: 1,
          properties: {
            timeZone: { type: 'string', minLength: 1, maxLength: 64 },
            retentionDays: { type: 'integer', minimum: 0, maximum: 3650 },
            smsStorage: { type: 'string', enum: ['delete', 'keep'] },
            terminalCommands: { type: 'array', maxItems: 40, items: terminalCommand },
          },
        },
      },
      async handler(req, reply) {
        const b = req.body as Partial<PanelSettings>;
        if (b.timeZone !== undefined && !validTimeZone(b.timeZone)) return sendError(reply, 'SIMNAV_ERR_VALIDATION', 'timeZone: not an IANA time zone');
        const now = ctx.clock.now();
        for (const k of KEYS) {
          const v = b[k];
          if (v === undefined) continue;
          await ctx.db.insertInto('settings').values({ key: k, value: JSON.stringify(v), updated_at: now })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(v), updated_at: now })).execute();
        }
        await writeAudit(ctx, { actor: who(req).actor, action: 'settings.update', details: b as Record<string, unknown>, ip: req.ip });
        return readSettings(ctx, defaults());
      },
    },
  ];
}
