# The README's two commands: `make run` and `make test`. Everything installs from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run test lint typecheck bench docs clean graphviz chromium catalogues diagrams

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make run`: what the azwa command needs (pyproject's dependencies), nothing for tests.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

# `make test` and the other targets: the `dev` extra too (pytest, mypy, ruff, pm4py, ...).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	rm -f azwa-demo.db azwa-demo.db-wal azwa-demo.db-shm
	$(BIN)/azwa demo
	@echo "azwa is in $(BIN): run '. $(BIN)/activate' (or export PATH=\"$$PWD/$(BIN):\$$PATH\") to call it as azwa"

test: $(STAMP) lint typecheck graphviz chromium
	$(BIN)/python -m pytest -q -n auto

lint: $(STAMP)
	$(BIN)/ruff check workflow states tests
	$(BIN)/python -m pytest -q tests/test_layers.py

typecheck: $(STAMP)
	$(BIN)/mypy --strict workflow states

bench: $(STAMP)
	$(BIN)/python -m tests.bench.run --out docs/benchmarks.md

# docs/cli.md is the English reference (help reads in Dutch by default: AZWA_LANG=en here).
docs: $(STAMP)
	$(BIN)/azwa definition reference --force -o docs/reference.md
	AZWA_LANG=en $(BIN)/typer workflow.cli.main utils docs --name azwa --title "The azwa command" --output docs/cli.md

# Graphviz's `dot` renders `azwa diagram --format svg|png`: Debian's package, installed only
# where `dot` is missing and apt is there; never fails the build (the tests that need `dot`
# say so and skip without it).
graphviz:
	@command -v dot >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
		apt-get install -y -q graphviz >/dev/null 2>&1 || \
		(apt-get update -q >/dev/null 2>&1 && apt-get install -y -q graphviz >/dev/null 2>&1) || \
		echo "graphviz: could not install dot; SVG and PNG diagrams will not render"

# Debian's Chromium drives the browser tests of the pages (tests/pages; Playwright's own
# browser download is not used): installed only where it is missing and apt is there; never
# fails the build (the browser tests say so and skip without it).
chromium:
	@command -v chromium >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
		apt-get install -y -q chromium >/dev/null 2>&1 || \
		(apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) || \
		echo "chromium: could not install it; the browser tests of the pages will skip"

# The translations: workflow/locale/<lang>/LC_MESSAGES/azwa.po compiled to the .mo the
# package reads (checked in; tests/i18n fails when it is older than its .po).
catalogues: $(STAMP)
	$(BIN)/pybabel compile --domain azwa --directory workflow/locale --statistics

# The checked-in diagrams of every registered definition (docs/diagrams.md).
diagrams: $(STAMP) graphviz
	$(BIN)/python -c "from workflow.cli.diagram import write_docs; write_docs()"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis azwa-demo.db*
