/**
 * The console shell: sign-in, navigation, language switch, live-connection indicator and the
 * hash router (`#/cards?number=…`). Pages live in ./pages, one file each.
 */
import { get, del, onUnauthorized, patch, setCsrf } from './lib/api.ts';
import { h, replace } from './lib/dom.ts';
import { setTimeZone } from './lib/format.ts';
import { currentLang, setLang, t, type Key } from './lib/i18n.ts';
import { connectLive, disconnectLive, onLiveState } from './lib/live.ts';
import type { Page, PageCtx } from './lib/app.ts';
import type { SessionInfo } from './lib/types.ts';
import { toast } from './lib/ui.ts';
import { signInPage } from './pages/sign-in.ts';
import { aggregatorsPage } from './pages/aggregators.ts';
import { cardsPage } from './pages/cards.ts';
import { poolsPage } from './pages/pools.ts';
import { onlinePage } from './pages/online.ts';
import { smsPage, callsPage } from './pages/messages.ts';
import { tasksPage } from './pages/tasks.ts';
import { terminalPage } from './pages/terminal.ts';
import { settingsPage } from './pages/settings.ts';

interface Route { path: string; label: Key; page: Page; admin?: boolean; icon: string }

const ROUTES: Route[] = [
  { path: 'aggregators', label: 'navAggregators', page: aggregatorsPage, icon: '▦' },
  { path: 'cards', label: 'navCards', page: cardsPage, icon: '▤' },
  { path: 'pools', label: 'navPools', page: poolsPage, icon: '◫' },
  { path: 'online', label: 'navOnline', page: onlinePage, icon: '◉' },
  { path: 'sms', label: 'navSms', page: smsPage, icon: '✉' },
  { path: 'calls', label: 'navCalls', page: callsPage, icon: '☏' },
  { path: 'tasks', label: 'navTasks', page: tasksPage, icon: '↻' },
  { path: 'terminal', label: 'navTerminal', page: terminalPage, admin: true, icon: '›_' },
  { path: 'settings', label: 'navSettings', page: settingsPage, icon: '⚙' },
];

const root = document.getElementById('app')!;
let session: SessionInfo | null = null;
let cleanup: (() => void) | void = undefined;
let main: HTMLElement | null = null;

function parseHash(): { path: string; params: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', q = ''] = raw.split('?');
  return { path: path || 'aggregators', params: new URLSearchParams(q) };
}

function navigate(hash: string): void {
  if (location.hash === hash) void render(); else location.hash = hash;
}

async function boot(): Promise<void> {
  const s = await get<SessionInfo>('/session');
  if (!s.ok) { showSignIn(); return; }
  await enter(s.value);
}

async function enter(s: SessionInfo): Promise<void> {
  session = s;
  setCsrf(s.csrfToken);
  setLang(s.user.lang);
  const settings = await get<Record<string, unknown>>('/settings');
  setTimeZone(settings.ok && typeof settings.value.timeZone === 'string' ? settings.value.timeZone : null);
  connectLive();
  shell();
}

function showSignIn(): void {
  session = null;
  disconnectLive();
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  main = null;
  root.className = 'signin-root';
  replace(root);
  signInPage(root, (s) => { void enter(s); });
}

onUnauthorized(() => { if (session) { toast(t('sessionEnded'), 'error'); showSignIn(); } });

async function switchLang(lang: 'en' | 'ru'): Promise<void> {
  if (!session) return;
  setLang(lang);
  session = { ...session, user: { ...session.user, lang } };
  // Saved per user; a failure (older server) still switches this page.
  const r = await patch<unknown>('/me', { lang });
  if (!r.ok) console.warn('language not saved', r.error);
  shell();
}

async function signOut(): Promise<void> {
  await del('/session');
  setCsrf(null);
  showSignIn();
}

function shell(): void {
  if (!session) return;
  const s = session;
  root.className = 'shell';
  const live = h('span', { class: 'live', id: 'live-state', title: t('liveTitle') }, t('liveConnecting'));
  onLiveState((up) => { live.textContent = up ? t('liveOn') : t('liveOff'); live.classList.toggle('up', up); });
  const nav = h('nav', { class: 'sidebar', 'aria-label': t('menu') },
    h('div', { class: 'brand' }, h('img', { src: '/favicon.svg', alt: '', width: 24, height: 24 }), h('span', null, 'simnav')),
    h('ul', null, ROUTES.filter((r) => !r.admin || s.user.role === 'admin').map((r) =>
      h('li', null, h('a', { href: `#/${r.path}`, 'data-route': r.path }, h('span', { class: 'nav-icon', 'aria-hidden': 'true' }, r.icon), t(r.label))))));
  const langSel = h('div', { class: 'lang', role: 'group', 'aria-label': t('language') },
    (['ru', 'en'] as const).map((l) => h('button', {
      type: 'button', class: `btn small${currentLang() === l ? ' active' : ''}`, 'data-lang': l, 'aria-pressed': String(currentLang() === l),
      onclick: () => { void switchLang(l); },
    }, l.toUpperCase())));
  const top = h('header', { class: 'topbar' },
    h('h1', { id: 'page-title' }, ''),
    h('div', { class: 'top-right' }, live, langSel,
      h('span', { class: 'who', 'data-role': s.user.role }, s.user.login, ' · ', t(`role_${s.user.role}` as Key)),
      h('button', { type: 'button', class: 'btn small', id: 'sign-out', onclick: () => { void signOut(); } }, t('signOut'))));
  main = h('main', { id: 'main' });
  replace(root, nav, h('div', { class: 'content' }, top, main));
  void render();
}

async function render(): Promise<void> {
  if (!session || !main) return;
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  const { path, params } = parseHash();
  const route = ROUTES.find((r) => r.path === path && (!r.admin || session!.user.role === 'admin')) ?? ROUTES[0]!;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-route]')) a.classList.toggle('active', a.dataset.route === route.path);
  document.getElementById('page-title')!.textContent = t(route.label);
  document.title = `${t(route.label)} · simnav`;
  replace(main);
  const ctx: PageCtx = {
    session: session,
    canWrite: session.user.role !== 'viewer',
    isAdmin: session.user.role === 'admin',
    params,
    navigate,
  };
  main.dataset.page = route.path;
  cleanup = route.page(main, ctx);
}

window.addEventListener('hashchange', () => { void render(); });
void boot();
