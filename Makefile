# Two commands on a fresh machine with only Python 3.11:
#   make run        install what is needed (into .venv) and run the whole pipeline on the default trial
#   make test       install what is needed, check formatting and types (make lint), run every test
#                   (unit, doctests and the end-to-end Snakemake runs), in parallel: what CI runs
# and, for a developer's own loop:
#   make test-fast  the unit tests and doctests only (no Snakemake run, no lint), in parallel
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.hiplbp-installed
DEV    := $(VENV)/.hiplbp-dev-installed
CORES  ?= all
ARGS   ?=
# pytest-xdist workers: one per core; tests that share the default run's fixture stay on one
# worker (--dist loadgroup, see tests/conftest.py), so it is made once.
JOBS   ?= auto
PYTEST := $(BIN)/python -m pytest -n $(JOBS) --dist loadgroup
# -qq: pip's warnings about this machine's own index settings are not ours to show; errors still are.
PIP    := $(BIN)/python -m pip install -qq --disable-pip-version-check

.PHONY: run test test-fast lint install install-dev clean rulegraph

install: $(STAMP)
install-dev: $(DEV)

# Reinstall whenever the pins change; the lock file constrains every transitive dependency.
$(STAMP): requirements.txt requirements-lock.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "hiplbp needs Python 3.11, got " + sys.version'
	@echo "hiplbp: creating the virtual environment $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@echo "hiplbp: installing the pinned packages (1/3: numpy, scipy, pandas)"
	@$(PIP) -c requirements-lock.txt numpy scipy pandas
	@echo "hiplbp: installing the pinned packages (2/3: statsmodels, pingouin, pandera, matplotlib)"
	@$(PIP) -c requirements-lock.txt statsmodels pingouin pandera matplotlib seaborn
	@echo "hiplbp: installing the pinned packages (3/3: Snakemake, papermill, nbconvert and the rest)"
	@$(PIP) -r requirements.txt -c requirements-lock.txt
	@echo "hiplbp: installing hiplbp itself (editable)"
	@$(PIP) --no-deps -e .
	@touch $@

$(DEV): $(STAMP) requirements-dev.txt
	@echo "hiplbp: installing the pinned test and lint tools of requirements-dev.txt"
	@$(PIP) -r requirements-dev.txt -c requirements-lock.txt
	@touch $@

# python -m hiplbp.run.runner is snakemake that recovers from a killed run by itself (a stale lock is
# removed only when no Snakemake is alive here; --rerun-incomplete) and ends a failed run with its
# one-line error. ARGS passes more Snakemake arguments, e.g. ARGS="--configfile my.yaml".
run: $(STAMP)
	@echo "hiplbp: running the pipeline (snakemake --cores $(CORES) $(ARGS)); outputs in results/<name>/, the last line names the report"
	$(BIN)/python -m hiplbp.run.runner --cores $(CORES) $(ARGS)

lint: $(DEV)
	@echo "hiplbp: lint (snakefmt, ruff, mypy, snakemake --lint)"
	$(BIN)/snakefmt --check --compact-diff Snakefile workflow/rules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/snakemake --lint

test: lint
	@echo "hiplbp: test suite (unit tests, doctests and end-to-end Snakemake runs, $(JOBS) workers)"
	$(PYTEST)

test-fast: $(DEV)
	@echo "hiplbp: fast tier (unit tests and doctests, no Snakemake run, $(JOBS) workers)"
	$(PYTEST) -m "not e2e and not scale"

rulegraph: $(STAMP)
	$(BIN)/snakemake --rulegraph mermaid-js

clean:
	rm -rf results .snakemake
