# Downhill: `make lab` opens the course, `make test` runs every test.
# Both create a local virtual environment in .venv on first use and reuse it afterwards.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888
PROJECTOR_PORT ?= 8866

.PHONY: help lab test test-browser bench bench-browser bench-hub hub projector html screenshots exercises clean

help:
	@echo "make lab            set up .venv and open the course in JupyterLab"
	@echo "make test           set up .venv with the test tools and run every test"
	@echo "make test-browser   only the browser tests (needs /usr/bin/chromium)"
	@echo "make bench          print the speed ratios (maths, widget redraws, notebooks)"
	@echo "make bench-browser  key press → new plot, dragging, Run All against a floor, in a real browser"
	@echo "make bench-hub      a class of 1, 10, 20, 30 students dragging the slider on one JupyterHub, then one in a busy loop (root)"
	@echo "make hub            a JupyterHub with 3 students on http://127.0.0.1, as the tests use it"
	@echo "make projector      the explorers as a clean app without code (Voilà), for a classroom screen"
	@echo "make html           run the lessons and write a static, offline copy to site/"
	@echo "make screenshots    refresh docs/screenshots/ (needs /usr/bin/chromium)"
	@echo "make exercises      regenerate the student copies in notebooks/exercises/ from instructor/source/"
	@echo "make clean          remove .venv (and the tests' axe-core)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# After each install, `python -m downhill_nodelay` turns the course's server extension on in the
# venv: kernel websockets then send every message at once, so a dragged slider's picture keeps up
# (downhill_nodelay/__init__.py says why). A wheel install does that itself; an editable one cannot.
NODELAY := $(BIN)/python -m downhill_nodelay >/dev/null

# Reinstall only when pyproject.toml changes: a second `make lab` starts in seconds.
$(VENV)/.course: pyproject.toml downhill_nodelay/downhill_nodelay.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(NODELAY)
	touch $@

# The test tools include uv (it builds the tests' own environments in seconds, tools/envs.py);
# it installs them too, about ten times faster than pip. Then every module is compiled to
# bytecode (tools/envs.py's COMPILE, the one the tests' environments get), as pip does for a
# student's `make lab`: without it each kernel the tests and benchmarks start compiles IPython and
# matplotlib again (1.1 s on a machine that sets PYTHONDONTWRITEBYTECODE), which a student's
# kernel never does.
$(VENV)/.test: pyproject.toml downhill_nodelay/downhill_nodelay.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv>=0.8"
	$(BIN)/python -m uv pip install --quiet --python $(BIN)/python -e ".[test]"
	$(NODELAY)
	$(BIN)/python -c "import sys; sys.path.insert(0, 'tools'); import envs; exec(envs.COMPILE)"
	touch $@ $(VENV)/.course

# axe-core, the accessibility rules engine the browser tests inject (tests/browser/package.json,
# pinned by its lockfile). Without npm the accessibility tests say how to get it and skip.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests will be skipped (apt-get install npm)"; fi

$(VENV)/.projector: pyproject.toml downhill_nodelay/downhill_nodelay.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[projector]"
	$(NODELAY)
	touch $@ $(VENV)/.course

lab: $(VENV)/.course
	$(BIN)/jupyter lab --port $(PORT) $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_start_here.ipynb

test: $(VENV)/.test $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: $(VENV)/.test $(AXE)
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

bench: $(VENV)/.test
	$(BIN)/python bench/run.py

bench-browser: $(VENV)/.test
	$(BIN)/python bench/browser_latency.py
	$(BIN)/python bench/drag.py
	$(BIN)/python bench/run_all.py

bench-hub: $(VENV)/.test
	$(BIN)/python bench/hub_load.py --busy

hub: $(VENV)/.course
	$(BIN)/python tools/class_hub.py

projector: $(VENV)/.projector
	$(BIN)/python tools/projector.py --port $(PROJECTOR_PORT)

html: $(VENV)/.course
	$(BIN)/python tools/build_html.py

screenshots: $(VENV)/.test
	$(BIN)/python tools/screenshots.py

exercises: $(VENV)/.course
	$(BIN)/python tools/make_student_copies.py
	$(BIN)/python tools/clean_notebooks.py

clean:
	rm -rf $(VENV) tests/browser/node_modules
