# Thin wrapper: each target names commands. `make serve` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
WORKERS ?= 2
API ?= leasey
BASE_URL ?=
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

.PHONY: serve test lint contract spec-check bench clean browser postgres

# `make serve` needs the package and its runtime dependencies only; everything else adds the [test] extras.
$(RUNTIME): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

serve: $(RUNTIME)
	$(BIN)/mock-server serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# Every test on SQLite, then the behaviour suite and the control-API tests again on PostgreSQL (a throwaway
# cluster the tests start; without PostgreSQL those skip, saying why).
test: $(STAMP) lint spec-check browser postgres
	$(BIN)/python -m pytest
	SANDBOX_TEST_ENGINE=postgresql $(BIN)/python -m pytest contract_tests tests/test_sandbox_control.py \
		--report-dir reports/postgresql

postgres:
	tools/ensure-postgresql || [ $$? -eq 3 ]

browser:
	tools/ensure-chromium

lint: $(STAMP)
	$(BIN)/ruff check --output-format concise .

spec-check: $(STAMP)
	$(BIN)/openapi-spec-validator openapi/leasey.yaml openapi/travtus.yaml openapi/sandbox.yaml
	tools/lint-specs

contract: $(STAMP)
	$(BIN)/python -m pytest contract_tests --base-url "$(BASE_URL)" --api "$(API)" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
