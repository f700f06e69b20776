// Causal mask: each row's weights with the words after it hidden, stepped or played.
function maskStep(delta) {
  state.maskRow = Math.max(0, Math.min(N - 1, state.maskRow + delta));
  render();
}

function togglePlay() {
  if (playing) {
    clearInterval(playing);
    playing = null;
  } else {
    if (!state.mask) state.mask = true;
    if (state.maskRow === N - 1) state.maskRow = 0;
    playing = setInterval(() => {
      if (state.maskRow >= N - 1) { clearInterval(playing); playing = null; render(); return; }
      maskStep(1);
    }, 1100);
  }
  render();
}

// a masked weight: the ledger's text where it has causal rows (the designed model), else the
// page's own rounding of what it computed (a trained model's causal rows are not checked)
function maskNum(i, j) {
  return maskRow(i).num(j);
}

// row i as the mask view shows it: the story row, or its causal row (the ledger's where it
// has causal rows, the page's own otherwise)
function maskRow(i) {
  if (!state.mask) return ledgerRow('weights', story.weights[i], i);
  if (data.names.causal) return ledgerRow('causal', causal.weights[i], i);
  return shownRow(causal.weights[i], null, null);
}

views.mask = function () {
  const r = state.maskRow;
  const weights = state.mask ? causal.weights : story.weights;
  const seen = data.tokens.slice(0, r + 1);
  const controls = h('div', { class: 'controls' },
    h('button', { type: 'button', 'aria-pressed': String(state.mask), 'data-fkey': 'mask-toggle',
      on: { click: () => { state.mask = !state.mask; render(); } } },
    'causal mask: ' + (state.mask ? 'on' : 'off')),
    h('button', { type: 'button', 'data-fkey': 'mask-prev', on: { click: () => maskStep(-1) } }, '◀ row'),
    h('button', { type: 'button', 'data-fkey': 'mask-next', on: { click: () => maskStep(1) } }, 'row ▶'),
    h('button', { type: 'button', 'data-fkey': 'mask-play', on: { click: togglePlay } },
      playing ? 'pause' : 'play'));
  const compare = weightBars(weights[r], (j) => (j <= r || !state.mask
    ? h('span', { class: 'pair' }, maskNum(r, j), state.mask
      ? h('span', { class: 'was' }, ' was ', ledgerNum(named('weights', r, j), 'w')) : null)
    : h('span', { class: 'num-blocked', text: 'hidden' })));
  const sum = [': its weights renormalise to add up to one over them alone.'];
  const encoder = data.model.kind !== 'designed' ? h('p', { class: 'note' }, 'This model reads ' +
    'in both directions and was trained without a mask: with it on, you see what a decoder\'s ' +
    'mask would do to this head\'s own scores.') : null;
  return section('Causal mask', 'A model that writes text may not look ahead: with the mask ' +
    'on, each word sees only itself and the words before it, and its weights renormalise ' +
    'over those. Step through the rows.',
    encoder, controls,
    weightMatrix({
      value: (i, j) => weights[i][j], selected: r, prefix: 'mrow',
      onRow: (i) => { state.maskRow = i; render(); },
      blocked: state.mask ? (i, j) => j > i : null,
      number: maskNum,
      rows: data.tokens.map((_, i) => maskRow(i)),
    }),
    h('h3', {}, 'row ', tokenName(r)),
    compare, sumLine(maskRow(r)),
    caption(state.mask
      ? [tokenName(r), ' may see ', seen.join(', '), sum]
      : ['Without the mask, ', tokenName(r), ' sees every word. Turn the mask on to hide the ' +
        'words after it.']));
};
