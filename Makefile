# The two quick-start commands: `make demo` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tandem demo --record demo-out/calls.jsonl --report demo-out/report

# Two processes (pytest-xdist, one test file each at a time), then the tests marked serial alone: one restarts
# PostgreSQL under a running worker, which the other process's tests must not meet.
test: $(STAMP)
	$(BIN)/ruff check bot tests migrations bench
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not serial"
	$(BIN)/python -m pytest -m serial

lint: $(STAMP)
	$(BIN)/ruff check bot tests migrations bench
	$(BIN)/ruff format --check bot tests migrations bench

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache
