# Every target installs what it needs into .venv first, idempotently: the stamp file
# is rebuilt only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo sandbox test check lint typecheck format bench bench-relay bench-faults bench-engine screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/osoto-bridge demo

sandbox: $(STAMP)
	$(BIN)/osoto-bridge sandbox --seed demo

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python bench/sandbox_http.py

# The relay end to end (docs/benchmarks.md): TRIPS=100|1000|5000, a few minutes a run.
TRIPS ?= 1000
bench-relay: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/relay.py --trips $(TRIPS) $(BENCH_ARGS)

# The fault run (docs/benchmarks.md), in processes: 429s, lost responses, SIGKILLs and
# SIGTERMs of `osoto-bridge run`, hostile inputs; a few minutes, reproducible from SEED.
SEED ?= 14
bench-faults: $(STAMP)
	$(BIN)/python bench/relay_faults.py --seed $(SEED) $(BENCH_ARGS)

# The share page's screenshots in docs/images (README, docs/commands.md): the browser
# test (Debian's chromium through Playwright) writes them there instead of a tmp dir.
screenshots: $(STAMP)
	bash scripts/install-chromium.sh
	OSOTO_BRIDGE_SCREENSHOTS=docs/images $(BIN)/python -m pytest -q tests/web/test_share_browser.py

# The engine under the platforms' limits (issue 16's figures, docs/benchmarks.md): about
# 6 minutes on a loaded 2 cores; scenario sizes are flags (bench/engine.py --help), e.g.
# BENCH_ARGS="--only conversation --conversation-seconds 30".
bench-engine: $(STAMP)
	$(BIN)/python bench/engine.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
