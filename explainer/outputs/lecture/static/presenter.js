// The offline lecture presenter: one step per beat, keys, hash position, presenter view.
// Plain JavaScript, no network: every step is an <li class="step"> written by
// explainer/outputs/lecture/presenter.py, carrying its segment, still and speaker notes.
(function () {
  'use strict';

  const steps = Array.from(document.querySelectorAll('#steps .step'));
  const video = document.getElementById('video');
  const hint = document.getElementById('hint');
  const menu = document.getElementById('menu');
  const presenter = new URLSearchParams(location.search).get('view') === 'presenter';
  const state = { index: 0, muted: false, loop: false };
  const started = Date.now();
  let peer = presenter ? window.opener : null; // the window kept in step with this one

  document.body.classList.toggle('presenter', presenter);
  if (!steps.length) return;

  function byId(id) { return document.getElementById(id); }

  function indexOfHash() {
    const beat = decodeURIComponent(location.hash.slice(1));
    return steps.findIndex((step) => step.dataset.beat === beat);
  }

  function send(message) {
    if (peer && !peer.closed) peer.postMessage(Object.assign({ explainer: true }, message), '*');
  }

  function play() {
    hint.hidden = true;
    const playing = video.play();
    if (playing) playing.catch(function (error) {
      // a newer step replaced this one (AbortError), or the browser wants a click first
      if (error.name !== 'AbortError') hint.hidden = false;
    });
  }

  function setFlags() {
    video.muted = state.muted;
    video.loop = state.loop;
    byId('flag-muted').hidden = !state.muted;
    byId('flag-loop').hidden = !state.loop;
    document.body.dataset.muted = String(state.muted);
    document.body.dataset.loop = String(state.loop);
  }

  function show(index, options) {
    const opts = Object.assign({ play: true, announce: true }, options);
    index = Math.max(0, Math.min(steps.length - 1, index));
    const step = steps[index];
    steps.forEach(function (other, i) {
      other.classList.toggle('current', i === index);
      if (i === index) other.setAttribute('aria-current', 'step');
      else other.removeAttribute('aria-current');
    });
    state.index = index;
    document.body.dataset.beat = step.dataset.beat;
    byId('chapter-title').textContent = step.dataset.chapterTitle;
    byId('counter').textContent = (index + 1) + ' / ' + steps.length;
    byId('progress-fill').style.width = (100 * (index + 1) / steps.length) + '%';
    const hash = '#' + step.dataset.beat;
    if (location.hash !== hash) history.replaceState(null, '', hash);
    if (presenter) {
      const next = steps[index + 1];
      byId('now-still').src = step.dataset.poster;
      byId('next-still').src = next ? next.dataset.poster : step.dataset.poster;
      byId('next-caption').textContent = next ? 'next: ' + next.dataset.chapterTitle : 'the end';
    } else {
      video.poster = step.dataset.poster;
      video.src = step.dataset.src;
      video.currentTime = 0;
      setFlags();
      if (opts.play) play();
    }
    if (opts.announce) send({ type: 'step', index: index, muted: state.muted, loop: state.loop });
  }

  function replay() {
    video.currentTime = 0;
    play();
  }

  function toggleMenu(open) {
    menu.hidden = open === undefined ? !menu.hidden : !open;
  }

  function toggleFullscreen() {
    const done = document.fullscreenElement
      ? document.exitFullscreen()
      : document.documentElement.requestFullscreen();
    if (done) done.catch(function () { /* not allowed here (e.g. headless): ignore */ });
  }

  function openPresenter() {
    if (presenter) return;
    const url = location.href.split(/[?#]/)[0] + '?view=presenter' + location.hash;
    const opened = window.open(url, 'explainer-presenter', 'width=1200,height=760');
    if (opened) peer = opened;
  }

  // the explorer (explorer.html beside the video) at the view of the chapter on screen
  function openExplorer() {
    const target = steps[state.index].dataset.explore;
    if (!target) return;
    const opened = window.open(target, 'explainer-explorer');
    if (opened) opened.focus();
  }

  function toggleFlag(name) {
    state[name] = !state[name];
    setFlags();
    send({ type: 'step', index: state.index, muted: state.muted, loop: state.loop });
  }

  function chapterStart(number) {
    return steps.findIndex((step) => step.dataset.chapter === String(number));
  }

  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (!menu.hidden && /^[1-9]$/.test(key)) {
      const start = chapterStart(Number(key));
      if (start >= 0) { toggleMenu(false); show(start); }
      event.preventDefault();
      return;
    }
    const actions = {
      ArrowRight: () => show(state.index + 1),
      ' ': () => show(state.index + 1),
      PageDown: () => show(state.index + 1),
      ArrowLeft: () => show(state.index - 1),
      PageUp: () => show(state.index - 1),
      Home: () => show(0),
      End: () => show(steps.length - 1),
      r: () => (presenter ? send({ type: 'replay' }) : replay()),
      l: () => toggleFlag('loop'),
      n: () => toggleFlag('muted'),
      f: toggleFullscreen,
      g: () => toggleMenu(),
      p: openPresenter,
      e: openExplorer,
      Escape: () => toggleMenu(false),
    };
    const action = actions[key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  byId('stage').addEventListener('click', function () {
    if (hint.hidden) show(state.index + 1);
    else play();
  });
  byId('explore-button').addEventListener('click', function (event) {
    event.stopPropagation();
    openExplorer();
  });
  byId('menu-button').addEventListener('click', function (event) {
    event.stopPropagation();
    toggleMenu();
  });
  menu.addEventListener('click', function (event) {
    const link = event.target.closest('a[data-index]');
    if (!link) return;
    event.preventDefault();
    toggleMenu(false);
    show(Number(link.dataset.index));
  });

  window.addEventListener('hashchange', function () {
    const index = indexOfHash();
    if (index >= 0 && index !== state.index) show(index);
  });

  window.addEventListener('message', function (event) {
    const message = event.data;
    if (!message || message.explainer !== true) return;
    if (message.type === 'hello') {
      peer = event.source;
      send({ type: 'step', index: state.index, muted: state.muted, loop: state.loop });
    } else if (message.type === 'step') {
      state.muted = Boolean(message.muted);
      state.loop = Boolean(message.loop);
      if (message.index !== state.index) show(message.index, { announce: false });
      else setFlags();
    } else if (message.type === 'replay' && !presenter) {
      replay();
    }
  });

  if (presenter) {
    setInterval(function () {
      const seconds = Math.floor((Date.now() - started) / 1000);
      byId('clock').textContent = Math.floor(seconds / 60) + ':' + String(seconds % 60).padStart(2, '0');
    }, 1000);
  }

  const resumed = indexOfHash();
  show(resumed >= 0 ? resumed : 0, { play: false, announce: false });
  send({ type: 'hello' });
})();
