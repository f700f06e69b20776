// Heads: every head of the model as a thumbnail, and the picked head's weights.
function headCard(card, index) {
  const size = card.weights.length;
  const canvas = h('canvas', { width: size, height: size, class: 'thumb', 'aria-hidden': 'true' });
  const ctx = canvas.getContext('2d');
  const vmax = matrixMax((i, j) => card.weights[i][j], size);
  card.weights.forEach((row, i) => row.forEach((w, j) => {
    ctx.fillStyle = heat(w, vmax).css;
    ctx.fillRect(j, i, 1, 1);
  }));
  return h('button', {
    type: 'button', class: 'head', 'aria-pressed': String(index === state.head),
    'aria-label': headName(card) + ': ' + card.label,
    'data-fkey': 'head-' + index, on: { click: () => { state.head = index; render(); } },
  }, canvas, h('span', { class: 'head-label name', text: card.label }));
}

// a head as the screen and the voice name it, counted from 1: "layer 3 · head 2" ("head 2"
// for a model of one layer)
function headName(card) {
  const head = 'head ' + (card.head + 1);
  return data.model.layers > 1 ? 'layer ' + (card.layer + 1) + ' · ' + head : head;
}

views.heads = function () {
  const card = data.heads[state.head];
  const perLayer = data.model.heads;
  const grid = h('div', { class: 'head-grid' + (data.heads.length > 4 ? ' many' : ''),
    style: '--columns:' + perLayer, role: 'group', 'aria-label': 'every head' });
  data.heads.forEach((c, index) => grid.append(headCard(c, index)));
  const cellSource = (i, j) => source.apply(null, [card.source].concat(card.index, [i, j]));
  const cardRow = (i) => shownRow(card.weights[i], (j) => cellSource(i, j),
    'sum(' + source.apply(null, [card.source].concat(card.index, [i])) + ')');
  const focusRow = cardRow(state.query);
  const many = data.heads.length > perLayer;
  const trained = data.model.kind !== 'designed';
  const followed = data.heads[data.story.card];
  // head names hold digits: each is a name, never loose text
  const intro = ['Every head of the model on the same sentence: pick one.' +
    (many ? ' Each row is a layer, the first at the top.' : '') +
    (trained ? ' Each is named by the habit measured on this sentence: the token before or ' +
      'after, itself, [CLS] and [SEP] together, or punctuation, when that kind of token takes ' +
      'more than half of the head\'s weight (all its rows together); mixed when none does.' : '') +
    ' The other views follow ', h('span', { class: 'name', text: headName(followed) }),
    (trained ? ' (' + followed.label + ')' : '') + ', the head the video follows' +
    (state.head === data.story.card ? ', open here.' : '.')];
  return section('Heads', intro,
    grid,
    h('h3', {}, h('span', { class: 'name', text: headName(card) + ': ' }),
      h('span', { class: 'name', text: card.label })),
    tokenRow(state.query, select),
    weightBars(card.weights[state.query], focusRow.num), sumLine(focusRow),
    weightMatrix({
      value: (i, j) => card.weights[i][j], selected: state.query, onRow: select, prefix: 'hrow',
      number: (i, j) => ledgerNum(cellSource(i, j), 'w'), label: card.label + ' weights',
      rows: card.weights.map((_, i) => cardRow(i)),
    }));
};
