import { api } from './api.js';
import { h, kv, badge, card, ago, statusTone, failure } from './dom.js';
import { entryView } from './transcript.js';

const STATUSES = ['', 'running', 'idle', 'ready', 'provisioning', 'failed', 'terminated'];

export async function sessionList(target, params, signal) {
  const filter = h('select', { id: 'status-filter', 'aria-label': 'Status' }, STATUSES.map(status => h('option', { value: status }, status || 'any status')));
  const list = h('ul', { class: 'rows', id: 'sessions' });
  const load = async () => {
    const query = filter.value ? `&status=${encodeURIComponent(filter.value)}` : '';
    const result = await api(`/v2/sessions?limit=100${query}`, { signal });
    list.replaceChildren(...(result.sessions.length ? result.sessions.map(row) : [h('li', { class: 'muted' }, 'No sessions yet. An agent or the cerver CLI creates them (POST /v2/sessions).')]));
  };
  filter.addEventListener('change', () => load().catch(error => list.replaceChildren(failure(error))));
  target.replaceChildren(card(h('span', null, h('h2', null, 'Sessions'), h('span', { class: 'toolbar' }, filter,
    h('button', { type: 'button', onclick: () => load().catch(error => list.replaceChildren(failure(error))) }, 'Refresh'))), list));
  await load();
}

function row(session) {
  const metadata = session.metadata ?? {};
  const usage = metadata.usage_total;
  return h('li', null,
    h('div', { class: 'row-head' },
      h('a', { class: 'row-title', href: `#/sessions/${session.sessionId}` }, session.sessionName || session.sessionId),
      badge(session.status, statusTone(session.status)),
      metadata.cli_tool ? badge(`${metadata.cli_tool}${metadata.cli_model ? ` · ${metadata.cli_model}` : ''}`, 'info') : null),
    h('div', { class: 'row-meta' },
      h('span', { class: 'mono' }, session.sessionId),
      h('span', null, `${session.messageCount} entries`),
      usage ? h('span', null, `${usage.turns} turns, ${(usage.input_tokens ?? 0) + (usage.output_tokens ?? 0)} tokens`) : null,
      h('span', null, `${session.workload}`),
      h('span', null, `updated ${ago(session.updatedAt)}`)));
}

export async function sessionPage(target, [id], signal) {
  const detail = await api(`/v2/sessions/${encodeURIComponent(id)}`, { signal });
  const statusBadge = badge(detail.status, statusTone(detail.status));
  const live = badge('connecting', 'warn');
  const entries = h('ol', { class: 'transcript', id: 'transcript' });
  const summary = h('div');
  const older = h('div');
  let metadata = detail.metadata ?? {};
  let seen = 0;

  const renderSummary = (status, meta) => summary.replaceChildren(kv([
    ['Session', h('code', null, detail.sessionId)],
    ['Compute', detail.computeId ? h('code', null, detail.computeId) : 'none (transcript only)'],
    ['Agent', meta.cli_tool ? `${meta.cli_tool}${meta.cli_model ? ` (${meta.cli_model})` : ''}` : 'none: code runs only'],
    meta.usage_total ? ['Usage', `${meta.usage_total.turns} turns, ${meta.usage_total.input_tokens} in / ${meta.usage_total.output_tokens} out tokens`] : null,
    ['Entries', String(Math.max(seen, detail.transcriptTotal))],
  ]));

  const add = (entry, fresh) => {
    if (entry.seq <= seen) return;
    seen = entry.seq;
    entries.append(entryView(entry, fresh));
    if (fresh && nearBottom()) entries.lastElementChild.scrollIntoView({ block: 'end', behavior: 'smooth' });
    renderSummary(detail.status, metadata);
  };

  for (const entry of detail.transcript) add(entry, false);
  const first = detail.transcript[0]?.seq ?? detail.transcriptTotal + 1;
  if (first > 1) {
    older.replaceChildren(h('p', { class: 'muted' }, `Showing the last ${detail.transcript.length} of ${detail.transcriptTotal} entries. `,
      h('button', { type: 'button', onclick: async () => {
        const full = await api(`/v2/sessions/${encodeURIComponent(id)}?full=1`, { signal });
        entries.prepend(...full.transcript.filter(entry => entry.seq < first).map(entry => entryView(entry, false)));
        older.replaceChildren();
      } }, 'Show all')));
  }
  renderSummary(detail.status, metadata);

  target.replaceChildren(
    h('p', null, h('a', { href: '#/sessions' }, '← Sessions')),
    card(h('span', { class: 'row-head' }, h('h2', null, 'Session'), statusBadge, live), summary),
    card(h('h2', null, 'Transcript'), older, entries, seen === 0 ? h('p', { class: 'muted', id: 'empty' }, 'No entries yet; they appear here as they land.') : null),
    metadata.cli_tool ? prompt(id, signal) : null,
  );

  // The stream resumes by itself: EventSource sends the last entry's id as Last-Event-ID when it reconnects.
  const source = new EventSource(`/v2/sessions/${encodeURIComponent(id)}/stream?since=${seen}`);
  signal.addEventListener('abort', () => source.close());
  source.addEventListener('open', () => { live.textContent = 'live'; live.className = 'badge ok live'; });
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED) { live.textContent = 'reconnecting'; live.className = 'badge warn'; }
  });
  source.addEventListener('entry', event => {
    document.getElementById('empty')?.remove();
    const entry = JSON.parse(event.data);
    add(entry, true);
    if (entry.kind === 'session_completed' || entry.role === 'user') {
      refreshStatus(id, statusBadge, signal).then(meta => { if (meta) { metadata = meta; renderSummary(detail.status, metadata); } });
    }
  });
  source.addEventListener('end', event => {
    source.close();
    const end = JSON.parse(event.data);
    statusBadge.textContent = end.status;
    statusBadge.className = `badge ${statusTone(end.status)}`;
    live.textContent = 'ended';
    live.className = 'badge';
  });
}

async function refreshStatus(id, statusBadge, signal) {
  try {
    const now = await api(`/v2/sessions/${encodeURIComponent(id)}?tail=1`, { signal });
    statusBadge.textContent = now.status;
    statusBadge.className = `badge ${statusTone(now.status)}`;
    return now.metadata ?? {};
  } catch {
    // The stream keeps going; the badge catches up at the next entry.
    return null;
  }
}

function prompt(id, signal) {
  const text = h('textarea', { name: 'content', required: true, placeholder: 'Ask the agent…', 'aria-label': 'Message to the agent' });
  const result = h('p', { role: 'status', class: 'muted' });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const form = h('form', { class: 'stack', id: 'prompt' }, text, h('div', { class: 'toolbar' }, send, result));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    send.disabled = true;
    result.className = 'muted';
    result.textContent = 'Sending…';
    try {
      await api(`/v2/sessions/${encodeURIComponent(id)}/input`, { method: 'POST', body: { role: 'user', content: text.value }, signal });
      text.value = '';
      result.textContent = 'Sent: the turn starts, or waits for the running one.';
    } catch (error) {
      result.className = 'error';
      result.textContent = error.message;
    } finally {
      send.disabled = false;
    }
  });
  return card(h('h2', null, 'Send a turn'), form);
}

function nearBottom() {
  return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 200;
}
