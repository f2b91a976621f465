import { h, when, ms } from './dom.js';

// One transcript entry as a block, by its kind: the agent's text, its thinking, a tool call with
// its name and input, the tool's result, and the end of a turn with its exit code and usage.
export function entryView(entry, fresh) {
  const kind = entry.kind;
  const classes = ['entry', entry.role === 'user' ? 'user' : kind];
  let title = entry.role;
  let body;
  switch (kind) {
    case 'thinking':
      title = 'thinking';
      body = h('div', { class: 'body' }, entry.content);
      break;
    case 'tool_use':
      title = h('span', null, 'tool call ', h('strong', null, entry.tool_name ?? 'run'));
      body = h('pre', null, entry.tool_input !== undefined && entry.tool_input !== null ? JSON.stringify(entry.tool_input, null, 2) : entry.content);
      break;
    case 'tool_result':
      if (entry.is_error) classes.push('failed');
      title = entry.is_error ? 'tool result (error)' : 'tool result';
      body = h('pre', null, entry.content);
      break;
    case 'session_completed': {
      const done = parse(entry.content);
      if (done?.exit_code) classes.push('failed');
      title = 'turn completed';
      const usage = done?.total_usage;
      body = h('div', { class: 'body' }, done
        ? `exit ${done.exit_code} · ${ms(done.duration_ms)}${usage ? ` · ${usage.input_tokens} in / ${usage.output_tokens} out tokens · turn ${usage.turns}` : ''}`
        : entry.content);
      break;
    }
    default:
      title = entry.role === 'assistant' && kind === 'text' ? 'assistant' : kind && kind !== 'message' && kind !== 'text' ? `${entry.role} · ${kind}` : entry.role;
      body = h('div', { class: 'body' }, entry.content);
  }
  if (fresh) classes.push('fresh');
  return h('li', { class: classes.join(' '), 'data-seq': entry.seq, 'data-kind': kind },
    h('div', { class: 'who' }, h('strong', null, title), h('span', null, `#${entry.seq}`), h('time', { datetime: entry.at }, when(entry.at))),
    body);
}

function parse(text) {
  try { return JSON.parse(text); } catch { return null; }
}
