# The README's commands. `make demo` and `make test` do all set-up on a fresh Debian machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := chromium fonts-noto-cjk
PORT ?= 8000
export XINFANG_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test test-fast lint system-packages constraints docs-template clean

demo: system-packages $(STAMP)  ## install, load the demo county, serve at http://127.0.0.1:8000 with the worker
	$(BIN)/xinfang demo --port $(PORT)

test: system-packages $(STAMP)  ## install test dependencies and run the whole suite
	XINFANG_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -n auto -p no:cacheprovider

test-fast: $(STAMP)
	XINFANG_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -q -m "not browser"

lint: $(STAMP)  ## ruff, mypy and the import-linter contracts (docs/architecture.md)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy xinfang tests bench
	$(BIN)/lint-imports

constraints: $(STAMP)  ## re-pin the tested versions after changing dependencies
	$(BIN)/pip freeze --exclude-editable > constraints.txt

docs-template: $(STAMP)  ## regenerate docs/directory-template.xlsx from the demo county
	$(BIN)/xinfang manage directorytemplate docs/directory-template.xlsx

# System packages: installed when missing and we are root with apt; otherwise a hint, not a failure,
# except that the browser tests will skip loudly without Chromium.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Please install system packages:$$missing (sudo apt-get install$$missing)"; \
	  fi; \
	fi

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache build *.egg-info
