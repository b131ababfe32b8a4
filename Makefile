# Two entry points on a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs what it needs; nothing else has to be set up first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck imports check bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The npm age-encryption package is the independent post-quantum implementation the interop
# tests run against; without node/npm those tests skip with a reason (CI sets CI=true: they fail).
NODE_STAMP := tests/interop/node_modules/.installed
$(NODE_STAMP): tests/interop/package.json tests/interop/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/interop && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	else echo "note: npm not found; post-quantum interop tests will be skipped"; fi

demo: $(STAMP)
	$(BIN)/intake demo

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# Modules of the repo root (bench/ imports the tests' shared helpers from tests/support/).
bench: $(STAMP)
	$(BIN)/python -m bench.crypto_bench
	$(BIN)/python -m bench.engine_bench
	$(BIN)/python -m bench.client_bench
	$(BIN)/python -m bench.bot_bench
	$(BIN)/python -m bench.casework_bench --before 54cb2b6

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
