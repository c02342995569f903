# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint fuzz bench bench-gdelt clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "timeline needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	rm -f timeline.db timeline.db-wal timeline.db-shm
	$(BIN)/timeline load
	$(BIN)/timeline events
	$(BIN)/timeline export --format html -o timeline.html
	@echo "Open the timeline in a browser: file://$(CURDIR)/timeline.html"

# mypy's cache outside the checkout: a fresh clone checks in 0.5 s, not 13 s (the cache
# holds the dependencies' types; mypy re-checks every file whose content changed).
MYPY_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/timeline/mypy

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --cache-dir "$(MYPY_CACHE_DIR)"

# Two workers (pytest-xdist), each taking whole files: a module's fixtures (the wheel
# and its virtual environment, the 4000-event plans database) are built once.
test: lint
	$(BIN)/pytest -n 2 --dist loadfile

# The guarantees at length: 2000 Hypothesis examples a fuzz test, a writer killed at 20
# random moments in every case (make test tries 30 and 1, a new moment each run).
fuzz: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=fuzz TIMELINE_CRASH_MOMENTS=20 $(BIN)/pytest -n 2 tests/test_fuzz.py tests/test_crash_safety.py

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py --events 100000

bench-gdelt: $(VENV)/.installed-test
	$(BIN)/python benchmarks/gdelt.py --rows 100000

clean:
	rm -rf $(VENV) timeline.db timeline.db-wal timeline.db-shm timeline.html dist build
