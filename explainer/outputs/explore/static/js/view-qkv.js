// Q, K, V: the query word's vectors and its score with one key, term by term.
function termsTable(i, j) {
  const dims = features();
  const terms = dims.map((_, c) => data.story.q[i][c] * data.story.k[j][c]);
  const biggest = argmax(terms.map(Math.abs));
  let rows = dims.map((_, c) => c);
  if (D > WIDE) rows = rows.sort((a, b) => Math.abs(terms[b]) - Math.abs(terms[a])).slice(0, 4);
  const top = Math.max.apply(null, terms.map(Math.abs)) || 1;
  const body = h('tbody');
  rows.forEach((c) => body.append(h('tr', { class: c === biggest ? 'top-term' : '' },
    h('th', { class: 'name', text: D > WIDE ? 'entry ' + c : dims[c] }),
    h('td', {}, ledgerNum(named('q', i, c), 'q'), ' × ', ledgerNum(named('k', j, c), 'k')),
    h('td', { class: 'term-bar' }, h('span', {
      class: 'bar-fill term' + (terms[c] < 0 ? ' negative' : ''),
      style: 'width:' + (100 * Math.abs(terms[c]) / top).toFixed(2) + '%',
    })))));
  return h('table', { class: 'terms', 'aria-label': 'the terms of q·k' }, body);
}

views.qkv = function () {
  const i = state.query;
  const j = state.key;
  const dims = features();
  const meanings = data.model.features.length === D;
  const heads = [['q', meanings ? 'q asks for' : 'query q'], ['k', meanings ? 'k offers' : 'key k'],
    ['v', meanings ? 'v carries' : 'value v']];
  const vectors = h('table', { class: 'vectors', 'aria-label': 'the query word\'s vectors' },
    D > WIDE ? null : h('thead', {}, h('tr', {}, h('th', {}),
      heads.map(([role, text]) => h('th', { class: role + '-label', text: text })))));
  const body = h('tbody');
  if (D > WIDE) {  // a learned head's entries have no names: one colour strip per vector
    heads.forEach(([role, text]) => body.append(h('tr', {},
      h('th', { class: role + '-label', text: text }), h('td', {}, strip(data.story[role][i], role)))));
  } else {
    dims.forEach((name, c) => body.append(h('tr', {}, h('th', { class: 'name', text: name }),
      ['q', 'k', 'v'].map((role) => h('td', {}, ledgerNum(named(role, i, c), role))))));
  }
  vectors.append(body);
  return section('Q, K, V', 'The query word\'s query, key and value (one projection ' +
    'each), and its query against one key, term by term.',
    h('div', { class: 'split' }, h('div', {},
    h('h3', { class: 'q-label' }, 'query word'), tokenRow(i, select),
    h('div', { class: 'table-wrap' }, vectors)), h('div', {},
    h('h3', { class: 'k-label' }, 'key word'),
    tokenRow(j, (k) => { state.key = k; render(); }, { role: 'key', label: 'key word', prefix: 'key' }),
    termsTable(i, j),
    D > WIDE ? h('p', { class: 'note' }, 'The largest terms; the others add the rest.') : null,
    h('dl', { class: 'steps' },
      data.names.scores ? [h('dt', {}, h('span', { class: 'q-label' }, 'q'), ' · ',
        h('span', { class: 'k-label' }, 'k'), ', the sum of the terms'),
      h('dd', {}, ledgerNum(named('scores', i, j)))] : null,
      h('dt', {}, data.names.scores ? 'divided by √d = ' : 'q · k, the sum of the terms, divided by √d = ',
        ledgerNum('sqrt_d_head')),
      h('dd', {}, ledgerNum(named('logits', i, j))),
      h('dt', {}, 'its weight, after softmax over ', tokenName(i), '\'s row'),
      h('dd', {}, ledgerNum(named('weights', i, j), 'w'))),
    h('p', { class: 'formula' }, 'attention(Q, K, V) = softmax(QKᵀ / √d) V'))));
};
