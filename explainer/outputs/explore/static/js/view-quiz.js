// Quiz: questions computed from this sentence's numbers, answered in place.
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
