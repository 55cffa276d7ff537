# The course in two commands:  make lab   (set up and open JupyterLab)   make test   (set up and run every test)
SHELL := /bin/bash

# The Python versions the course supports. Keep in step with requires-python in pyproject.toml
# (tests/test_environment_files.py checks that they agree).
SUPPORTED_PYTHONS := 3.11 3.12 3.13
# `make test` runs the full suite on this version and a smoke run on the others. The shipped data sets, trained
# models and measured figures (reports/notebooks.md, the README's timings) were produced on 3.11, so the full run
# checks them on the interpreter that made them and keeps the timings comparable from run to run; the conda and
# Binder environments use it too. Without a 3.11 the full run takes the interpreter picked below.
REFERENCE_PYTHON := 3.11

comma := ,
empty :=
space := $(empty) $(empty)
# "3.11, 3.12 or 3.13", for messages.
SUPPORTED_TEXT := $(subst $(space),$(comma)$(space),$(wordlist 2,$(words $(SUPPORTED_PYTHONS)),x $(SUPPORTED_PYTHONS))) or $(lastword $(SUPPORTED_PYTHONS))
version_of = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)

# The interpreter for make lab/setup/...: PYTHON=... when given, else the first of python3.13, python3.12,
# python3.11, python3 that runs and is a supported version (a student's newest Python).
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach p,python3.13 python3.12 python3.11 python3,\
            $(if $(filter $(SUPPORTED_PYTHONS),$(call version_of,$(p))),$(p))))
PYTHON_GIVEN :=
else
PYTHON_GIVEN := yes
endif
PY_VERSION := $(if $(PYTHON),$(call version_of,$(PYTHON)))
# One virtual environment per Python version, so make lab (newest Python) and make test (3.11) never rebuild
# each other's.
VENV ?= .venv-$(PY_VERSION)
BIN := $(VENV)/bin
# The venv is rebuilt only when the pins change: the stamp's name carries a hash of pyproject.toml.
PINS_HASH := $(shell $(or $(PYTHON),python3) -c "import hashlib;print(hashlib.sha256(open('pyproject.toml','rb').read()).hexdigest()[:12])" 2>/dev/null)
STAMP := $(VENV)/.installed-$(PY_VERSION)-$(PINS_HASH)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

# make test: the full suite on FULL_PYTHON (PYTHON when given, else 3.11 when found, else the interpreter picked
# above), a smoke run on each other supported version.
ifeq ($(origin FULL_PYTHON),undefined)
FULL_PYTHON := $(if $(PYTHON_GIVEN),$(PYTHON),$(or $(shell bash scripts/find_python.sh $(REFERENCE_PYTHON)),$(PYTHON)))
endif
FULL_VERSION := $(if $(FULL_PYTHON),$(call version_of,$(FULL_PYTHON)))
SMOKE_VERSIONS := $(filter-out $(FULL_VERSION),$(SUPPORTED_PYTHONS))
# The smoke run: the fast tests and two notebooks: the welcome, and the quickest one that uses TensorFlow, RDKit and
# GFN2-xTB together (notebook 08).
SMOKE_NOTEBOOKS := notebooks/00_welcome.ipynb notebooks/08_spectroscopy.ipynb
# Tests other than notebooks run on two workers (pytest-xdist): most of them use one core. Notebooks run one at a
# time, so that the run time and memory measured for each are those of a 2-core machine with nothing else running.
PARALLEL := -n 2
NOTEBOOK_OPTIONS := --nbval-lax --nbval-cell-timeout=300
# Part 2 of the full run, in this order: the browser pass over every notebook, then what reuses its executions.
BROWSER_TESTS := tests/test_browser.py $(wildcard tests/test_site.py)

SMOKE_TARGETS := $(addprefix smoke-,$(SUPPORTED_PYTHONS))

.PHONY: setup lab test full-test smoke $(SMOKE_TARGETS) test-fast lint unit notebooks browser browser-deps report html slides bench \
        clean help

help:
	@echo "make lab        set up .venv-X.Y for your newest supported Python (first time ~2-4 min) and open the course"
	@echo "make test       full suite on Python $(REFERENCE_PYTHON) (lint, unit, solutions, every notebook, browser)"
	@echo "                plus a smoke run on each of $(SMOKE_VERSIONS) (in .venv-X.Y)"
	@echo "make smoke-X.Y  the smoke run alone on Python X.Y (fast tests and two notebooks, in .venv-X.Y)"
	@echo "make test-fast  lint + unit + solution tests, about a minute (no notebooks, browser or slow tests)"
	@echo "make report     copy the notebook timings of the last make test (build/reports/) into reports/ and the"
	@echo "                notebooks' headers (the only target that changes tracked files)"
	@echo "make html       the course as a static site in build/html (landing page, executed notebooks, decks)"
	@echo "make slides     one reveal.js deck per talk in build/slides (opens offline)"
	@echo "make browser    every notebook in JupyterLab in headless Chromium (screenshots in build/browser)"
	@echo "make notebooks  every notebook executed by nbval (quicker, no browser)"
	@echo "make bench      speed of the 1D solvers against iDEA"
	@echo "Python: PYTHON=$(or $(PYTHON),none found) (version $(or $(PY_VERSION),?)); supported: $(SUPPORTED_PYTHONS)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	    echo "The course needs Python $(SUPPORTED_TEXT); none of python3.13, python3.12," \
	         "python3.11, python3 is one. Install one, or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; fi
	@v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || { \
	    echo "'$(PYTHON)' does not run. The course needs Python $(SUPPORTED_TEXT);" \
	         "run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; }; \
	case " $(SUPPORTED_PYTHONS) " in *" $$v "*) ;; *) \
	    echo "The course needs Python $(SUPPORTED_TEXT), found $$v at $(PYTHON)." \
	         "Install one, or run: make PYTHON=python3.12 ..." >&2; exit 1;; esac
	@if [ -x $(BIN)/python ] && [ "$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" != "$(PY_VERSION)" ]; then \
	    echo "$(VENV) was made with another Python; rebuilding it with $(PYTHON) ($(PY_VERSION))."; \
	    $(PYTHON) -m venv --clear $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)
	@echo "Environment ready in $(VENV) (Python $(PY_VERSION))."

lab: setup
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_welcome.ipynb

lint: setup
	$(BIN)/ruff check course_utils tests scripts notebooks

# The fast tests (about a minute): no notebooks, no browser, no test marked slow (retraining, long solves).
unit: setup
	$(BIN)/python -m pytest -q -m "not browser and not slow" --ignore=tests/test_notebooks_harness.py tests

test-fast: lint unit

notebooks: setup
	$(BIN)/python -m pytest -q $(NOTEBOOK_OPTIONS) -p no:cacheprovider $(NOTEBOOKS)

browser-deps:
	@bash scripts/ensure_chromium.sh

# Every notebook in JupyterLab in headless Chromium (run time, memory, widgets; executed copies in build/executed/).
browser: setup browser-deps
	$(BIN)/python -m pytest -q -rs -p no:cacheprovider tests/test_browser.py

# The smoke runs come first and the full run last, so the closing line is the full run's count (each smoke run ends
# with its own pytest summary). A failed smoke run does not stop the full run, but make test then exits non-zero.
test:
	@failed=""; \
	for v in $(SMOKE_VERSIONS); do $(MAKE) --no-print-directory smoke-$$v || failed="$$failed $$v"; done; \
	echo "=== full test suite on Python $(or $(FULL_VERSION),?) ($(FULL_PYTHON)) in .venv-$(FULL_VERSION)"; \
	$(MAKE) --no-print-directory full-test PYTHON=$(FULL_PYTHON) VENV=.venv-$(FULL_VERSION); status=$$?; \
	if [ -n "$$failed" ]; then echo "make test: FAILED: the smoke run failed on Python$$failed (see above)" >&2; \
	    exit 1; fi; \
	exit $$status

# Two pytest sessions: the tests on two workers, then every notebook, one at a time, in JupyterLab in headless
# Chromium (tests/test_browser.py), so that each notebook's run time and memory are measured with both cores free.
# That browser pass is the one execution of each notebook in the full run: it checks the outputs it saves to
# build/executed/, and the site test (tests/test_site.py, after it) builds the static site from those files.
full-test: setup browser-deps
	$(BIN)/ruff check course_utils tests scripts notebooks slides
	@status=0; \
	echo "=== full run, part 1 of 2: the tests, on two workers"; \
	$(BIN)/python -m pytest -q -rs --durations=20 $(PARALLEL) -m "not browser" tests || status=1; \
	echo "=== full run, part 2 of 2: every notebook in JupyterLab, one at a time (run time and memory measured), then the site"; \
	$(BIN)/python -m pytest -q -rs -p no:cacheprovider $(BROWSER_TESTS) || status=1; \
	if [ $$status -ne 0 ]; then echo "full run: FAILED (see the summaries of part 1 and part 2 above)" >&2; fi; \
	exit $$status

# Smoke run on Python X.Y in .venv-X.Y, with the interpreter found on this machine (scripts/find_python.sh).
# A missing interpreter is reported loudly and skipped; it is never a silent pass.
$(SMOKE_TARGETS): smoke-%:
	@py=$$(bash scripts/find_python.sh $*) || { \
	    echo "" >&2; \
	    echo "!!!!!!!! WARNING: Python $* not found on this machine (python$* on PATH, pyenv, /usr/bin, ...):" >&2; \
	    echo "!!!!!!!! WARNING: SMOKE RUN ON PYTHON $* SKIPPED -- this run does NOT show the course works on $*" >&2; \
	    echo "" >&2; exit 0; }; \
	echo "=== smoke run on Python $* ($$py) in .venv-$*"; \
	$(MAKE) --no-print-directory smoke PYTHON=$$py VENV=.venv-$*

# The notebooks' timing report (reports/notebooks.md) stays the full run's: the smoke run does not write it.
smoke: setup
	@status=0; \
	$(BIN)/python -m pytest -q -rs -p no:cacheprovider $(PARALLEL) -m "not slow and not browser" \
	    --ignore=tests/test_notebooks_harness.py tests || status=1; \
	$(BIN)/python -m pytest -q -rs -p no:cacheprovider $(NOTEBOOK_OPTIONS) --notebook-report= $(SMOKE_NOTEBOOKS) \
	    || status=1; \
	exit $$status

# make test writes its measured table to build/reports/notebooks.md (a test run never changes tracked files);
# this copies it to reports/notebooks.md and into every notebook's header.
report: setup
	$(BIN)/python scripts/update_report.py

html: setup
	$(BIN)/python scripts/build_html.py

# One reveal.js deck per talk in build/slides/ (opens from the file system, no network).
slides: setup
	$(BIN)/python scripts/build_slides.py

bench: setup
	$(BIN)/python scripts/bench_onedim.py

clean:
	rm -rf build .pytest_cache
