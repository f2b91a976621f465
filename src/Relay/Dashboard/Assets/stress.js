import { api } from './api.js';
import { h, badge, card, when, ms } from './dom.js';
import { stressChart } from './chart.js';

const KINDS = [
  ['cold_start', 'Cold start: sandbox create to the first run'],
  ['stream_response', 'Stream response: time to the first byte of 1 MiB'],
  ['package_install', 'Package install: a real npm install'],
  ['preview_launch', 'Preview launch: until a web server answers'],
  ['long_session', 'Long session: run latency in one sandbox'],
];

export async function stressTests(target, params, signal) {
  const [catalog, recent] = await Promise.all([api('/gateway/providers', { signal }), api('/gateway/stress-tests', { signal })]);
  const history = h('div', { class: 'stack', id: 'stress-results' });
  const showAll = tests => history.replaceChildren(...(tests.length ? tests.map(test => resultCard(test.result, test.finished_at))
    : [h('p', { class: 'muted' }, 'No stress tests since the daemon started.')]));
  showAll(recent.stress_tests);

  const kind = h('select', { name: 'kind', id: 'stress-kind' }, KINDS.map(([value, text]) => h('option', { value }, text)));
  const samples = h('input', { type: 'number', name: 'sample_size', id: 'stress-samples', min: 1, max: 50, value: 3, required: true, inputmode: 'numeric' });
  const providers = h('fieldset', { id: 'stress-providers' }, h('legend', null, 'Providers'),
    catalog.providers.map(provider => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'providers', value: provider.name, checked: provider.executable }),
      provider.name, provider.executable ? badge('live', 'ok') : badge('simulated'))));
  const run = h('button', { type: 'submit', class: 'primary', id: 'stress-run' }, 'Run stress test');
  const state = h('p', { role: 'status', class: 'muted' });
  const form = h('form', { class: 'stack', id: 'stress-form' },
    h('div', { class: 'inline-fields form-row' }, h('label', { class: 'field' }, 'Kind', kind), h('label', { class: 'field' }, 'Samples per provider', samples)),
    providers, h('div', { class: 'toolbar' }, run, state));

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const chosen = [...form.querySelectorAll('input[name="providers"]:checked')].map(input => input.value);
    if (chosen.length === 0) {
      state.className = 'error';
      state.textContent = 'Pick at least one provider.';
      return;
    }
    run.disabled = true;
    state.className = 'muted';
    state.textContent = 'Running: live providers are measured in fresh sandboxes on this machine…';
    try {
      await api('/gateway/stress-tests', { method: 'POST', body: { kind: kind.value, sample_size: Number(samples.value), providers: chosen }, signal });
      state.textContent = 'Done.';
      showAll((await api('/gateway/stress-tests', { signal })).stress_tests);
    } catch (error) {
      state.className = 'error';
      state.textContent = error.message;
    } finally {
      run.disabled = false;
    }
  });

  target.replaceChildren(
    card('Run a stress test', h('p', { class: 'muted' }, 'Live providers (this machine, linked relays) run real sandboxes; the modeled ones are simulated from their profiles. One test runs at a time.'), form),
    h('h2', null, 'Results'),
    history);
}

function resultCard(result, finishedAt) {
  return h('section', { class: 'card', 'data-test-id': result.testId },
    h('header', null, h('h2', null, result.report.headline),
      h('span', { class: 'row-head' }, badge(result.kind, 'info'), result.winner ? badge(`winner: ${result.winner}`, 'ok') : badge('no winner', 'warn'))),
    h('p', { class: 'muted' }, `${when(finishedAt)} · ${result.sampleSize} samples per provider · ${result.testId}`),
    stressChart(result),
    h('ul', { class: 'rows' }, result.providers.map(p => h('li', null,
      h('div', { class: 'row-head' }, h('strong', null, p.display_name ?? p.name), p.simulated ? badge('simulated') : badge('measured', 'ok')),
      h('div', { class: 'row-meta' },
        h('span', null, `median ${ms(p.median_ms)}`), h('span', null, `p95 ${ms(p.p95_ms)}`),
        h('span', null, `min ${ms(p.min_ms)} · max ${ms(p.max_ms)}`),
        h('span', null, `${p.samples} samples, ${p.failures} failed`),
        p.throughput_mb_s ? h('span', null, `${p.throughput_mb_s.toFixed(1)} MB/s`) : null,
        p.drift ? h('span', null, `drift ×${p.drift.toFixed(2)}`) : null),
      p.failure_reasons?.length ? h('div', { class: 'error' }, p.failure_reasons.join('; ')) : null))),
    h('p', null, result.report.guidance),
    h('p', { class: 'muted' }, `Next policy: ${result.report.next_policy}`));
}

