# The series in commands. `make lab` to learn, `make test` to prove it works.
# Both create .venv on first use (or when requirements change) from requirements-dev.txt
# (requirements.txt, what learners need, plus the test tools).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888

# Keep TensorFlow's start-up log lines out of the unit tests and tools. Notebook kernels get the
# same two settings from the project's kernelspec (share/jupyter/kernels/autoenc-viz), however
# Jupyter is started; environment.yml repeats them for conda (a test checks).
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0

# No --nbval-current-env: nbval starts the kernel each notebook names, the project's autoenc-viz
# (installed into .venv by `make setup`; it runs .venv's Python), so `make test` proves the same
# kernel learners get, kernelspec env and autoenc_notebook plumbing included.
NBVAL_ARGS := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg

# The tests ignore the learner's own settings (~/.config/matplotlib, ~/.keras, ~/.ipython,
# ~/.jupyter): matplotlib, Keras, IPython and Jupyter read theirs from .test-config/ (gitignored,
# nothing writes settings there), and train_autoencoder shows no progress line. tests/conftest.py
# sets the same for a bare `pytest`; tests/test_settings_isolation.py checks both.
TEST_CONFIG := $(CURDIR)/.test-config
TEST_ENV := MPLCONFIGDIR=$(TEST_CONFIG)/matplotlib MATPLOTLIBRC=$(TEST_CONFIG)/matplotlib \
	KERAS_HOME=$(TEST_CONFIG)/keras IPYTHONDIR=$(TEST_CONFIG)/ipython \
	JUPYTER_CONFIG_DIR=$(TEST_CONFIG)/jupyter JUPYTER_DATA_DIR=$(TEST_CONFIG)/jupyter-data \
	JUPYTERLAB_SETTINGS_DIR=$(TEST_CONFIG)/jupyter/lab/user-settings \
	JUPYTERLAB_WORKSPACES_DIR=$(TEST_CONFIG)/jupyter/lab/workspaces \
	MPLBACKEND= KERAS_BACKEND=tensorflow AUTOENC_VERBOSE=0
$(foreach setting,$(TEST_ENV),$(eval unit nbval browser-test: export $(setting)))
run: export AUTOENC_VERBOSE := 0

.PHONY: help setup lab test lint unit nbval browser-test run readme-figure student clean \
	map-benchmark scale-benchmark

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
	@echo "make map-benchmark - install UMAP (benchmark only), score the maps"
	@echo "make scale-benchmark - every helper on 1,797 to 70,000 items of 784 features"
	@echo "make clean        - remove generated files (models, figures, student copies)"
	@echo "make assignments  - nbgrader course in course/ (one assignment per notebook, released)"
	@echo "make autograde-demo - release 01, autograde a solved and an untouched copy"
	@echo "make book         - the students' offline website in _build/html/ (solutions folded)"
	@echo "make book-teacher - the same with solutions open, in _build/teacher/html/"
	@echo "make install-test - a plain pip install into a fresh environment, run as a learner"
	@echo "make classroom-test - the website in headless Chromium, network blocked"

# tools/check_python.py refuses, with a clear message, a Python (3.11-3.13 only) or platform
# (not Intel macOS) that TensorFlow 2.21 has no wheels for. requirements-dev.txt is the learners'
# requirements.txt plus the test tools.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) tools/check_python.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m autoenc_notebook install --sys-prefix
	touch $(STAMP)

setup: $(STAMP)

# Jupyter refuses to run as root (containers, CI) unless told to; ordinary users never need it.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=notebooks $(ALLOW_ROOT)

lint: $(STAMP)
	$(BIN)/ruff check .

# tests/browser needs Chromium and takes minutes: it has its own target. TEST_LANES pytest-xdist
# workers share the tests (make test runs its stages one after another, each using every core).
TEST_LANES ?= 2
unit: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_LANES) tests --ignore=tests/browser

nbval: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL_ARGS) notebooks

# Skipped with a message where `chromium` is not installed, unless REQUIRE_BROWSER_TEST=1 (CI).
# The notebooks run in TEST_LANES pytest-xdist workers, each with its own JupyterLab and
# Chromium: a notebook keeps about one core busy, so two lanes use a 2-core machine fully.
browser-test: $(STAMP)
	$(BIN)/python -m pytest -rs -n $(TEST_LANES) --durations=20 --durations-min=1 tests/browser

# `make test` runs its stages through tools/test_stages.py, which prints each stage's time at the
# end. The stages run one after another; unit and browser-test each spread over TEST_LANES
# workers (more processes side by side would only fight over a 2-core machine's cores). Each
# notebook is executed once, in JupyterLab (browser-test), whose outputs are compared with the
# committed ones by nbval's own code, as `make nbval` compares them; only where Chromium is
# missing (and REQUIRE_BROWSER_TEST is not 1) does `make test` run nbval itself (the browser test
# then skips).
SUBMAKE      := $(MAKE) --no-print-directory
HAVE_BROWSER := $(or $(shell command -v chromium),$(filter 1,$(REQUIRE_BROWSER_TEST)))
TEST_STAGES  := "lint=$(SUBMAKE) lint" "unit=$(SUBMAKE) unit" \
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

# Benchmark-only packages (UMAP) go into the same .venv; the notebooks never need them.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) benchmarks/requirements.txt
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	touch $(BENCH_STAMP)

map-benchmark: $(BENCH_STAMP)
	$(BIN)/python benchmarks/map_quality.py --seeds 3

# Every helper on N x 784 data, N = 1,797 to 70,000 (a stand-in made from the digits, and
# Fashion-MNIST where Debian's dataset-fashion-mnist is installed). Tens of minutes; not in CI.
scale-benchmark: $(BENCH_STAMP)
	$(BIN)/python benchmarks/scale.py

clean:
	rm -rf models figures notebooks/figures notebooks/scratch_09 student screenshots benchmarks/results _build course

# --- classroom and publishing (docs/grading.md): nbgrader course, website, their tests ------------
# Their extra packages (requirements-classroom.txt) go into the same .venv on first use only, so
# `make lab` and `make test` stay as fast to set up as before.
CLASSROOM_STAMP := $(VENV)/.classroom-installed
# nbgrader runs `alembic` as a command: the venv's bin must be on PATH.
CLASSROOM_ENV := PATH="$(CURDIR)/$(BIN):$$PATH"

.PHONY: classroom-setup assignments autograde-demo book book-teacher classroom-test install-test

$(CLASSROOM_STAMP): $(STAMP) requirements-classroom.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -r requirements-classroom.txt
	touch $(CLASSROOM_STAMP)

classroom-setup: $(CLASSROOM_STAMP)

# course/ (gitignored): nbgrader's source/ and release/ folders, one assignment per notebook.
assignments: $(CLASSROOM_STAMP)
	$(CLASSROOM_ENV) $(BIN)/python tools/make_assignments.py --release

# Releases 01, grades a solved and an untouched submission; last line: autograde: solved X/Y, ...
autograde-demo: $(CLASSROOM_STAMP)
	$(CLASSROOM_ENV) $(BIN)/python tools/autograde_demo.py

# _build/html/ (gitignored): the students' website, from the committed outputs, offline, warnings
# as errors: solutions folded away, downloads are student copies. book-teacher: solutions open,
# full notebooks as downloads, in _build/teacher/html/.
book: $(CLASSROOM_STAMP)
	$(BIN)/python tools/build_book.py

book-teacher: $(CLASSROOM_STAMP)
	$(BIN)/python tools/build_book.py --teacher

# The website in headless Chromium with the network blocked: front page, folded solutions,
# typeset maths, the hover explorer of 06, nothing loaded from outside; screenshots in
# screenshots/site/. Skipped where `chromium` is missing unless REQUIRE_BROWSER_TEST=1 (CI).
classroom-test: book
	CLASSROOM_TESTS=1 $(BIN)/python -m pytest -rs --durations=10 tests/classroom

# TEACHING.md's JupyterHub section, followed: a plain `pip install .` into a fresh environment,
# notebook 01 run there by a user who is not root (tests/install; about 20 s).
install-test: $(STAMP)
	INSTALL_TESTS=1 $(BIN)/python -m pytest -rs --durations=5 tests/install
