// The frame: tabs and keys, the chosen view (panel.js draws it), the check of the page's arithmetic
// against the ledger, window.explorer for the tests, and the start.
function select(i) {
  state.query = i;
  render();
}

function show(view, focusTab) {
  if (!views[view]) return;
  if (view !== 'mask' && playing) { clearInterval(playing); playing = null; }
  state.view = view;
  if (location.hash !== '#' + view) history.replaceState(null, '', '#' + view);
  render();
  if (focusTab) document.getElementById('tab-' + view).focus();
}

function step(delta, focusTab) {
  const ids = data.views.map((v) => v.id);
  show(ids[(ids.indexOf(state.view) + delta + ids.length) % ids.length], focusTab);
}

function buildFrame() {
  document.getElementById('heading').replaceChildren('Explore: ',
    h('span', { class: 'sentence', text: data.sentence }));
  document.getElementById('model').replaceChildren(...parts(data.model.line),
    ' The numbers are the video\'s, for the same sentence and model',
    ...(data.model.layers > 1 ? [', in ', h('span', { class: 'name', text: data.story.name }),
      ', the head the video follows.'] : ['.']));
  const tabs = document.getElementById('tabs');
  data.views.forEach((view) => tabs.append(h('button', {
    type: 'button', role: 'tab', id: 'tab-' + view.id, 'data-view': view.id,
    'aria-controls': 'panel', on: { click: () => show(view.id) },
  }, view.title)));
  tabs.addEventListener('keydown', (event) => {
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (event.key in moves) { event.preventDefault(); step(moves[event.key], true); }
    if (event.key === 'Home') { event.preventDefault(); show(data.views[0].id, true); }
    if (event.key === 'End') { event.preventDefault(); show(data.views[data.views.length - 1].id, true); }
  });
  document.addEventListener('keydown', (event) => {
    const target = event.target;
    // [ and ] are characters in a cell being typed into, not view changes
    const typing = target && (target.tagName === 'SELECT' ||
      (target.tagName === 'INPUT' && target.type === 'text'));
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === ']') { event.preventDefault(); step(1); }
    if (event.key === '[') { event.preventDefault(); step(-1); }
  });
  window.addEventListener('hashchange', () => show(location.hash.slice(1)));
}

// The page shows the ledger's texts; its own arithmetic must agree with them, or the
// numbers it recomputes would drift from the ones it was given. A mismatch is an error.
function checkAgainstLedger() {
  const rows = [['weights', story.weights], ['causal', causal.weights]];
  const agree = (src, text) => {
    if (shown(src) !== text) {
      console.error('explorer: ' + src + ' computes as ' + text + ' but the ledger shows ' + shown(src));
    }
  };
  rows.forEach(([kind, matrix]) => data.names[kind] && matrix.forEach((row, i) => {
    const own = shownRow(row, null, null);
    own.texts.forEach((text, j) => agree(named(kind, i, j), text));
    agree('sum(' + named(kind, i) + ')', formatNumber(row.reduce((a, b) => a + b, 0), DECIMALS));
  }));
}

// what the tests read: the numbers each live view computed for its current settings
function snapshot() {
  const e = state.exp;
  const exp = experimentResult();
  return {
    view: state.view,
    query: state.query,
    temperature: state.temperature,
    temperatureWeights: temperatureRow(),
    mask: state.mask,
    maskWeights: attend(data.story.q, data.story.k, data.story.v, { causal: state.mask }).weights,
    experiment: e && { q: e.q, k: e.k, v: e.v, scale: e.scale, weights: exp.weights, outputs: exp.outputs },
  };
}

window.explorer = {
  math: { attend: attend, softmax: softmax, rowTexts: rowTexts, formatNumber: formatNumber,
    partsAddUp: partsAddUp },
  snapshot: snapshot,
  show: show,
};

buildFrame();
checkAgainstLedger();
const start = location.hash.slice(1);
show(views[start] ? start : data.views[0].id);
