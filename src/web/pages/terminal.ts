/**
 * Terminal (admin only, panel-features.md §2.14): raw SR firmware commands to an aggregator with
 * its answers streaming back (`terminal.answer` events), quick-command buttons (the admins' list in
 * Settings, `GET /settings` `terminalCommands`) and a command log.
 * Contract: `POST /api/v1/aggregators/:id/terminal { command }` → `{ step }`, audited by the
 * server; answers arrive as `terminal.answer { aggregatorId, step, text }`. Answers are text.
 */
import { get, notAvailable, post, routeExists } from '../lib/api.ts';
import type { PageCtx } from '../lib/app.ts';
import { h, replace } from '../lib/dom.ts';
import { fmtTime } from '../lib/format.ts';
import { t } from '../lib/i18n.ts';
import { on } from '../lib/live.ts';
import type { Aggregator } from '../lib/types.ts';
import { onSubmit, unavailable } from '../lib/ui.ts';

export function terminalPage(root: HTMLElement, _ctx: PageCtx): () => void {
  const aggSel = h('select', { name: 'aggregatorId', id: 'terminal-aggregator' });
  const cmd = h('input', { name: 'command', id: 'terminal-command', maxlength: 500, autocomplete: 'off', placeholder: 'modem>send:AT+CSQ' });
  const answers = h('ol', { class: 'term-out', id: 'terminal-answers', 'aria-live': 'polite' });
  const log = h('ol', { class: 'term-log' });
  const state = h('div', { id: 'terminal-state' });
  const quick = h('div', { class: 'quick', id: 'terminal-quick' });
  let available = true;

  async function send(text: string): Promise<void> {
    if (!text.trim() || !aggSel.value) return;
    const r = await post<{ step: number }>(`/aggregators/${aggSel.value}/terminal`, { command: text.trim() });
    if (!r.ok) {
      // A missing route is "not available"; any other refusal (no such aggregator, not running here) in the API's words.
      replace(state, notAvailable(r.error) ? unavailable(t('terminalUnavailable')) : h('p', { class: 'form-error', role: 'alert' }, r.error.message));
      return;
    }
    replace(state);
    log.prepend(h('li', null, h('button', { type: 'button', class: 'linklike', onclick: () => { cmd.value = text; cmd.focus(); } }, text), h('span', { class: 'muted' }, ` #${r.value.step}`)));
    cmd.value = '';
  }

  root.append(h('section', { class: 'panel' },
    onSubmit(h('form', { class: 'inline', id: 'terminal-form' }, aggSel, cmd, h('button', { type: 'submit', class: 'btn primary' }, t('send'))), () => send(cmd.value)),
    quick, state),
  h('div', { class: 'split' },
    h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', null, t('deviceAnswers'))), answers),
    h('section', { class: 'panel narrow' }, h('header', { class: 'panel-head' }, h('h2', null, t('commandLog'))), log)));

  void routeExists('POST', '/aggregators/0/terminal').then((yes) => {
    if (yes) return;
    available = false;
    replace(state, unavailable(t('terminalUnavailable')));
    for (const el of root.querySelectorAll<HTMLButtonElement | HTMLInputElement>('#terminal-form button, #terminal-form input, .quick button')) el.disabled = true;
  });
  void get<{ terminalCommands?: unknown }>('/settings').then((r) => {
    const list = r.ok && Array.isArray(r.value.terminalCommands) ? r.value.terminalCommands.map(String) : [];
    replace(quick, list.map((q) => h('button', { type: 'button', class: 'btn small mono', disabled: !available, onclick: () => { void send(q); } }, q)));
  });
  void get<{ items: Aggregator[] }>('/aggregators').then((r) => {
    if (r.ok) replace(aggSel, r.value.items.map((a) => h('option', { value: a.id }, a.title)));
  });
  const off = on('terminal.answer', (e) => {
    if (String(e.aggregatorId) !== aggSel.value) return;
    answers.prepend(h('li', null, h('span', { class: 'muted' }, `${fmtTime(Number(e.at ?? Date.now()))} #${String(e.step)} `), h('pre', { class: 'mono wrap' }, String(e.text))));
    while (answers.children.length > 500) answers.lastElementChild?.remove();
  });
  return off;
}
