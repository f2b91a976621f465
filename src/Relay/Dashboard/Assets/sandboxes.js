import { api } from './api.js';
import { h, badge, card, when, bytes, statusTone, failure } from './dom.js';
import { entryView } from './transcript.js';

// The relay keeps no history of direct runs (POST /sandbox/{id}/run answers and forgets); a
// session's runs are entries of its transcript, so those are what a sandbox shows.
export async function sandboxes(target, params, signal) {
  const list = await api('/sandbox', { signal });
  target.replaceChildren(card(h('span', null, h('h2', null, 'Sandboxes'), h('span', { class: 'muted' }, `${list.sandboxes.length} live`)),
    h('p', { class: 'muted' }, 'Runs of a session are in its transcript and shown here; direct runs of the compute API are answered and not recorded.'),
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
    session ? h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: async event => {
      event.target.disabled = true;
      try {
        const detail = await api(`/v2/sessions/${encodeURIComponent(session)}?full=1`, { signal });
        const entries = detail.transcript.filter(entry => entry.kind === 'tool_use' || entry.kind === 'tool_result');
        runs.replaceChildren(entries.length ? h('ol', { class: 'transcript' }, entries.map(entry => entryView(entry, false)))
          : h('p', { class: 'muted' }, 'No runs in this session yet.'));
      } catch (error) {
        runs.replaceChildren(failure(error));
        event.target.disabled = false;
      }
    } }, 'Show runs')) : null,
    runs);
}
