# The two commands of the quick start: `make demo` and `make test`.
#
# Installs are pinned: requirements/lock.txt holds the exact version of every package
# (the dev group and the `ray` extra included) with the hashes of PyPI's files, and
# .venv is rebuilt from it whenever it or pyproject.toml changes. `make lock` refreshes
# the lock to the newest versions pyproject.toml allows; `make test-latest` runs the
# suite on those newest versions in .venv-latest, without touching the lock.
PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
LOCK        := requirements/lock.txt
STAMP       := $(VENV)/.installed
PYPI        := https://pypi.org/simple
LOCK_VENV   := .venv-lock
LATEST_VENV := .venv-latest
CHROMIUM    ?= /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: demo test lint typecheck lock test-latest chromium clean basemap docs

# A fresh venv (--clear) each time, so nothing outside the lock lingers in it.
$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -m venv --clear $(VENV) || { echo "error: '$(PYTHON) -m venv' failed:" \
	    "install Python's venv module (Debian: apt-get install python3-venv)" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
	    --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; echo "error:" \
	    "$(LOCK) does not hold what pyproject.toml asks for: run make lock" >&2; exit 1; }
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/iadsim run examples/capital_night_raid.yaml --replications 2000 --seed 1

test: $(STAMP) chromium
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks web/basemap docs/hooks
	$(BIN)/ruff format --check src tests benchmarks web/basemap docs/hooks

typecheck: $(STAMP)
	$(BIN)/mypy

# The HTML report's browser tests drive Debian's Chromium (never a browser download).
# Installed here when missing and the machine allows it (root with apt-get, as in CI);
# otherwise make stops and says what to install. No browser test is ever skipped.
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests (apt-get install chromium)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium >/dev/null; \
	  fi; }
	@test -x $(CHROMIUM) || { echo "error: make test needs Chromium at $(CHROMIUM) for the" \
	    "HTML report's browser tests: install Debian's chromium (sudo apt-get install" \
	    "chromium) and run it again" >&2; exit 1; }

# Refresh the lock: the newest versions pyproject.toml allows, for every platform and
# Python >= 3.11, hashed from PyPI (pip's own configuration is not read). uv does the
# resolving; it is installed, itself pinned and hashed, into .venv-lock.
lock:
	@test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	    --require-hashes -r requirements/uv.txt
	$(LOCK_VENV)/bin/uv pip compile --quiet --no-config --upgrade --universal \
	    --python-version 3.11 --generate-hashes --index-url $(PYPI) \
	    --extra ray --group pyproject.toml:dev --custom-compile-command "make lock" \
	    -o $(LOCK) pyproject.toml requirements/build.in
	$(LOCK_VENV)/bin/uv pip compile --quiet --no-config --upgrade --universal \
	    --python-version 3.11 --generate-hashes --index-url $(PYPI) \
	    --custom-compile-command "make lock" -o requirements/uv.txt requirements/uv.in

# The suite on the newest versions pyproject.toml allows (not the lock): upstream
# breakage shows up here on purpose, not at a user's. A fresh .venv-latest each time.
test-latest: chromium
	$(PYTHON) -m venv --clear $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	    --upgrade --upgrade-strategy eager --group dev -e '.[ray]'
	$(LATEST_VENV)/bin/python -m pip list --format=freeze --exclude-editable
	$(LATEST_VENV)/bin/python -m pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(LATEST_VENV) $(LOCK_VENV) .pytest_cache .mypy_cache .ruff_cache

# The offline basemap (src/iadsim/basemap/data, about 1.5 MB), rebuilt from the Natural Earth
# npm packages pinned in web/basemap/package-lock.json (npm ci checks their hashes). The data
# are committed: nothing here runs at install or at run time. The build is deterministic:
# `git diff src/iadsim/basemap/data` after it shows any change.
basemap: $(STAMP)
	@command -v npm >/dev/null || { echo "error: make basemap needs npm (Debian: apt-get install npm)" >&2; exit 1; }
	cd web/basemap && npm ci --ignore-scripts --no-audit --no-fund
	$(BIN)/python web/basemap/build.py web/basemap/node_modules src/iadsim/basemap/data
	$(BIN)/python -m pytest -q tests/basemap/test_basemap.py

# The documentation site (mkdocs.yml, docs/), built strictly: a warning, a broken link or
# reference fails it. Every tutorial's code runs while it builds (markdown-exec), so a
# tutorial cannot drift from the code. Nothing is fetched at build or view time.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site
	$(BIN)/python docs/hooks/check_site.py site
