# The README's two commands: `make run` and `make test`. Everything installs from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run test lint typecheck bench docs clean

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

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check workflow states tests
	$(BIN)/python -m pytest -q tests/test_layers.py

typecheck: $(STAMP)
	$(BIN)/mypy --strict workflow states

bench: $(STAMP)
	$(BIN)/python -m tests.bench.run --out docs/benchmarks.md

docs: $(STAMP)
	$(BIN)/azwa definition reference -o docs/reference.md
	$(BIN)/typer workflow.cli.main utils docs --name azwa --title "The azwa command" --output docs/cli.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis azwa-demo.db*
