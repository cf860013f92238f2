# Thin wrapper: each target names commands. `make serve` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
WORKERS ?= 2
API ?= leasey
BASE_URL ?=
CASSETTE ?=
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

.PHONY: serve test lint contract fidelity spec-check bench clean browser postgres

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

# Every test on SQLite; the behaviour suite again on PostgreSQL beside it (a throwaway cluster the tests start;
# without PostgreSQL those skip, saying why), then the control-API tests on PostgreSQL.
test: $(STAMP) lint spec-check browser postgres
	@mkdir -p reports
	SANDBOX_TEST_ENGINE=postgresql $(BIN)/python -m pytest contract_tests --report-dir reports/postgresql \
		> reports/postgresql.log 2>&1 & behaviour=$$!; \
	$(BIN)/python -m pytest; sqlite=$$?; \
	wait $$behaviour; on_postgresql=$$?; \
	echo "--- the behaviour suite on PostgreSQL (reports/postgresql.log):"; tail -n 25 reports/postgresql.log; \
	SANDBOX_TEST_ENGINE=postgresql $(BIN)/python -m pytest tests/test_sandbox_control.py; control=$$?; \
	test $$sqlite -eq 0 -a $$on_postgresql -eq 0 -a $$control -eq 0

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

# Replay a cassette recorded by `mock-server record` against a fresh sandbox and report every difference.
fidelity: $(RUNTIME)
	$(BIN)/mock-server compare "$(CASSETTE)" $(FIDELITY_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
