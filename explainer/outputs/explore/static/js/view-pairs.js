// All pairs: every row of weights at once, as the video's heat map.
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
