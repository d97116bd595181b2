# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Each stamp redoes its install when its lock or pyproject.toml changes.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: demo test test-fast check format bench bench-deps lock clean

# Installs exactly what a lock names, each file checked against its hash, wheels only
# (building an sdist would fetch its build requirements unpinned); then the project
# itself, built by the locked setuptools with nothing fetched. `pip check` then fails
# when pyproject.toml asks for something the lock does not hold: run `make lock`.
define install-lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    --require-hashes --only-binary :all: -r $(1)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check --disable-pip-version-check
endef

# What the service needs to run, and nothing for tests or linting.
$(RUNTIME_STAMP): requirements/runtime.txt pyproject.toml
	$(call install-lock,requirements/runtime.txt)
	touch $@

# The runtime plus the `dev` extra: tests, linters, type checker, uv.
$(DEV_STAMP): requirements/dev.txt pyproject.toml
	$(call install-lock,requirements/dev.txt)
	touch $@

# `make demo DEMO_DURATION=` runs until Ctrl-C.
DEMO_DURATION ?= 90s

demo: $(RUNTIME_STAMP)
	$(BIN)/syncd demo $(if $(DEMO_DURATION),--duration $(DEMO_DURATION))

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

# The unit tests alone: no server and no subprocess, under a minute.
test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not integration"

check: $(DEV_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The dev install plus the `bench` extra (dlt, the peer bench/sync.py compares with).
$(BENCH_STAMP): requirements/bench.txt pyproject.toml
	$(call install-lock,requirements/bench.txt)
	touch $(DEV_STAMP) $@

bench-deps: $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python bench/connector.py

# uv.lock is the lock: `uv lock` resolves pyproject.toml's [project] dependencies, its
# `dev` extra and its `build` group (the [build-system] requires: setuptools, so that
# the project installs with --no-build-isolation) once, for every platform and Python
# the project supports. requirements/*.txt are exported from it, pinned and hashed,
# for pip to install from. Versions already locked are kept:
# `make lock LOCK_ARGS=--upgrade` (or `LOCK_ARGS='--upgrade-package holidays'`)
# moves them. Both files come from the one resolution, so both pin the service alike.
LOCK_ARGS ?=
UV_EXPORT = $(BIN)/uv export --quiet --frozen --no-emit-project --no-header \
    --no-default-groups --group build --format requirements-txt
# $(call export-lock,FILE,WHAT IT HOLDS,UV ARGUMENTS): the header goes on top, and FILE
# is replaced only when the result differs: an idle run leaves the installs' stamps alone.
define export-lock
	$(UV_EXPORT) $(3) -o $(1).new
	{ printf '# %s\n' \
	    '$(1): $(2), pinned and hashed.' \
	    'Exported by `make lock` from uv.lock (uv export): DO NOT EDIT BY HAND.' \
	    && cat $(1).new; } > $(1).tmp && rm $(1).new
	if cmp -s $(1).tmp $(1); then rm $(1).tmp; else mv $(1).tmp $(1); fi
endef

# uv, pinned in pyproject.toml's dev extra; installed by itself, so that a lock that
# no longer satisfies pyproject.toml (a dependency just added) can still be remade.
UV_VERSION = $(shell sed -n 's/.*"uv==\([^"]*\)".*/\1/p' pyproject.toml)
$(BIN)/uv: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	touch $@

lock: $(BIN)/uv
	$(BIN)/uv lock --quiet --python 3.11 $(LOCK_ARGS)
	$(call export-lock,requirements/runtime.txt,what the service needs)
	$(call export-lock,requirements/dev.txt,the runtime plus the dev extra,--extra dev)
	$(call export-lock,requirements/bench.txt,the dev install plus the bench extra,--extra dev --extra bench)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache syncd-demo requirements/*.txt.new requirements/*.txt.tmp
