# Downhill: `make lab` opens the course, `make test` runs every test.
# Both create a local virtual environment in .venv on first use and reuse it afterwards.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: lab test bench screenshots html voila clean help

help:
	@echo "make lab          set up .venv and open the course in JupyterLab"
	@echo "make test         set up .venv with the test tools and run every test"
	@echo "make bench        print the speed ratios (backprop, training, figures, notebooks)"
	@echo "make clean        remove .venv"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes: a second `make lab` starts in seconds.
$(VENV)/.course: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.course

lab: $(VENV)/.course
	$(BIN)/jupyter lab --port $(PORT) notebooks/00_start_here.ipynb

test: $(VENV)/.test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV)
