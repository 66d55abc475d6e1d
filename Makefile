# The series in commands. `make lab` to learn, `make test` to prove it works.
# Both create .venv on first use (or when requirements change) from requirements.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888

# Keep TensorFlow's start-up log lines out of notebook cells. The one place these are set for
# `make lab`, `make test` and `make run`; environment.yml repeats them for conda (a test checks).
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0

NBVAL_ARGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help setup lab test lint unit nbval browser-test run readme-figure student clean

help:
	@echo "make lab          - install into .venv if needed, then start JupyterLab on localhost"
	@echo "make test         - ruff, unit tests, every notebook run once in JupyterLab (browser-test),"
	@echo "                    its outputs compared as strict nbval does; stage times at the end"
	@echo "make unit         - the unit and notebook-hygiene tests only (fast)"
	@echo "make browser-test - every notebook run in JupyterLab in headless Chromium, outputs checked"
	@echo "make nbval        - strict nbval of every notebook (no browser needed)"
	@echo "make run          - re-execute every notebook top to bottom, in place"
	@echo "make readme-figure - redraw docs/digit_map.png, the README's picture"
	@echo "make student      - student copies (solutions and outputs removed) in student/"
	@echo "make clean        - remove generated files (models, figures, student copies)"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Jupyter refuses to run as root (containers, CI) unless told to; ordinary users never need it.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=notebooks $(ALLOW_ROOT)

lint: $(STAMP)
	$(BIN)/ruff check .

# tests/browser needs Chromium and takes minutes: it has its own target.
unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser

nbval: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL_ARGS) notebooks

# Skipped with a message where `chromium` is not installed, unless REQUIRE_BROWSER_TEST=1 (CI).
browser-test: $(STAMP)
	$(BIN)/python -m pytest -rs --durations=20 --durations-min=1 tests/browser

# `make test` runs its stages through tools/test_stages.py, which prints each stage's time at the
# end; the unit tests run in the background beside the browser test. Each notebook is executed
# once, in JupyterLab (browser-test), whose outputs are compared with the committed ones by nbval's
# own code, as `make nbval` compares them; only where Chromium is missing (and
# REQUIRE_BROWSER_TEST is not 1) does `make test` run nbval itself (the browser test then skips).
SUBMAKE      := $(MAKE) --no-print-directory
HAVE_BROWSER := $(or $(shell command -v chromium),$(filter 1,$(REQUIRE_BROWSER_TEST)))
TEST_STAGES  := "lint=$(SUBMAKE) lint" "unit&=$(SUBMAKE) unit" \
	$(if $(HAVE_BROWSER),,"nbval=$(SUBMAKE) nbval") "browser-test=$(SUBMAKE) browser-test"

test: $(STAMP)
	@$(BIN)/python tools/test_stages.py $(TEST_STAGES)

# Executes with nbclient, saves outputs and drops metadata.widgets; prints each notebook's time.
run: $(STAMP)
	$(BIN)/python tools/time_notebooks.py --write

readme-figure: $(STAMP)
	$(BIN)/python tools/make_readme_figure.py

student: $(STAMP)
	$(BIN)/python tools/make_student_copies.py notebooks student

clean:
	rm -rf models figures student screenshots benchmarks/results
