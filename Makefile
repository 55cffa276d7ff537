# The course in two commands:  make lab   (set up and open JupyterLab)   make test   (set up and run every test)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The venv is rebuilt only when the pins change: the stamp's name carries a hash of pyproject.toml.
PINS_HASH := $(shell $(PYTHON) -c "import hashlib;print(hashlib.sha256(open('pyproject.toml','rb').read()).hexdigest()[:12])")
STAMP := $(VENV)/.installed-$(PINS_HASH)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

.PHONY: setup lab test test-fast lint unit notebooks browser browser-deps html bench clean help

help:
	@echo "make lab        set up .venv (first time ~2-4 min) and open the course in JupyterLab"
	@echo "make test       set up, then lint, unit tests, solutions, every notebook, the browser test"
	@echo "make test-fast  lint + unit + solution tests (no notebooks, no browser)"
	@echo "make html       executed static HTML copy of the course in build/html"
	@echo "make bench      speed of the 1D solvers against iDEA"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; v=sys.version_info[:2]; sys.exit(0 if v==(3,11) else 'The course needs Python 3.11 (found %d.%d). Install it, or run: make PYTHON=python3.11 ...' % v)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)
	@echo "Environment ready in $(VENV)."

lab: setup
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_welcome.ipynb

lint: setup
	$(BIN)/ruff check course_utils tests scripts notebooks

unit: setup
	$(BIN)/python -m pytest -q -m "not browser" --ignore=tests/test_notebooks_harness.py tests

test-fast: lint unit

notebooks: setup
	$(BIN)/python -m pytest -q --nbval-lax --nbval-cell-timeout=300 -p no:cacheprovider $(NOTEBOOKS)

browser-deps:
	@bash scripts/ensure_chromium.sh

browser: setup browser-deps
	$(BIN)/python -m pytest -q -m browser -rs tests/test_browser.py

# One pytest session for everything, so its closing line counts every test.
test: setup browser-deps
	$(BIN)/ruff check course_utils tests scripts notebooks
	$(BIN)/python -m pytest -q -rs --durations=15 --nbval-lax --nbval-cell-timeout=300 tests $(NOTEBOOKS)

html: setup
	$(BIN)/python scripts/build_html.py

bench: setup
	$(BIN)/python scripts/bench_onedim.py

clean:
	rm -rf build .pytest_cache
