import { api } from './api.js';
import { h, kv, badge, card, when } from './dom.js';

export async function updateState(target, params, signal) {
  const status = await api('/relay/status', { signal });
  const update = status.update;
  const last = update.last_result;
  const state = update.off_reason ? badge('off', 'warn') : update.pending ? badge('waiting for confirmation', 'warn')
    : update.available ? badge(`${update.available} available`, 'info') : badge('up to date', 'ok');
  target.replaceChildren(card(h('span', null, h('h2', null, 'Updates'), state), kv([
    ['Version', status.version],
    ['Automatic', update.off_reason ? `off: ${update.off_reason}` : update.auto_update ? 'on' : 'off (CERVER_AUTO_UPDATE=0)'],
    ['Repository', update.repository ?? 'none'],
    ['Service', update.service ?? 'not run by a service manager'],
    ['Last check', update.last_check_at ? `${when(update.last_check_at)}${update.last_check_error ? '' : ': fine'}` : 'never'],
    update.last_check_error ? ['Check failed', h('span', { class: 'error' }, update.last_check_error)] : null,
    ['Available', update.available ?? 'nothing newer'],
    ['Swapped in', update.pending ? `${update.pending}, not confirmed yet` : 'nothing'],
    ['Last update', last ? `${last.version}: ${last.outcome}${last.reason ? ` (${last.reason})` : ''}` : 'none'],
  ]), h('p', { class: 'muted' }, 'cerver-relay update --check looks now; cerver-relay update applies a newer release.')));
}
