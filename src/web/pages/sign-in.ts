/** Sign-in: login and password → session cookie (HttpOnly) and CSRF token. */
import { post, setCsrf } from '../lib/api.ts';
import { h } from '../lib/dom.ts';
import { currentLang, setLang, t } from '../lib/i18n.ts';
import type { SessionInfo } from '../lib/types.ts';
import { field, onSubmit } from '../lib/ui.ts';

export function signInPage(root: HTMLElement, done: (s: SessionInfo) => void): void {
  const login = h('input', { name: 'login', autocomplete: 'username', required: true, maxlength: 64 });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 });
  const msg = h('p', { class: 'form-error', role: 'alert' });
  const langs = h('div', { class: 'lang' }, (['ru', 'en'] as const).map((l) =>
    h('button', { type: 'button', class: `btn small${currentLang() === l ? ' active' : ''}`, 'data-lang': l, onclick: () => { setLang(l); root.replaceChildren(); signInPage(root, done); } }, l.toUpperCase())));
  const form = onSubmit(h('form', { class: 'signin card-box', id: 'signin' },
    h('div', { class: 'brand big' }, h('img', { src: '/favicon.svg', alt: '', width: 36, height: 36 }), h('span', null, 'simnav')),
    h('p', { class: 'muted' }, t('signInLead')),
    field(t('login'), login),
    field(t('password'), password),
    msg,
    h('button', { type: 'submit', class: 'btn primary wide' }, t('signIn')),
    langs,
  ), async () => {
    msg.textContent = '';
    const r = await post<SessionInfo>('/session', { login: login.value, password: password.value });
    if (!r.ok) {
      msg.textContent = r.error.code === 'SIMNAV_ERR_RATE_LIMITED' ? t('tooManyAttempts') : r.error.status === 0 ? r.error.message : t('badCredentials');
      password.value = '';
      password.focus();
      return;
    }
    setCsrf(r.value.csrfToken);
    done(r.value);
  });
  root.appendChild(form);
  login.focus();
}
