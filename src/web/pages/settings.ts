/**
 * Settings (panel-features.md §2.3, §2.5, issue #6 items 1 and 9): panel settings (time zone,
 * retention, SMS storage, the terminal's quick commands), operator profiles (network names, prefix, USSD / SMS methods, colour),
 * users and roles, and the audit log. Admin-only parts are hidden for other roles (and refused by
 * the server anyway).
 */
import { del, get, patch, post, put } from '../lib/api.ts';
import type { PageCtx } from '../lib/app.ts';
import { h, replace, safeColor, setVar } from '../lib/dom.ts';
import { displayTimeZone, fmtTime, setTimeZone } from '../lib/format.ts';
import { t, type Key } from '../lib/i18n.ts';
import type { Audit, Operator, Pool, Role, User } from '../lib/types.ts';
import { confirmDialog, copyButton, empty, errorBox, field, modal, onSubmit, toast, toastError, unavailable } from '../lib/ui.ts';

export function settingsPage(root: HTMLElement, ctx: PageCtx): void {
  const general = h('section', { class: 'panel', id: 'settings-general' });
  const operators = h('section', { class: 'panel', id: 'settings-operators' });
  const users = h('section', { class: 'panel', id: 'settings-users' });
  const audit = h('section', { class: 'panel', id: 'settings-audit' });
  root.append(general, operators, ...(ctx.isAdmin ? [users, audit] : []));
  void loadGeneral();
  void loadOperators();
  if (ctx.isAdmin) { void loadUsers(); void loadAudit(); }

  async function loadGeneral(): Promise<void> {
    const r = await get<Record<string, unknown>>('/settings');
    const head = h('header', { class: 'panel-head' }, h('h2', null, t('panelSettings')));
    if (!r.ok) {
      replace(general, head, h('p', null, t('timeZoneNow', { tz: displayTimeZone() })), unavailable(t('settingsUnavailable')));
      return;
    }
    const s = r.value;
    const tz = h('input', { name: 'timeZone', value: typeof s.timeZone === 'string' ? s.timeZone : displayTimeZone(), maxlength: 64, disabled: !ctx.isAdmin });
    const retention = h('input', { name: 'retentionDays', type: 'number', min: 0, max: 3650, value: typeof s.retentionDays === 'number' ? s.retentionDays : 0, disabled: !ctx.isAdmin });
    const storage = h('select', { name: 'smsStorage', disabled: !ctx.isAdmin }, h('option', { value: 'delete' }, t('smsStorageDelete')), h('option', { value: 'keep' }, t('smsStorageKeep')));
    storage.value = s.smsStorage === 'keep' ? 'keep' : 'delete';
    // Quick commands: one per line here, a list in the API (which checks each; its refusal is shown).
    const hasQuick = Array.isArray(s.terminalCommands);
    const quick = h('textarea', { name: 'terminalCommands', rows: 7, class: 'mono', spellcheck: false, disabled: !ctx.isAdmin },
      hasQuick ? (s.terminalCommands as unknown[]).map(String).join('\n') : '');
    replace(general, head, onSubmit(h('form', { class: 'stack narrow-form' },
      field(t('timeZone'), tz, t('timeZoneHint')), field(t('retentionDays'), retention, t('retentionHint')), field(t('smsStorage'), storage),
      hasQuick && ctx.isAdmin ? field(t('quickCommands'), quick, t('quickCommandsHint')) : null,
      ctx.isAdmin ? h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('save'))) : null), async () => {
      const body: Record<string, unknown> & { timeZone: string } = { timeZone: tz.value.trim(), retentionDays: Number(retention.value), smsStorage: storage.value };
      if (hasQuick) body.terminalCommands = quick.value.split('\n').map((c) => c.trim()).filter(Boolean);
      const w = await put<Record<string, unknown>>('/settings', body);
      if (!w.ok) { toastError(w.error); return; }
      setTimeZone(body.timeZone);
      // The list as the API keeps it (blank lines and spaces gone).
      if (Array.isArray(w.value.terminalCommands)) quick.value = w.value.terminalCommands.map(String).join('\n');
      toast(t('saved'), 'ok');
    }));
  }

  async function loadOperators(): Promise<void> {
    const r = await get<{ items: Operator[] } | Operator[]>('/operators');
    const head = h('header', { class: 'panel-head' }, h('h2', null, t('operatorProfiles')),
      ctx.isAdmin ? h('button', { type: 'button', class: 'btn small', onclick: () => editOperator(null) }, t('add')) : null);
    if (!r.ok) { replace(operators, head, errorBox(r.error)); return; }
    const list = Array.isArray(r.value) ? r.value : r.value.items;
    replace(operators, head, list.length === 0 ? empty(t('noOperators')) : h('table', { class: 'grid' },
      h('thead', null, h('tr', null, h('th', null, t('title')), h('th', null, t('networkNames')), h('th', null, t('prefix')), h('th', null, t('numberRequest')), h('th', null, t('balanceRequest')), h('th', null, ''))),
      h('tbody', null, list.map((o) => {
        const name = h('td', { class: 'op colored' }, o.title);
        const col = safeColor(o.color);
        if (col) setVar(name, '--op', col);
        return h('tr', null, name, h('td', { class: 'small' }, o.names.join(', ')), h('td', null, o.countryPrefix),
          h('td', { class: 'mono small' }, `${o.numberMethod}${o.numberCode ? ` ${o.numberCode}` : ''}`), h('td', { class: 'mono small' }, `${o.balanceMethod}${o.balanceCode ? ` ${o.balanceCode}` : ''}`),
          h('td', { class: 'row-actions' }, ctx.isAdmin ? [h('button', { type: 'button', class: 'btn small', onclick: () => editOperator(o) }, t('edit')),
            h('button', { type: 'button', class: 'btn small danger', onclick: () => { void removeOperator(o); } }, t('delete'))] : null));
      }))));
  }

  function editOperator(o: Operator | null): void {
    const title = h('input', { name: 'title', required: true, maxlength: 100, value: o?.title ?? '' });
    const names = h('input', { name: 'names', maxlength: 1000, value: o?.names.join('; ') ?? '' });
    const prefix = h('input', { name: 'countryPrefix', maxlength: 4, pattern: '[0-9]{0,4}', value: o?.countryPrefix ?? '' });
    const methods = ['ussd', 'sms', 'none'];
    const numMethod = h('select', { name: 'numberMethod' }, methods.map((m) => h('option', { value: m }, m)));
    numMethod.value = o?.numberMethod ?? 'ussd';
    const numCode = h('input', { name: 'numberCode', maxlength: 64, value: o?.numberCode ?? '' });
    const balMethod = h('select', { name: 'balanceMethod' }, methods.map((m) => h('option', { value: m }, m)));
    balMethod.value = o?.balanceMethod ?? 'ussd';
    const balCode = h('input', { name: 'balanceCode', maxlength: 64, value: o?.balanceCode ?? '' });
    const color = h('input', { name: 'color', type: 'color', value: safeColor(o?.color) ?? '#1f6feb' });
    const msg = h('p', { class: 'form-error', role: 'alert' });
    modal(o ? t('editOperator') : t('addOperator'), (close) => onSubmit(h('form', { class: 'stack' },
      field(t('title'), title), field(t('networkNames'), names, t('networkNamesHint')), field(t('prefix'), prefix),
      h('div', { class: 'row2' }, field(t('numberRequest'), numMethod), field(t('code'), numCode, t('ussdMenuHint'))),
      h('div', { class: 'row2' }, field(t('balanceRequest'), balMethod), field(t('code'), balCode)), field(t('colour'), color), msg,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')), h('button', { type: 'submit', class: 'btn primary' }, t('save')))),
    async () => {
      const body = {
        title: title.value.trim(), names: names.value.split(/[;,]/).map((s) => s.trim()).filter(Boolean), countryPrefix: prefix.value.trim(),
        numberMethod: numMethod.value, numberCode: numCode.value.trim(), balanceMethod: balMethod.value, balanceCode: balCode.value.trim(), color: color.value,
      };
      const r = o ? await patch<Operator>(`/operators/${o.id}`, body) : await post<Operator>('/operators', body);
      if (!r.ok) { msg.textContent = r.error.message; return; }
      close();
      void loadOperators();
    }), { wide: true });
  }

  async function removeOperator(o: Operator): Promise<void> {
    if (!(await confirmDialog(t('deleteOperatorConfirm', { title: o.title }), t('delete')))) return;
    const r = await del<unknown>(`/operators/${o.id}`);
    if (!r.ok) toastError(r.error);
    void loadOperators();
  }

  async function loadUsers(): Promise<void> {
    const r = await get<{ items: User[] } | User[]>('/users');
    const head = h('header', { class: 'panel-head' }, h('h2', null, t('users')), h('button', { type: 'button', class: 'btn small', id: 'add-user', onclick: () => addUser() }, t('add')));
    if (!r.ok) { replace(users, head, errorBox(r.error)); return; }
    const list = Array.isArray(r.value) ? r.value : r.value.items;
    replace(users, head, h('table', { class: 'grid', id: 'users-table' },
      h('thead', null, h('tr', null, h('th', null, t('login')), h('th', null, t('role')), h('th', null, t('language')), h('th', null, t('poolScope')), h('th', null, t('status')), h('th', null, ''))),
      h('tbody', null, list.map((u) => {
        const role = h('select', { 'aria-label': t('role'), onchange: () => { void patch<User>(`/users/${u.id}`, { role: role.value }).then((x) => { if (!x.ok) toastError(x.error); void loadUsers(); }); } },
          (['admin', 'operator', 'viewer'] as Role[]).map((x) => h('option', { value: x }, t(`role_${x}` as Key))));
        role.value = u.role;
        return h('tr', { 'data-user': u.login }, h('td', null, u.login), h('td', null, role), h('td', null, u.lang.toUpperCase()),
          h('td', null, u.poolScope === null ? t('allPools') : u.poolScope.join(', ')), h('td', null, u.disabled ? t('disabled') : t('active')),
          h('td', { class: 'row-actions' },
            h('button', { type: 'button', class: 'btn small', 'data-action': 'scope', onclick: () => { void editScope(u); } }, t('poolScope')),
            h('button', { type: 'button', class: 'btn small', onclick: () => { void patch<User>(`/users/${u.id}`, { disabled: !u.disabled }).then((x) => { if (!x.ok) toastError(x.error); void loadUsers(); }); } }, u.disabled ? t('enable') : t('disable')),
            h('button', { type: 'button', class: 'btn small danger', onclick: () => { void removeUser(u); } }, t('delete'))));
      }))));
  }

  function addUser(): void {
    const login = h('input', { name: 'login', required: true, maxlength: 64, pattern: '[A-Za-z0-9._@-]{1,64}' });
    const role = h('select', { name: 'role' }, (['operator', 'viewer', 'admin'] as Role[]).map((x) => h('option', { value: x }, t(`role_${x}` as Key))));
    const lang = h('select', { name: 'lang' }, h('option', { value: 'ru' }, 'Русский'), h('option', { value: 'en' }, 'English'));
    const msg = h('p', { class: 'form-error', role: 'alert' });
    modal(t('addUser'), (close) => onSubmit(h('form', { class: 'stack' }, field(t('login'), login), field(t('role'), role), field(t('language'), lang), msg,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')), h('button', { type: 'submit', class: 'btn primary' }, t('create')))),
    async () => {
      const r = await post<{ user: User; password: string | null }>('/users', { login: login.value.trim(), role: role.value, lang: lang.value });
      if (!r.ok) { msg.textContent = r.error.message; return; }
      close();
      const pw = r.value.password;
      if (pw) modal(t('userCreated'), (c) => h('div', { class: 'stack' }, h('p', null, t('passwordOnce', { login: r.value.user.login })),
        h('div', { class: 'copyline' }, h('code', null, pw), copyButton(pw)), h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn primary', onclick: () => c() }, t('done')))));
      void loadUsers();
    }));
  }

  /** Limits a user to some pools (issue #6 item 1), or lifts the limit. */
  async function editScope(u: User): Promise<void> {
    const r = await get<{ items: Pool[] }>('/pools');
    if (!r.ok) { toastError(r.error); return; }
    const all = h('input', { type: 'checkbox', name: 'all', checked: u.poolScope === null });
    const boxes = r.value.items.map((p) => ({ p, box: h('input', { type: 'checkbox', value: p.id, checked: u.poolScope?.includes(p.id) ?? false }) }));
    const sync = () => { for (const b of boxes) b.box.disabled = all.checked; };
    all.addEventListener('change', sync);
    sync();
    modal(t('poolScopeOf', { login: u.login }), (close) => onSubmit(h('form', { class: 'stack' },
      h('label', { class: 'check' }, all, t('allPools')),
      h('div', { class: 'stack scope-list' }, boxes.map((b) => h('label', { class: 'check' }, b.box, b.p.title))),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')), h('button', { type: 'submit', class: 'btn primary' }, t('save')))),
    async () => {
      const poolScope = all.checked ? null : boxes.filter((b) => b.box.checked).map((b) => b.p.id);
      const w = await patch<User>(`/users/${u.id}`, { poolScope });
      if (!w.ok) { toastError(w.error); return; }
      close();
      void loadUsers();
    }));
  }

  async function removeUser(u: User): Promise<void> {
    if (!(await confirmDialog(t('deleteUserConfirm', { login: u.login }), t('delete')))) return;
    const r = await del<unknown>(`/users/${u.id}`);
    if (!r.ok) toastError(r.error);
    void loadUsers();
  }

  async function loadAudit(): Promise<void> {
    const r = await get<{ total: number; items: Audit[] }>('/audit', { limit: 50 });
    const head = h('header', { class: 'panel-head' }, h('h2', null, t('auditLog')));
    if (!r.ok) { replace(audit, head, errorBox(r.error)); return; }
    replace(audit, head, r.value.items.length === 0 ? empty(t('noAudit')) : h('table', { class: 'grid', id: 'audit-table' },
      h('thead', null, h('tr', null, h('th', null, t('time')), h('th', null, t('actor')), h('th', null, t('action')), h('th', null, t('target')), h('th', null, 'IP'))),
      h('tbody', null, r.value.items.map((a) => h('tr', null, h('td', { class: 'small' }, fmtTime(a.at)), h('td', null, a.actor), h('td', { class: 'mono' }, a.action),
        h('td', null, a.target), h('td', { class: 'small' }, a.ip ?? ''))))));
  }
}
