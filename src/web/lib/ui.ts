/** Small UI pieces: toasts, modal dialogs, copy buttons, confirmations, tables, empty states. */
import { h, replace, type Child } from './dom.ts';
import { t } from './i18n.ts';
import type { ApiError } from './api.ts';
import { notAvailable } from './api.ts';

function toastHost(): HTMLElement {
  let el = document.getElementById('toasts');
  if (!el) { el = h('div', { id: 'toasts', 'aria-live': 'polite' }); document.body.appendChild(el); }
  return el;
}

export function toast(text: string, kind: 'ok' | 'error' | 'info' = 'info'): void {
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  toastHost().appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 6000 : 3000);
}

export function toastError(e: ApiError): void {
  toast(notAvailable(e) ? t('notAvailable') : `${t('error')}: ${e.message}`, 'error');
}

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API needs a secure context; fall back to a selected textarea.
    const ta = h('textarea', { class: 'offscreen', readonly: true }, text);
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand('copy'); } catch { /* nothing else to try */ }
    ta.remove();
  }
  toast(t('copied'), 'ok');
}

export function copyButton(text: string, label?: string): HTMLButtonElement {
  return h('button', { type: 'button', class: 'btn small copy', 'data-copy': text, onclick: () => copyText(text) }, label ?? t('copy'));
}

export interface ModalHandle { close(): void; body: HTMLElement; el: HTMLElement }

/** Opens a modal dialog; `content` gets a close function. Esc and the backdrop close it. */
export function modal(title: string, build: (close: () => void) => Child, o: { wide?: boolean; onClose?: () => void } = {}): ModalHandle {
  const body = h('div', { class: 'modal-body' });
  const box = h('div', { class: `modal${o.wide ? ' wide' : ''}`, role: 'dialog', 'aria-modal': 'true', 'aria-label': title },
    h('header', null, h('h2', null, title), h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('close'), onclick: () => close() }, '×')),
    body);
  const back = h('div', { class: 'backdrop', onmousedown: (e: MouseEvent) => { if (e.target === back) close(); } }, box);
  const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') close(); };
  function close(): void { back.remove(); document.removeEventListener('keydown', onKey); o.onClose?.(); }
  document.addEventListener('keydown', onKey);
  replace(body, build(close));
  document.body.appendChild(back);
  const first = body.querySelector<HTMLElement>('input, select, textarea, button');
  first?.focus();
  return { close, body, el: box };
}

export function confirmDialog(text: string, okLabel: string, danger = true): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const m = modal(t('confirm'), (close) => [
      h('p', null, text),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('cancel')),
        h('button', { type: 'button', class: `btn ${danger ? 'danger' : 'primary'}`, 'data-confirm': 'yes', onclick: () => { answered = true; resolve(true); close(); } }, okLabel)),
    ], { onClose: () => { if (!answered) resolve(false); } });
    void m;
  });
}

export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), input, hint ? h('span', { class: 'hint' }, hint) : null);
}

export function empty(text: string): HTMLElement { return h('div', { class: 'empty' }, text); }

export function unavailable(what?: string): HTMLElement {
  return h('div', { class: 'unavailable', 'data-state': 'not-available' }, h('strong', null, t('notAvailable')), what ? h('p', null, what) : null);
}

export function errorBox(e: ApiError): HTMLElement {
  return notAvailable(e) ? unavailable() : h('div', { class: 'errorbox', role: 'alert' }, `${t('error')}: ${e.message}`);
}

export function badge(text: string, kind: string): HTMLElement { return h('span', { class: `badge ${kind}` }, text); }

/** Wires a form's submit to an async action with a busy state; Enter submits. */
export function onSubmit(form: HTMLFormElement, action: () => Promise<void>): HTMLFormElement {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const btns = form.querySelectorAll<HTMLButtonElement>('button[type=submit]');
    btns.forEach((b) => { b.disabled = true; });
    void action().finally(() => btns.forEach((b) => { b.disabled = false; }));
  });
  return form;
}

/** Downloads a blob under a file name. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, class: 'offscreen' });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
