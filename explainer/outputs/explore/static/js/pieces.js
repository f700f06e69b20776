// The pieces the views share: token buttons, weight bars, the heat-map matrix, sections.
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
