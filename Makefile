# Two commands on a fresh machine with only Python 3.11:
#   make run    install what is needed (into .venv) and run the whole pipeline on the embedded default
#   make test   install what is needed and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.hiplbp-installed
CORES  ?= all

.PHONY: run test install clean rulegraph

install: $(STAMP)

# Reinstall whenever the pins change; the lock file constrains every transitive dependency.
$(STAMP): requirements.txt requirements-lock.txt pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "hiplbp needs Python 3.11, got " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c requirements-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

test: $(STAMP)
	$(BIN)/python -m pytest

rulegraph: $(STAMP)
	$(BIN)/snakemake --rulegraph mermaid-js

clean:
	rm -rf results .snakemake
