# Two commands for a fresh clone: `make run` starts the app, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

run: $(VENV)/.app-installed
	$(BIN)/streamlit run app.py

test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff format --check . && $(BIN)/ruff check .

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/bench_store.py
	$(BIN)/python bench/bench_team_page.py
	$(BIN)/python bench/bench_judging.py
	$(BIN)/python bench/bench_import.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.app-installed

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
