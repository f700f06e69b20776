// The views, by id: view-*.js each add theirs to `views`, in the tabs' order.
//
// Tokens: one query word's row of weights as bars.
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
