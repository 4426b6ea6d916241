# The README's two commands: `make run` and `make test`. Everything installs from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/azwa demo --force

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
	$(BIN)/azwa definition reference --force -o docs/reference.md
	$(BIN)/typer workflow.cli.main utils docs --name azwa --title "The azwa command" --output docs/cli.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis azwa-demo.db*
