// Experiment: a few tokens' q, k and v to edit, and the weights and outputs that follow.
function expTokens() {
  return data.experiment.tokens.map((i) => data.tokens[i]);
}

function expCell(role, r, c) {
  const e = state.exp;
  const token = data.experiment.tokens[r];
  const typed = e.texts[role][r + ',' + c];
  const pristine = typed === undefined && !e.edited;
  const value = typed !== undefined ? typed
    : (pristine ? shown(named(role, token, c)) : formatNumber(e[role][r][c], DECIMALS));
  return h('input', {
    type: 'text', inputmode: 'decimal', class: 'num cell ' + role, value: value,
    'data-source': pristine ? named(role, token, c) : null,
    'aria-label': role + ' of ' + expTokens()[r] + ', ' + features()[c],
    'data-fkey': 'exp-' + role + '-' + r + '-' + c,
    on: { input: (event) => editCell(event.target, role, r, c) },
  });
}

function editCell(input, role, r, c) {
  const value = Number(input.value.trim());
  if (input.value.trim() === '' || !Number.isFinite(value)) {
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  input.removeAttribute('aria-invalid');
  input.removeAttribute('data-source');
  state.exp[role][r][c] = value;
  state.exp.texts[role][r + ',' + c] = input.value;
  state.exp.edited = true;
  state.exp.action = { kind: 'edit', role: role, r: r, c: c };
  experimentResults(document.getElementById('exp-results'));
}

function expTable(role) {
  const dims = features();
  const names = expTokens();
  return h('table', { class: 'vectors editable', 'aria-label': role.toUpperCase() },
    h('caption', { class: role + '-label', text: role.toUpperCase() }),
    h('thead', {}, h('tr', {}, h('th', {}), dims.map((d) => h('th', { class: 'name', text: d })))),
    h('tbody', {}, names.map((name, r) => h('tr', {}, h('th', { class: 'name', text: name }),
      dims.map((_, c) => h('td', {}, expCell(role, r, c)))))));
}

function expAction(kind) {
  const e = state.exp;
  if (kind === 'identical') {
    e.q[e.b] = e.q[e.a].slice();
    e.k[e.b] = e.k[e.a].slice();
  } else if (kind === 'zero') {
    e.k[e.b] = e.k[e.b].map(() => 0);
  } else if (kind === 'scale') {
    e.scale = !e.scale;
  }
  ['q', 'k'].forEach((role) => Object.keys(e.texts[role]).forEach((key) => {
    if (Number(key.split(',')[0]) === e.b && kind !== 'scale') delete e.texts[role][key];
  }));
  e.edited = e.edited || kind !== 'scale';
  e.action = { kind: kind };
  render();
}

function largestChange(before, after) {
  let best = { r: 0, c: 0, delta: -1 };
  after.forEach((row, r) => row.forEach((v, c) => {
    const delta = Math.abs(v - before[r][c]);
    if (delta > best.delta + 1e-15) best = { r: r, c: c, delta: delta };
  }));
  return best;
}

function weightSentence(result) {
  const e = state.exp;
  const names = expTokens();
  const tok = (i) => tokenName(i, names);
  const now = result.weights.map(rowTexts);
  const then = e.start.weights.map(rowTexts);
  const kind = e.action ? e.action.kind : null;
  if (atDefaults(e)) {
    return ['These are the sentence\'s own weights for these words. Edit a cell or press a button.'];
  }
  if (kind === 'identical') {
    return [tok(e.a), ' and ', tok(e.b), ' now share a query and a key: their rows are the same, ' +
      'and every query weighs them alike (', tok(e.a), ' gives each ',
      computedNum(now[e.a][e.a], 'w'), ').'];
  }
  if (kind === 'zero') {
    return [tok(e.b), '\'s key is all zeros, so every query scores it zero, yet it still gets ' +
      'weight: ', tok(e.a), ' gives it ', computedNum(now[e.a][e.b], 'w'),
      '. Softmax never gives exactly zero.'];
  }
  const change = largestChange(e.start.weights, result.weights);
  if (kind === 'scale') {
    const top = argmax(e.start.weights[e.a]);
    return [e.scale ? 'The ÷ √d is back. ' : 'Without ÷ √d the scores are ' +
      formatNumber(Math.sqrt(D), DECIMALS) + ' times larger, so every row is sharper: ',
    tok(e.a), '\'s top weight, on ', tok(top), ', goes from ', computedNum(then[e.a][top], 'w'),
    ' to ', computedNum(now[e.a][top], 'w'), '.'];
  }
  return ['The weight that moved most: ', tok(change.r), ' on ', tok(change.c), ', from ',
    computedNum(then[change.r][change.c], 'w'), ' to ', computedNum(now[change.r][change.c], 'w'), '.'];
}

function outputSentence(result) {
  const e = state.exp;
  if (atDefaults(e)) return ['Each output is its row of weights times the values.'];
  const change = largestChange(e.start.outputs, result.outputs);
  if (change.delta < 1e-12) return ['No output changed.'];
  return ['The output that moved most: ', tokenName(change.r, expTokens()), '\'s ',
    h('span', { class: 'name', text: features()[change.c] }), ', from ',
    computedNum(formatNumber(e.start.outputs[change.r][change.c], DECIMALS), 'o'), ' to ',
    computedNum(formatNumber(result.outputs[change.r][change.c], DECIMALS), 'o'), '.'];
}

function experimentResults(container) {
  const e = state.exp;
  const result = experimentResult();
  const names = expTokens();
  const plain = atDefaults(e);
  const wName = data.experiment.weights;
  const rows = result.weights.map((row, r) => (plain
    ? shownRow(row, (c) => source(wName, r, c), 'sum(' + source(wName, r) + ')')
    : shownRow(row, null, null)));
  const oName = data.experiment.outputs;
  const outputs = h('table', { class: 'vectors', 'aria-label': 'outputs' },
    h('caption', { class: 'o-label', text: 'outputs' }),
    h('thead', {}, h('tr', {}, h('th', {}), features().map((d) => h('th', { class: 'name', text: d })))),
    h('tbody', {}, names.map((name, r) => h('tr', {}, h('th', { class: 'name', text: name }),
      result.outputs[r].map((v, c) => h('td', {}, plain ? ledgerNum(source(oName, r, c), 'o')
        : computedNum(formatNumber(v, DECIMALS), 'o')))))));
  container.replaceChildren(h('div', {},
    weightMatrix({
      tokens: names, value: (r, c) => result.weights[r][c], label: 'experiment weights',
      number: (r, c) => rows[r].num(c), rows: rows,
    }),
    caption(weightSentence(result))),
    h('div', {}, h('div', { class: 'table-wrap' }, outputs), caption(outputSentence(result))));
}

function tokenSelect(label, value, onChange, fkey) {
  return h('label', { class: 'pick' }, label + ' ', h('select', {
    'data-fkey': fkey, on: { change: (event) => onChange(Number(event.target.value)) },
  }, expTokens().map((name, r) => h('option', { value: String(r), selected: r === value }, name))));
}

views.experiment = function () {
  if (!data.experiment) {
    return section('Experiment', null, h('p', { class: 'intro' }, 'The experiment edits a head ' +
      'of four numbers per token, the designed model\'s. This model\'s heads have ',
      ledgerNum('d_head'), ' numbers per token: open the experiment with the designed ' +
      'model (explainer explore --model hand).'));
  }
  const e = state.exp;
  const results = h('div', { id: 'exp-results', class: 'result split', 'aria-live': 'polite' });
  experimentResults(results);
  return section('Experiment', 'The queries, keys and values of a few of this sentence\'s ' +
    'words, ready to edit: make two tokens\' queries and keys identical, zero a key, remove ' +
    'the scale, or type into any cell. The weights and outputs follow.',
    h('div', { class: 'controls' },
      tokenSelect('token A', e.a, (r) => { e.a = r; render(); }, 'exp-a'),
      tokenSelect('token B', e.b, (r) => { e.b = r; render(); }, 'exp-b'),
      h('button', { type: 'button', 'data-fkey': 'exp-identical', on: { click: () => expAction('identical') } },
        'identical Q and K'),
      h('button', { type: 'button', 'data-fkey': 'exp-zero', on: { click: () => expAction('zero') } },
        'zero a key'),
      h('button', { type: 'button', 'aria-pressed': String(!e.scale), 'data-fkey': 'exp-scale',
        on: { click: () => expAction('scale') } }, 'remove the scale'),
      h('button', { type: 'button', 'data-fkey': 'exp-reset',
        on: { click: () => { state.exp = initialExperiment(); render(); } } }, 'reset')),
    h('div', { class: 'exp-inputs' }, ['q', 'k', 'v'].map((role) =>
      h('div', { class: 'table-wrap' }, expTable(role)))),
    results);
};
