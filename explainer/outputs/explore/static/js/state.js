// What the reader has chosen (view, query, key, temperature, mask, head, experiment,
// answers) and the story head's computed weights every view starts from.
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
