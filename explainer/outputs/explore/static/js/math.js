// The explorer: every view of one worked example, drawn from the data inlined in the page.
// Plain JavaScript, no network. At the default settings every number shown is the ledger's
// text (data.shown, by source); what a moved setting recomputes is formatted here, with the
// same rules as attention/rounding.py (checked against numpy by tests/test_explorer_browser.py).
//
// The page joins js/*.js, in the order page.py's SCRIPT_FILES lists them, inside one function:
// they share its scope, and only window.explorer (frame.js) reaches the window.
//
// This file: the page's data, and the arithmetic of one head (attend, softmax, rounding).
const data = JSON.parse(document.getElementById('explorer-data').textContent);
const N = data.tokens.length;
const D = data.story ? data.story.q[0].length : 0; // none on a decoder's page
const DECIMALS = 2;
const WIDE = 8; // vectors longer than this are drawn as colour strips, not as numbers

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
