// The blend: the query word's output as its weights times the values; strip() draws a long
// vector as colours (the Q, K, V view uses it too).
function vectorCells(vector, src, role) {
  if (vector.length > WIDE) return h('td', { class: 'strip-cell' }, strip(vector, role));
  return vector.map((_, c) => h('td', {}, ledgerNum(src(c), role)));
}

function strip(vector, role) {
  const top = Math.max.apply(null, vector.map(Math.abs)) || 1;
  const el = h('span', { class: 'strip ' + role, role: 'img',
    'aria-label': role + ' vector as colours' });
  vector.forEach((value) => el.append(h('span', {
    class: 'strip-cell-' + (value < 0 ? 'neg' : 'pos'),
    style: 'opacity:' + (0.15 + 0.85 * Math.abs(value) / top).toFixed(3),
  })));
  return el;
}

views.blend = function () {
  const i = state.query;
  const row = story.weights[i];
  const order = row.map((_, j) => j).sort((a, b) => row[b] - row[a] || a - b);
  const bar = h('div', { class: 'blend', role: 'img',
    'aria-label': 'the output as segments whose widths are the weights' });
  row.forEach((w, j) => bar.append(h('span', {
    class: 'segment' + (j % 2 ? ' odd' : ''), style: 'width:' + (100 * w).toFixed(3) + '%',
    title: data.tokens[j],
  }, w > 0.09 ? h('span', { class: 'name', text: data.tokens[j] }) : null)));
  const dims = features();
  const table = h('table', { class: 'vectors blend-table' },
    h('thead', {}, h('tr', {}, h('th', { text: 'word' }), h('th', { class: 'w-label', text: 'weight' }),
      D > WIDE ? h('th', { class: 'v-label', text: 'value' })
        : dims.map((name) => h('th', { class: 'v-label name', text: name })))));
  const body = h('tbody');
  row.forEach((_, j) => body.append(h('tr', {}, h('th', { class: 'name', text: data.tokens[j] }),
    h('td', {}, ledgerNum(named('weights', i, j), 'w')),
    vectorCells(data.story.v[j], (c) => named('v', j, c), 'v'))));
  const shownAs = ledgerRow('weights', row, i);
  body.append(h('tr', { class: 'total' }, h('th', { class: 'o-label', text: 'output' }),
    h('td', { class: 'sum-cell' }, 'Σ ', shownAs.sum()),
    vectorCells(story.outputs[i], (c) => named('outputs', i, c), 'o')));
  table.append(body);
  const [first, second] = order;
  return section('The blend', 'What the query word becomes: a mix of every word\'s value, ' +
    'each segment as wide as its weight.',
    tokenRow(i, select), bar, h('div', { class: 'table-wrap' }, table), roundedNote([shownAs]),
    caption(tokenName(i), '\'s output is mostly ', tokenName(first), '\'s value (',
      ledgerNum(named('weights', i, first), 'w'), ') and ', tokenName(second), '\'s (',
      ledgerNum(named('weights', i, second), 'w'), ').'));
};
