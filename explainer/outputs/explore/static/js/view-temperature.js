// Temperature: one row's softmax recomputed live as the slider moves.
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
