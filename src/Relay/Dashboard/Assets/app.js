import { api } from './api.js';
import { h, failure } from './dom.js';
import { overview } from './overview.js';
import { sessionList, sessionPage } from './sessions.js';
import { sandboxes } from './sandboxes.js';
import { stressTests } from './stress.js';
import { updateState } from './update.js';
import { logs } from './logs.js';

// Hash routes: the page is one document, so the session cookie and the CSRF token stay put.
const routes = [
  [/^\/?(overview)?$/, 'overview', overview],
  [/^\/sessions$/, 'sessions', sessionList],
  [/^\/sessions\/([A-Za-z0-9_-]+)$/, 'sessions', sessionPage],
  [/^\/sandboxes$/, 'sandboxes', sandboxes],
  [/^\/stress$/, 'stress', stressTests],
  [/^\/update$/, 'update', updateState],
  [/^\/logs$/, 'logs', logs],
];

const view = document.getElementById('view');
let current = null;

async function route() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const path = decodeURIComponent(location.hash.replace(/^#/, ''));
  const [, section, render] = routes.find(([pattern]) => pattern.test(path)) ?? [null, null, null];
  for (const link of document.querySelectorAll('.tabs a')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const target = h('div', { class: 'stack' }, h('p', { class: 'muted' }, 'Loading…'));
  view.replaceChildren(target);
  if (!render) {
    target.replaceChildren(h('section', { class: 'card' }, h('p', null, 'No such page. '), h('a', { href: '#/overview' }, 'Back to the overview')));
    return;
  }
  try {
    await render(target, path.match(routes.find(([pattern]) => pattern.test(path))[0]).slice(1), controller.signal);
  } catch (error) {
    if (!controller.signal.aborted) target.replaceChildren(h('section', { class: 'card' }, failure(error)));
  }
}

async function health() {
  try {
    const status = await api('/relay/status');
    const isolation = status.isolation === 'none' ? 'NOT sandboxed' : status.isolation === 'unavailable' ? 'isolation unavailable' : status.isolation;
    document.getElementById('health').textContent = `running · v${status.version} · ${isolation}`;
  } catch (error) {
    document.getElementById('health').textContent = `not answering: ${error.message}`;
  }
}

document.getElementById('logout').addEventListener('click', async () => {
  await api('/dashboard/logout', { method: 'POST' });
  location.replace('/');
});

window.addEventListener('hashchange', route);
route();
health();
setInterval(health, 30000);
