// The ledger's numbers and the page's elements: sources, the shown texts, rows of weights
// with their sums, and h(), which builds an element.
function source(name) {
  const index = Array.prototype.slice.call(arguments, 1);
  return index.length ? name + '[' + index.join(', ') + ']' : name;
}

// the ledger's source of the story head's ``kind`` (weights, q, k, v, outputs, logits,
// scores, causal) at ``index``: weights[2, 1] for the designed model, attention[0, 0, 2, 1]
// for a trained one; null where the ledger has no such number for this model
function named(kind) {
  const name = data.names[kind];
  if (!name) return null;
  return source.apply(null, [name.source].concat(name.index, Array.prototype.slice.call(arguments, 1)));
}

function shown(src) {
  if (!Object.prototype.hasOwnProperty.call(data.shown, src)) {
    console.error('explorer: the ledger has no number for ' + src);
    return '?';
  }
  return data.shown[src];
}

function h(tag, attrs) {
  const el = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([name, value]) => {
    if (value === null || value === undefined || value === false) return;
    if (name === 'on') Object.entries(value).forEach(([ev, fn]) => el.addEventListener(ev, fn));
    else if (name === 'text') el.textContent = value;
    else el.setAttribute(name, value === true ? '' : value);
  });
  Array.prototype.slice.call(arguments, 2).flat(Infinity).forEach((child) => {
    if (child === null || child === undefined || child === false) return;
    el.append(child.nodeType ? child : document.createTextNode(String(child)));
  });
  return el;
}

// a number of the ledger, shown as recorded
function ledgerNum(src, role) {
  return h('span', { class: 'num ' + (role || ''), 'data-source': src, text: shown(src) });
}

// a number this page computed for a moved setting
function computedNum(text, role) {
  return h('span', { class: 'num computed ' + (role || ''), text: text });
}

// One shown row of weights: its texts (the ledger's, by source, or the page's own for a
// moved setting), its exact sum Σ (the ledger's sum(...) or the page's), and whether the
// rounded parts add up to Σ; where they do not, the view says the parts are rounded.
function shownRow(row, part, total) {
  const texts = part ? row.map((_, j) => shown(part(j))) : rowTexts(row);
  const sumText = total ? shown(total) : formatNumber(row.reduce((a, b) => a + b, 0), DECIMALS);
  return {
    texts: texts,
    num: (j) => (part ? ledgerNum(part(j), 'w') : computedNum(texts[j], 'w')),
    sum: () => (total ? ledgerNum(total, 'w') : computedNum(sumText, 'w')),
    addsUp: partsAddUp(texts, sumText),
  };
}

// the story head's row i of ``kind`` (weights, causal) as the ledger shows it
function ledgerRow(kind, row, i) {
  return shownRow(row, (j) => named(kind, i, j), 'sum(' + named(kind, i) + ')');
}

const ROUNDED = 'each weight rounded';

// "Σ = 1.00" under a row's bars, and "each weight rounded" where the parts do not add up
function sumLine(r) {
  return h('p', { class: 'sum' }, 'Σ = ', r.sum(),
    r.addsUp ? null : h('span', { class: 'rounded note', text: ' · ' + ROUNDED }));
}

// under a matrix with a Σ column, when some row's rounded weights do not add up to it
function roundedNote(rows) {
  if (rows.every((r) => r.addsUp)) return null;
  return h('p', { class: 'note rounded' }, 'Σ is the exact sum of a row. Each weight is ' +
    'rounded on its own, so a row\'s shown weights may add up to a little more or less.');
}

function tokenName(i, tokens) {
  return h('span', { class: 'name tok-ref', text: (tokens || data.tokens)[i] });
}

// text made of parts: strings, {num: source, role}, {token: i}
function parts(list) {
  return list.map((part) => {
    if (typeof part === 'string') return part;
    if ('num' in part) return ledgerNum(part.num, part.role);
    if ('name' in part) return h('span', { class: 'name', text: part.name });
    return tokenName(part.token);
  });
}

function features() {
  if (data.model.features.length === D) return data.model.features;
  return Array.from({ length: D }, (_, c) => 'abcdefgh'[c] || '');
}
