import { api } from './api.js';
import { h, badge, card, when, bytes, ms, statusTone, failure } from './dom.js';

// Each live sandbox and, on demand, its latest runs (GET /sandbox/{id}/runs): direct runs,
// streams, installs and agent turns, kept in the daemon's memory while the sandbox lives.
export async function sandboxes(target, params, signal) {
  const list = await api('/sandbox', { signal });
  target.replaceChildren(card(h('span', null, h('h2', null, 'Sandboxes'), h('span', { class: 'muted' }, `${list.sandboxes.length} live`)),
    h('ul', { class: 'rows', id: 'sandboxes' }, list.sandboxes.length ? list.sandboxes.map(sandbox => row(sandbox, signal))
      : [h('li', { class: 'muted' }, 'No live sandboxes. Sessions and POST /sandbox create them.')])));
}

function row(sandbox, signal) {
  const session = sandbox.metadata?.session_id;
  const runs = h('div');
  const limits = sandbox.limits;
  return h('li', { 'data-sandbox': sandbox.sandbox_id },
    h('div', { class: 'row-head' }, h('span', { class: 'row-title mono' }, sandbox.sandbox_id), badge(sandbox.status, statusTone(sandbox.status)),
      badge(sandbox.runtime), badge(sandbox.isolation, sandbox.isolation === 'none' ? 'bad' : ''), badge(sandbox.network ? 'network' : 'no network', sandbox.network ? 'warn' : '')),
    h('div', { class: 'row-meta' },
      h('span', null, `created ${when(sandbox.created_at)}`),
      h('span', null, `expires ${when(sandbox.expires_at)}`),
      limits ? h('span', null, `${bytes(limits.memory_bytes)} memory, ${limits.processes} processes, ${bytes(limits.workspace_bytes)} workspace`) : null,
      session ? h('span', null, 'session ', h('a', { href: `#/sessions/${session}` }, session)) : h('span', null, 'no session')),
    h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: async event => {
      event.target.disabled = true;
      try {
        const recent = await api(`/sandbox/${encodeURIComponent(sandbox.sandbox_id)}/runs`, { signal });
        runs.replaceChildren(recent.runs.length ? h('ol', { class: 'rows runs' }, recent.runs.map(run))
          : h('p', { class: 'muted' }, 'No runs in this sandbox yet.'));
      } catch (error) {
        runs.replaceChildren(failure(error));
      }
      event.target.disabled = false;
    } }, 'Show runs')),
    runs);
}

function run(entry) {
  const outcome = entry.status === 'running' ? badge('running', 'info')
    : entry.status === 'stopped' ? badge(`stopped: ${entry.stop_reason}`, 'bad')
    : badge(`exit ${entry.exit_code}${entry.timed_out ? ' (timed out)' : ''}`, entry.exit_code === 0 ? 'ok' : 'bad');
  return h('li', { 'data-kind': entry.kind },
    h('div', { class: 'row-head' }, badge(entry.kind.replace('_', ' ')), outcome, h('span', { class: 'mono' }, entry.summary)),
    h('div', { class: 'row-meta' }, h('span', null, when(entry.started_at)), entry.duration_ms === undefined || entry.duration_ms === null ? null : h('span', null, ms(entry.duration_ms))));
}
