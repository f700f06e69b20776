// The panel: the chosen view drawn into it, the tabs marked, and the control that had the
// focus given it back (both frames, frame.js and frame-decoder.js, call it).
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
    if (again && !again.disabled) again.focus();
  }
}
