# The two quick-start commands: `make demo` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-check test test-main test-serial lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e '.[dev]'
	@# Compiled once here, on every core (pip would compile the packages one file at a time, and not Tandem's own
	@# code, an editable install): where the environment says PYTHONDONTWRITEBYTECODE, every process (each test
	@# worker, each `tandem` the tests start) would compile what it imports again. Python checks each file's .pyc
	@# against its source, so an edited file is never run from a stale one. A package's file that does not compile
	@# (test data in old syntax) is left as it is, as pip leaves it.
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib bot migrations tests > /dev/null || true
	touch $(STAMP)

install: $(STAMP)

DEMO_OUT := --record demo-out/calls.jsonl --report demo-out/report --transcript demo-out/transcript.txt

demo: $(STAMP)
	$(BIN)/tandem demo $(DEMO_OUT)

# Two processes (pytest-xdist, one test file each at a time), then the tests marked serial alone: one restarts
# PostgreSQL under a running worker, which the other process's tests must not meet. The second run collects only the
# files that mark a test serial (collecting all of them took longer than the tests); with none, it collects all.
SERIAL_FILES := $(shell grep -l "pytest.mark.serial" tests/test_*.py)
test: test-serial

test-main: $(STAMP)
	$(BIN)/ruff check bot tests migrations bench
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not serial"

test-serial: test-main
	$(BIN)/python -m pytest -m serial $(SERIAL_FILES)

# The demo as CI runs it, beside the tests (not inside pytest): it must end "demo: OK" (else `tandem demo` exits 1),
# and tests/check_demo.py checks what the demo does not check itself (its short output in demo.log, the KPIs counted
# by hand in the transcript, the report, the recorded calls). Its throw-away SQLite file goes to memory-backed
# /dev/shm where there is one (``bot.demo``). AFTER=test-main (CI: `make -j2 test demo-check AFTER=test-main`)
# starts it once the tests in two processes are done, beside the serial ones: those wait on PostgreSQL's restart,
# the demo runs on SQLite.
demo-check: $(STAMP) $(AFTER)
	rm -rf demo-out && mkdir -p demo-out
	$(BIN)/tandem demo $(DEMO_OUT) > demo-out/demo.log || { cat demo-out/demo.log; exit 1; }
	cat demo-out/demo.log
	$(BIN)/python -m tests.check_demo demo-out

lint: $(STAMP)
	$(BIN)/ruff check bot tests migrations bench
	$(BIN)/ruff format --check bot tests migrations bench

clean:
	rm -rf $(VENV) demo-out .pytest_cache .ruff_cache
