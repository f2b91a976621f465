import { h, svg, ms } from './dom.js';

// A horizontal bar per provider: the bar is the median, the red tick the p95, the dots each
// sample. Measured (live) providers are green, simulated ones blue; the winner is outlined.
export function stressChart(result) {
  const providers = result.providers;
  const label = 130;
  const width = 640;
  const right = 70;
  const rowHeight = 34;
  const top = 8;
  const axis = 22;
  const height = top + providers.length * rowHeight + axis;
  const values = providers.flatMap(p => [p.median_ms, p.p95_ms, p.max_ms, ...(p.samples_ms ?? [])]).filter(v => typeof v === 'number');
  const max = niceMax(Math.max(1, ...values));
  const x = value => label + (value / max) * (width - label - right);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(f => f * max);

  const chart = svg('svg', {
    class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'data-test-id': result.testId,
    'aria-label': `${result.kind}: median and p95 per provider, in milliseconds`,
  },
  ticks.map(t => svg('line', { class: 'grid-line', x1: x(t), x2: x(t), y1: top, y2: height - axis })),
  ticks.map(t => svg('text', { x: x(t), y: height - 6, 'text-anchor': 'middle', class: 'value' }, ms(t))),
  providers.map((p, i) => {
    const y = top + i * rowHeight;
    const barY = y + 6;
    const barHeight = rowHeight - 14;
    const classes = ['bar', p.simulated ? 'simulated' : 'live', result.winner === p.name ? 'winner' : ''].join(' ').trim();
    return svg('g', { 'data-provider': p.name },
      svg('text', { x: label - 8, y: y + rowHeight / 2 + 2, 'text-anchor': 'end' }, `${p.display_name ?? p.name}${p.simulated ? '' : ' ●'}`),
      p.median_ms === null
        ? svg('text', { x: label + 4, y: y + rowHeight / 2 + 2, class: 'value' }, `no successful sample (${p.failures} failed)`)
        : [
          svg('rect', { class: classes, x: label, y: barY, width: Math.max(1, x(p.median_ms) - label), height: barHeight, rx: 3 },
            svg('title', null, `${p.name}: median ${ms(p.median_ms)}, p95 ${ms(p.p95_ms)}, ${p.samples} samples${p.simulated ? ' (simulated)' : ' (measured)'}`)),
          p.p95_ms !== null ? svg('line', { class: 'p95', x1: x(p.p95_ms), x2: x(p.p95_ms), y1: barY - 3, y2: barY + barHeight + 3 }) : null,
          (p.samples_ms ?? []).map((sample, n) => svg('circle', { class: 'sample', cx: x(sample), cy: barY + barHeight / 2 + ((n % 3) - 1) * 4, r: 2.5 })),
          svg('text', { x: Math.min(width - 4, Math.max(x(p.median_ms), x(p.p95_ms ?? 0)) + 8), y: y + rowHeight / 2 + 2, class: 'value' }, ms(p.median_ms)),
        ]);
  }),
  svg('line', { class: 'axis', x1: label, x2: label, y1: top, y2: height - axis }));

  return h('figure', { class: 'stress-chart' }, chart,
    h('figcaption', { class: 'legend' },
      h('span', null, h('i', { class: 'k-live' }), 'measured median'),
      h('span', null, h('i', { class: 'k-sim' }), 'simulated median'),
      h('span', null, h('i', { class: 'k-p95' }), 'p95'),
      h('span', null, h('i', { class: 'k-sample' }), 'samples')));
}

function niceMax(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  const steps = [1, 2, 2.5, 5, 10];
  return steps.map(s => s * power).find(s => s >= value) ?? value;
}
