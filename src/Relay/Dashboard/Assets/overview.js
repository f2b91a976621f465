import { api } from './api.js';
import { h, kv, badge, card, when, ago, duration, bytes, statusTone } from './dom.js';

export async function overview(target, params, signal) {
  const [status, computes] = await Promise.all([api('/relay/status', { signal }), api('/v2/computes', { signal })]);
  target.replaceChildren(
    ...isolationBanner(status),
    h('div', { class: 'grid' }, machine(status), gateway(status)),
    card(h('span', null, h('h2', null, 'Computes'), h('span', { class: 'muted' }, 'this machine and the relays linked to it')),
      h('ul', { class: 'rows', id: 'computes' }, computes.computes.map(compute))),
  );
}

function isolationBanner(status) {
  if (status.isolation === 'none') {
    return [h('div', { class: 'banner warn' }, h('strong', null, 'Code is not sandboxed. '),
      `CERVER_ISOLATION=${status.isolation_mode}: processes run as you, with your files, keys and network.`)];
  }
  if (status.isolation === 'unavailable') {
    return [h('div', { class: 'banner bad' }, h('strong', null, 'Nothing runs: '), status.isolation_problem ?? 'no isolation works here.')];
  }
  return [];
}

function machine(status) {
  const limits = status.limits;
  return card(h('span', null, h('h2', null, 'This machine'), badge('running', 'ok')), kv([
    ['Name', status.label],
    ['Version', status.version],
    ['Up', `${duration(status.uptime_seconds)} (pid ${status.pid})`],
    ['Local API', h('code', null, status.url)],
    ['Compute', h('code', null, status.compute_id)],
    ['Isolation', h('span', null, badge(status.isolation, status.isolation === 'bubblewrap' || status.isolation === 'seatbelt' ? 'ok' : 'bad'), ` CERVER_ISOLATION=${status.isolation_mode}`)],
    ['Sandboxes', `${status.sandboxes.live} live, ${status.sandboxes.active_runs} runs in progress`],
    ['Sessions', `${status.live_sessions} live`],
    ['Agent turns', `${status.agent_turns.running} running (at most ${status.agent_turns.max} at once)`],
    ['Limits', limits ? `${bytes(limits.memory_bytes)} memory${limits.enforced_by === 'rlimit' ? ' per process' : ''}, ${limits.processes} processes, ${bytes(limits.workspace_bytes)} workspace, ${bytes(limits.file_size_bytes)} per file (${limits.enforced_by})` : '–'],
    ['cgroup', status.cgroup],
  ]));
}

function gateway(status) {
  const gw = status.gateway;
  const registration = { registered: 'ok', is_gateway: 'info', failing: 'bad', not_logged_in: 'warn', offline: '' }[gw.registration] ?? '';
  const reports = status.reports;
  return card(h('span', null, h('h2', null, 'Gateway'), badge(gw.registration ?? gw.link, registration)), kv([
    ['Gateway', gw.url ?? 'none configured'],
    ['Account', gw.account_id ? `${gw.account_id}${gw.key_id ? ` (key ${gw.key_id})` : ''}` : gw.logged_in ? 'key set, not confirmed yet' : 'not logged in (cerver-relay login)'],
    ['Link', gw.offline ? 'offline (--offline)' : `${gw.link.replaceAll('_', ' ')}${gw.link_since ? ` since ${when(gw.link_since)}` : ''}${gw.link_error ? `: ${gw.link_error}` : ''}`],
    ['Heartbeat', gw.last_heartbeat_at ? `${ago(gw.last_heartbeat_at)} (${when(gw.last_heartbeat_at)})` : 'none yet'],
    gw.last_error ? ['Last error', h('span', { class: 'error' }, `${gw.last_error} (${when(gw.last_error_at)})`)] : null,
    ['Reports', reports ? `${reports.pending} waiting, ${reports.delivered} delivered${reports.dropped ? `, ${reports.dropped} refused` : ''}` : '–'],
  ]));
}

function compute(item) {
  const caps = item.capabilities ?? {};
  const runtimes = Object.entries(caps.runtimes ?? {}).map(([name, version]) => badge(version === 'available' ? name : `${name} ${version}`));
  const agents = (caps.agents ?? []).map(agent => badge(`${agent.name}${agent.installed ? (agent.version ? ` ${agent.version}` : '') : ' (not installed)'}`, agent.installed ? (agent.logged_in ? 'ok' : 'warn') : ''));
  return h('li', { 'data-compute': item.compute_id },
    h('div', { class: 'row-head' }, h('span', { class: 'row-title' }, item.label), badge(item.status, statusTone(item.status)),
      badge(item.kind === 'local' ? 'this machine' : item.kind), caps.isolation ? badge(caps.isolation, caps.isolation === 'none' ? 'bad' : '') : null),
    h('div', { class: 'row-meta' },
      h('span', { class: 'mono' }, item.compute_id),
      h('span', null, `heartbeat ${ago(item.last_heartbeat_at)}`),
      caps.cpus ? h('span', null, `${caps.cpus} CPUs, ${caps.memory_mb ? bytes(caps.memory_mb * 1024 * 1024) : '?'} memory`) : null,
      caps.max_sandboxes ? h('span', null, `at most ${caps.max_sandboxes} sandboxes${item.active_sandboxes !== undefined && item.active_sandboxes !== null ? `, ${item.active_sandboxes} active` : ''}`) : null,
      item.relay_version ? h('span', null, `relay ${item.relay_version}`) : null,
      item.os ? h('span', null, `${item.os}/${item.arch ?? '?'}`) : null),
    h('div', { class: 'chips', style: null }, runtimes, agents));
}
