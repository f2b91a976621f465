import { api } from './api.js';
import { h, card } from './dom.js';

export async function logs(target, params, signal) {
  const count = h('select', { id: 'log-lines', 'aria-label': 'Lines' }, [200, 500, 1000, 2000].map(n => h('option', { value: n }, `last ${n} lines`)));
  const file = h('span', { class: 'muted' });
  const output = h('pre', { class: 'log', id: 'log' });
  const load = async () => {
    const result = await api(`/relay/logs?lines=${count.value}`, { signal });
    file.textContent = result.file ? `relay/logs/${result.file}` : 'no log file yet';
    output.replaceChildren(...result.lines.map(line => h('span', { class: / \[(ERR|FTL)\] /.test(line) ? 'err' : / \[WRN\] /.test(line) ? 'wrn' : null }, line, '\n')));
    output.scrollTop = output.scrollHeight;
  };
  count.addEventListener('change', load);
  target.replaceChildren(card(h('span', null, h('h2', null, 'Logs'), file),
    h('div', { class: 'toolbar' }, count, h('button', { type: 'button', id: 'log-refresh', onclick: load }, 'Refresh'),
      h('span', { class: 'muted' }, 'cerver-relay logs -f follows them in a terminal.')),
    output));
  await load();
}
