// The frame of a decoder's page: its view (Next word), the tabs and keys, window.explorer
// for the tests, and the start. (frame.js is the encoders' and the designed model's.)
const state = { view: data.views[0].id };

function show(view) {
  if (!views[view]) return;
  state.view = view;
  if (location.hash !== '#' + view) history.replaceState(null, '', '#' + view);
  render();
}

function buildFrame() {
  document.getElementById('heading').replaceChildren('Explore: ',
    h('span', { class: 'sentence', text: data.sentence }));
  document.getElementById('model').replaceChildren(...parts(data.model.line),
    ' The numbers are the video\'s, for the same prompt and model. The model ran when this ' +
    'page was made; the page runs no model.');
  document.querySelector('footer.keys').replaceChildren(h('kbd', {}, 'Tab'),
    ' moves between controls · ', h('kbd', {}, 'Enter'), ' or ', h('kbd', {}, 'Space'), ' picks · ',
    h('kbd', {}, '['), ' ', h('kbd', {}, ']'), ' step back and on');
  const tabs = document.getElementById('tabs');
  data.views.forEach((view) => tabs.append(h('button', {
    type: 'button', role: 'tab', id: 'tab-' + view.id, 'data-view': view.id,
    'aria-controls': 'panel', on: { click: () => show(view.id) },
  }, view.title)));
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === ']') { event.preventDefault(); stepTo(nextState.step + 1); }
    if (event.key === '[') { event.preventDefault(); stepTo(nextState.step - 1); }
  });
  window.addEventListener('hashchange', () => show(location.hash.slice(1)));
}

// what the tests read: the step, the head, and the texts the view shows
function snapshot() {
  const panel = document.getElementById('panel');
  const texts = (selector) => Array.from(panel.querySelectorAll(selector)).map((e) => e.textContent);
  return {
    view: state.view,
    step: nextState.step,
    head: nextState.head,
    tokens: texts('.next-tokens .tok:not(.slot)'),
    top: texts('.top-bars .num'),
    row: texts('.bars:not(.top-bars) .num'),
  };
}

window.explorer = {
  math: { softmax: softmax, rowTexts: rowTexts, formatNumber: formatNumber, partsAddUp: partsAddUp },
  snapshot: snapshot,
  show: show,
  step: stepTo,
};

buildFrame();
const start = location.hash.slice(1);
show(views[start] ? start : data.views[0].id);
