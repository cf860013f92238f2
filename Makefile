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

# Every test, in two streams side by side (the machine has two cores; one stream left one idle): in front, every
# test on SQLite but the tests of the contract suite itself; behind it, the behaviour suite and the control-API
# tests on PostgreSQL (a throwaway cluster the tests start; without PostgreSQL those skip, saying why), then the
# tests of the contract suite (SUITE_TESTS: they run it against deviating proxies, Prism, one API at a time, and
# record/compare), which start suites of their own. Each background log is printed at the end.
SUITE_TESTS := tests/test_contract_suite_catches_drift.py tests/test_fidelity.py tests/test_contract_one_api.py \
	tests/test_contract_suite_against_prism.py

test: $(STAMP) lint spec-check browser postgres
	@mkdir -p reports
	( SANDBOX_TEST_ENGINE=postgresql $(BIN)/python -m pytest contract_tests --report-dir reports/postgresql \
		> reports/postgresql.log 2>&1; behaviour=$$?; \
	  SANDBOX_TEST_ENGINE=postgresql $(BIN)/python -m pytest tests/test_sandbox_control.py \
		>> reports/postgresql.log 2>&1; control=$$?; \
	  $(BIN)/python -m pytest $(SUITE_TESTS) > reports/suite-tests.log 2>&1; suite=$$?; \
	  test $$behaviour -eq 0 -a $$control -eq 0 -a $$suite -eq 0 ) & behind=$$!; \
	$(BIN)/python -m pytest $(addprefix --ignore=,$(SUITE_TESTS)); sqlite=$$?; \
	wait $$behind; background=$$?; \
	echo "--- on PostgreSQL: the behaviour suite, then the control API (reports/postgresql.log):"; \
	grep -E "^(=+ .*(passed|failed|error)|FAILED|ERROR)" reports/postgresql.log; \
	echo "--- the tests of the contract suite (reports/suite-tests.log):"; tail -n 25 reports/suite-tests.log; \
	test $$sqlite -eq 0 -a $$background -eq 0

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
