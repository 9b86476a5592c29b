# The two commands a newcomer needs:  make demo   (run everything)   make test   (run the tests)
# Both create the local virtual environment and install the explorer's browser assets first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-stamp
ASSETS := gateway/explorer/node_modules/.installed-stamp
BUILD  := gateway/explorer/dist/meta.json

.PHONY: demo test lint typecheck unit install bench lock clean

demo: install
	$(BIN)/chakong demo --port $(PORT)

test: install lint typecheck unit

install: $(STAMP) $(ASSETS) $(BUILD)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "chakong needs Python 3.11 or newer (set PYTHON=python3.11)")'
	@echo "==> Creating $(VENV) and installing chakong with its dependencies (first run only, about a minute)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --progress-bar off -c constraints.txt -e '.[dev]'
	@touch $@

$(ASSETS): gateway/explorer/package.json gateway/explorer/package-lock.json
	@echo "==> Installing the explorer's browser assets from the npm registry (served locally, no CDN)"
	npm ci --prefix gateway/explorer --no-audit --no-fund
	@touch $@

# the result view and the Chinese font, bundled by esbuild (from npm) into dist/ (not committed)
$(BUILD): $(ASSETS) $(wildcard gateway/explorer/src/*)
	@echo "==> Building the explorer's result view and its Chinese font (esbuild)"
	rm -rf gateway/explorer/dist
	npm run --prefix gateway/explorer --silent build

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

# every figure an inquiry's CPU is judged by (figures (a) to (c), the audit and a batch's audit
# group, the case lookup, one agency call, the 1,000-debtor batch), then the others; a MISS does
# not stop the rest
bench: install
	-$(BIN)/python -m bench.fanout
	-$(BIN)/python -m bench.audit
	-$(BIN)/python -m bench.audit_group
	-$(BIN)/python -m bench.case_lookup
	-$(BIN)/python -m bench.agency_calls
	-$(BIN)/python -m bench.batch
	-$(BIN)/python -m bench.instructions
	-$(BIN)/python -m bench.wakeup
	-$(BIN)/python -m bench.hedging
	-$(BIN)/python -m bench.transport
	-$(BIN)/python -m bench.report

# after changing dependencies in pyproject.toml: re-resolve them and record the versions
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^#' > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) gateway/explorer/node_modules gateway/explorer/dist .mypy_cache .ruff_cache .pytest_cache
