// The explorer: every view of one worked example, drawn from the data inlined in the page.
// Plain JavaScript, no network. At the default settings every number shown is the ledger's
// text (data.shown, by source); what a moved setting recomputes is formatted here, with the
// same rules as attention/rounding.py (checked against numpy by tests/test_explorer_browser.py).
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('explorer-data').textContent);
  const N = data.tokens.length;
  const D = data.story.q[0].length;
  const DECIMALS = 2;
  const WIDE = 8; // vectors longer than this are drawn as colour strips, not as numbers

  // ---------------------------------------------------------------- math
  function dot(a, b) {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  function softmax(row, temperature) {
    const t = temperature === undefined ? 1 : temperature;
    const z = row.map((x) => x / t);
    const finite = z.filter((x) => x !== -Infinity);
    const top = finite.length ? Math.max.apply(null, finite) : 0;
    const e = z.map((x) => (x === -Infinity ? 0 : Math.exp(x - top)));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / total);
  }

  // softmax(q k^T / sqrt(d) / T, masked) v: the whole single-head computation
  function attend(Q, K, V, options) {
    const opts = Object.assign({ scale: true, causal: false, temperature: 1 }, options);
    const root = opts.scale ? Math.sqrt(Q[0].length) : 1;
    const scores = Q.map((q) => K.map((k) => dot(q, k)));
    const scaled = scores.map((row) => row.map((s) => s / root));
    const masked = scaled.map((row, i) => row.map((s, j) => (!opts.causal || j <= i ? s : -Infinity)));
    const weights = masked.map((row) => softmax(row, opts.temperature));
    const outputs = weights.map((w) => V[0].map((_, c) => w.reduce((acc, wj, j) => acc + wj * V[j][c], 0)));
    return { scores: scores, scaled: scaled, weights: weights, outputs: outputs };
  }

  // x rounded to d places exactly as Python's format(x, '.{d}f'): the double's exact decimal
  // expansion, ties to even
  function roundDecimal(x, d) {
    const negative = x < 0;
    const parts = Math.abs(x).toFixed(100).split('.');
    const kept = BigInt(parts[0] + parts[1].slice(0, d));
    const rest = parts[1].slice(d);
    let up = rest[0] > '5';
    if (rest[0] === '5') up = /[1-9]/.test(rest.slice(1)) || kept % 2n === 1n;
    const digits = (kept + (up ? 1n : 0n)).toString().padStart(d + 1, '0');
    const text = d ? digits.slice(0, -d) + '.' + digits.slice(-d) : digits;
    return (negative ? '-' : '') + text;
  }

  // attention.rounding.format_number: snapped to 9 decimals first, never a negative zero
  function formatNumber(x, d) {
    let text = roundDecimal(Number(roundDecimal(x, 9)), d);
    if (text[0] === '-' && Number(text) === 0) text = text.slice(1);
    return text;
  }

  // a row of weights as shown: each the nearest value, never nudged to add up
  function rowTexts(row) {
    return row.map((v) => formatNumber(v, DECIMALS));
  }

  // attention.rounding.parts_add_up: do the shown parts add up exactly to the shown total?
  function partsAddUp(texts, total) {
    const units = (t) => BigInt(t.replace('.', ''));
    return texts.reduce((acc, t) => acc + units(t), 0n) === units(total);
  }

  function argmax(row) {
    let best = 0;
    row.forEach((v, i) => { if (v > row[best]) best = i; });
    return best;
  }

  // ---------------------------------------------------------------- numbers and elements
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

  // ---------------------------------------------------------------- state
  const story = attend(data.story.q, data.story.k, data.story.v);
  const causal = attend(data.story.q, data.story.k, data.story.v, { causal: true });
  const state = {
    view: data.views[0].id,
    query: data.focus,
    key: topOther(story.weights[data.focus], data.focus),
    temperature: 1,
    mask: false,
    maskRow: 0,
    head: data.story.card, // the head the video follows
    exp: null,
    answers: {},
  };
  let playing = null;

  function topOther(row, self) {
    let best = -1;
    row.forEach((v, j) => { if (j !== self && (best < 0 || v > row[best])) best = j; });
    return best < 0 ? self : best;
  }

  function initialExperiment() {
    if (!data.experiment) return null;
    const idx = data.experiment.tokens;
    const pick = (m) => idx.map((i) => m[i].slice());
    const start = attend(pick(data.story.q), pick(data.story.k), pick(data.story.v));
    const a = Math.max(0, idx.indexOf(data.focus));
    return {
      q: pick(data.story.q), k: pick(data.story.k), v: pick(data.story.v),
      texts: { q: {}, k: {}, v: {} }, scale: true, edited: false, action: null,
      a: a, b: topOther(start.weights[a], a), start: start,
    };
  }
  state.exp = initialExperiment();

  function experimentResult() {
    const e = state.exp;
    if (!e) return null;
    return attend(e.q, e.k, e.v, { scale: e.scale });
  }

  function atDefaults(e) {
    return !e.edited && e.scale;
  }

  // ---------------------------------------------------------------- shared pieces
  function tokenRow(selected, pick, options) {
    const opts = Object.assign({ role: 'query', label: 'query word', prefix: 'tok' }, options);
    const row = h('div', { class: 'tokens ' + opts.role, role: 'group', 'aria-label': opts.label });
    data.tokens.forEach((token, i) => {
      const word = data.word_of[i];
      const special = word === null;
      const piece = data.roles[i] === 'piece';
      const own = /^\[[A-Z]+\]$/.test(token);
      const title = special ? (own ? 'the model\'s own token, not a word of the sentence'
        : 'punctuation: a token of its own') : (data.word_of.filter((w) => w === word).length > 1
        ? 'a piece of the word ' + data.words[word] : 'the word ' + data.words[word]);
      row.append(h('button', {
        type: 'button', class: 'tok' + (special ? ' special' : '') + (piece ? ' piece' : ''),
        'aria-pressed': String(i === selected), title: title, 'data-fkey': opts.prefix + '-' + i,
        on: { click: () => pick(i) },
      }, token));
    });
    return row;
  }

  function weightBars(row, number, tokens) {
    const list = h('div', { class: 'bars', role: 'list' });
    row.forEach((value, j) => {
      list.append(h('div', { class: 'bar-row', role: 'listitem' },
        h('span', { class: 'bar-label name', text: (tokens || data.tokens)[j] }),
        h('span', { class: 'bar-track' }, h('span', {
          class: 'bar-fill', style: 'width:' + (100 * Math.max(0, value)).toFixed(2) + '%',
        })),
        number(j)));
    });
    return list;
  }

  function paletteRGB(name) {
    const hex = getComputedStyle(document.documentElement).getPropertyValue('--' + name).trim();
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }
  const DIM = paletteRGB('grid');
  const VIOLET = paletteRGB('weight');
  const FLOOR = 0.12; // the tint of the lowest weight, as the video's heat maps

  // the video's heat-map colour (scenes/kit/heatmap.py): grid grey to violet at vmax
  function heat(value, vmax) {
    const t = vmax > 0 ? Math.min(1, Math.max(0, value / vmax)) : 1;
    const mix = FLOOR + (1 - FLOOR) * t;
    return { t: t, css: 'rgb(' + DIM.map((d, i) => Math.round(d + (VIOLET[i] - d) * mix)).join(', ') + ')' };
  }

  function matrixMax(value, n) {
    let top = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) top = Math.max(top, value(i, j));
    return top;
  }

  function weightMatrix(opts) {
    const tokens = opts.tokens || data.tokens;
    const vmax = matrixMax(opts.value, tokens.length);
    const table = h('table', { class: 'matrix' + (tokens.length > 8 ? ' many' : ''),
      'aria-label': opts.label || 'weights: rows are queries, columns keys' });
    const head = h('tr', {}, h('th', { class: 'corner', scope: 'col' },
      h('span', { class: 'q-label' }, 'query'), ' \\ ', h('span', { class: 'k-label' }, 'key')));
    tokens.forEach((token) => head.append(h('th', { scope: 'col', class: 'col-key name', text: token })));
    if (opts.rows) head.append(h('th', { scope: 'col', class: 'col-sum', text: 'Σ' }));
    table.append(h('thead', {}, head));
    const body = h('tbody');
    tokens.forEach((token, i) => {
      const rowHead = h('th', { scope: 'row' }, opts.onRow ? h('button', {
        type: 'button', class: 'row-key name', 'aria-pressed': String(i === opts.selected),
        'data-fkey': (opts.prefix || 'row') + '-' + i, on: { click: () => opts.onRow(i) },
        text: token,
      }) : h('span', { class: 'row-key name', text: token }));
      const tr = h('tr', { class: i === opts.selected ? 'selected' : '' }, rowHead);
      tokens.forEach((_, j) => {
        const blocked = opts.blocked && opts.blocked(i, j);
        const colour = heat(opts.value(i, j), vmax);
        tr.append(h('td', {
          class: blocked ? 'blocked' : (colour.t > 0.6 ? 'strong' : ''),
          style: blocked ? null : 'background:' + colour.css,
          on: opts.onRow ? { click: () => opts.onRow(i) } : null,
        }, blocked ? h('span', { class: 'sr', text: 'hidden' }) : opts.number(i, j)));
      });
      if (opts.rows) tr.append(h('td', { class: 'sum-cell' }, opts.rows[i].sum()));
      body.append(tr);
    });
    table.append(body);
    const note = tokens.length > 8 ? h('p', { class: 'narrow-note note' },
      'On a narrow screen the cells show their colours only; the bars list a row\'s numbers.') : null;
    return h('div', { class: 'matrix-wrap' }, table, opts.rows ? roundedNote(opts.rows) : null, note);
  }

  function section(title, intro) {
    const children = Array.prototype.slice.call(arguments, 2);
    return h('section', { class: 'view' }, h('h2', { text: title }),
      intro ? h('p', { class: 'intro' }, intro) : null, children);
  }

  function caption() {
    return h('p', { class: 'caption' }, Array.prototype.slice.call(arguments));
  }

  // ---------------------------------------------------------------- views
  const views = {};

  // a trained model's tokens are not the sentence's words: say how they differ
  function tokensNote() {
    if (data.roles.every((role) => role === 'word')) return null;
    const pieces = data.roles.some((role) => role === 'piece');
    return h('p', { class: 'note' }, 'These are the tokens the model reads. Dashed ones are not ' +
      'words: the model\'s own [CLS] and [SEP], and punctuation.' +
      (pieces ? ' A word the model splits shows as pieces joined together.' : ''));
  }

  views.tokens = function () {
    const i = state.query;
    const row = story.weights[i];
    const shownAs = ledgerRow('weights', row, i);
    const top = topOther(row, -1);
    return section('Tokens', 'Pick a word (click it, or Tab to it and press Enter): the bars show ' +
      'where its attention goes. Its weights add up to one budget.',
      tokenRow(i, select), tokensNote(),
      weightBars(row, shownAs.num), sumLine(shownAs),
      caption(tokenName(i), ' looks most at ', tokenName(top), ' (',
        ledgerNum(named('weights', i, top), 'w'), ').'));
  };

  views.pairs = function () {
    const sharpness = story.weights.map((row) => Math.max.apply(null, row));
    const sharp = argmax(sharpness);
    const flat = sharpness.indexOf(Math.min.apply(null, sharpness));
    const sharpTop = argmax(story.weights[sharp]);
    const flatTop = argmax(story.weights[flat]);
    return section('All pairs', 'Every word\'s weights at once: each row is a query, each ' +
      'column a key. Click a row to make that word the query.',
      weightMatrix({
        value: (i, j) => story.weights[i][j], selected: state.query, onRow: select,
        number: (i, j) => ledgerNum(named('weights', i, j), 'w'),
        rows: story.weights.map((row, i) => ledgerRow('weights', row, i)),
      }),
      caption('Sharpest row: ', tokenName(sharp), ' gives ', tokenName(sharpTop), ' ',
        ledgerNum(named('weights', sharp, sharpTop), 'w'), '. Flattest: ', tokenName(flat),
        ', whose largest weight is ', ledgerNum(named('weights', flat, flatTop), 'w'), '.'));
  };

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

  function temperatureRow() {
    return softmax(story.scaled[state.query], state.temperature);
  }

  function isDefaultTemperature() {
    return Math.abs(state.temperature - 1) < 1e-12;
  }

  function temperatureResult(container) {
    const i = state.query;
    const row = temperatureRow();
    const plain = isDefaultTemperature();
    const shownAs = plain ? ledgerRow('weights', row, i) : shownRow(row, null, null);
    const number = shownAs.num;
    const top = argmax(row);
    const value = () => (plain ? ledgerNum('temperature(1)')
      : computedNum(formatNumber(state.temperature, DECIMALS)));
    let say = ['Above one, T flattens the row toward equal shares: '];
    if (plain) say = ['At T = ', value(), ' this is the row the video shows: '];
    else if (state.temperature < 1) say = ['Below one, T sharpens the row: '];
    container.replaceChildren(h('p', { class: 'tvalue' }, 'T = ', value()),
      weightBars(row, number), sumLine(shownAs), caption(say, tokenName(top), ' gets ', number(top), '.'));
  }

  views.temperature = function () {
    const [low, , high] = data.temperatures;
    const result = h('div', { class: 'result' });
    const slider = h('input', {
      type: 'range', min: String(low), max: String(high), step: '0.01', value: String(state.temperature),
      'aria-label': 'temperature', 'data-fkey': 'temperature', id: 'temperature-slider',
      on: { input: (event) => { state.temperature = Number(event.target.value); temperatureResult(result); } },
    });
    temperatureResult(result);
    return section('Temperature', 'Softmax divides the scores by a temperature T before it ' +
      'normalises them: drag (or use the arrow keys) to recompute the row live.',
      tokenRow(state.query, select),
      h('div', { class: 'slider' }, ledgerNum(source('temperature(' + low + ')')), slider,
        ledgerNum(source('temperature(' + high + ')'))),
      result);
  };

  // ---------------------------------------------------------------- experiment
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

  // ---------------------------------------------------------------- quiz
  views.quiz = function () {
    const list = h('ol', { class: 'quiz' });
    data.quiz.forEach((question) => {
      const chosen = state.answers[question.id];
      const options = question.options.map((option, k) => h('label', { class: 'option' },
        h('input', { type: 'radio', name: 'quiz-' + question.id, value: String(k),
          checked: chosen === k, 'data-fkey': 'quiz-' + question.id + '-' + k,
          on: { change: () => { state.answers[question.id] = k; render(); } } }),
        ' ', parts(option)));
      const feedback = chosen === undefined ? null : h('p', {
        class: 'feedback ' + (chosen === question.answer ? 'right' : 'wrong'),
      }, chosen === question.answer ? 'Right. ' : 'Not quite. ', parts(question.why));
      list.append(h('li', {}, h('fieldset', {}, h('legend', {}, parts(question.prompt)),
        options, feedback)));
    });
    return section('Quiz', 'Every answer is computed from this sentence\'s numbers.', list);
  };

  // ---------------------------------------------------------------- frame
  function select(i) {
    state.query = i;
    render();
  }

  function render() {
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.fkey : null;
    const panel = document.getElementById('panel');
    panel.replaceChildren(views[state.view]());
    panel.setAttribute('aria-labelledby', 'tab-' + state.view);
    document.querySelectorAll('#tabs [role=tab]').forEach((tab) => {
      const on = tab.dataset.view === state.view;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
    });
    document.body.dataset.view = state.view;
    if (focused) {
      const again = panel.querySelector('[data-fkey="' + focused + '"]');
      if (again) again.focus();
    }
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
})();
