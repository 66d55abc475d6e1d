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
	@echo "make test         - ruff, unit tests, strict nbval of every notebook, browser-test"
	@echo "make unit         - the unit and notebook-hygiene tests only (fast)"
	@echo "make browser-test - every notebook run in JupyterLab in headless Chromium"
	@echo "make run          - re-execute every notebook top to bottom, in place"
	@echo "make readme-figure - redraw docs/digit_map.png, the README's picture"
	@echo "make student      - student copies (solutions and outputs removed) in student/"
	@echo "make clean        - remove generated files (models, figures, student copies)"
	@echo "make assignments  - nbgrader course in course/ (one assignment per notebook, released)"
	@echo "make autograde-demo - release 01, autograde a solved and an untouched copy"
	@echo "make book         - the series as an offline website in _build/html/"
	@echo "make classroom-test - the website and the hover explorer in headless Chromium"

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

test: lint unit nbval browser-test

# Executes with nbclient, saves outputs and drops metadata.widgets; prints each notebook's time.
run: $(STAMP)
	$(BIN)/python tools/time_notebooks.py --write

readme-figure: $(STAMP)
	$(BIN)/python tools/make_readme_figure.py

student: $(STAMP)
	$(BIN)/python tools/make_student_copies.py notebooks student

clean:
	rm -rf models figures student screenshots benchmarks/results _build course

# --- classroom and publishing (docs/grading.md): nbgrader course, website, their tests ------------
# Their extra packages (requirements-classroom.txt) go into the same .venv on first use only, so
# `make lab` and `make test` stay as fast to set up as before.
CLASSROOM_STAMP := $(VENV)/.classroom-installed
# nbgrader runs `alembic` as a command: the venv's bin must be on PATH.
CLASSROOM_ENV := PATH="$(CURDIR)/$(BIN):$$PATH"

.PHONY: classroom-setup assignments autograde-demo book classroom-test

$(CLASSROOM_STAMP): $(STAMP) requirements-classroom.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-classroom.txt
	touch $(CLASSROOM_STAMP)

classroom-setup: $(CLASSROOM_STAMP)

# course/ (gitignored): nbgrader's source/ and release/ folders, one assignment per notebook.
assignments: $(CLASSROOM_STAMP)
	$(CLASSROOM_ENV) $(BIN)/python tools/make_assignments.py --release

# Releases 01, grades a solved and an untouched submission; last line: autograde: solved X/Y, ...
autograde-demo: $(CLASSROOM_STAMP)
	$(CLASSROOM_ENV) $(BIN)/python tools/autograde_demo.py

# _build/html/ (gitignored): the website, from the committed outputs, offline, warnings as errors.
book: $(CLASSROOM_STAMP)
	$(BIN)/python tools/build_book.py

# The website in headless Chromium with the network blocked, and the hover explorer of 06 in
# JupyterLab. Skipped where `chromium` is missing unless REQUIRE_BROWSER_TEST=1 (CI).
classroom-test: book
	CLASSROOM_TESTS=1 $(BIN)/python -m pytest -rs --durations=10 tests/classroom
