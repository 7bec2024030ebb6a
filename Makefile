# The README's commands. `make demo` and `make test` do all set-up on a fresh Debian machine; each installs
# only what it needs, and each install step has its own stamp, so neither redoes what the other did.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The project with its run-time dependencies; then the test extras (pytest, Playwright, ruff, mypy, …).
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test
# The app needs Chinese fonts (its pages and the PDFs it makes embed Noto CJK) and Pango, which WeasyPrint
# lays PDFs out with; the browser tests also need Chromium, which they drive.
DEMO_APT_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
TEST_APT_PACKAGES := $(DEMO_APT_PACKAGES) chromium
PORT ?= 8000
export XINFANG_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test test-fast lint demo-system-packages test-system-packages constraints docs-template clean

demo: demo-system-packages $(APP_STAMP)  ## install, load the demo county, serve at http://127.0.0.1:8000 with the worker
	$(BIN)/xinfang demo --port $(PORT)

test: test-system-packages $(TEST_STAMP)  ## install test dependencies and run the whole suite
	XINFANG_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -n auto -p no:cacheprovider

test-fast: $(TEST_STAMP)
	XINFANG_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest -q -m "not browser"

lint: $(TEST_STAMP)  ## ruff, mypy and the import-linter contracts (docs/architecture.md)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy xinfang tests bench
	$(BIN)/lint-imports

constraints: $(TEST_STAMP)  ## re-pin the tested versions after changing dependencies
	$(BIN)/pip freeze --exclude-editable > constraints.txt

docs-template: $(APP_STAMP)  ## regenerate docs/directory-template.xlsx from the demo county
	$(BIN)/xinfang manage directorytemplate docs/directory-template.xlsx

# System packages: installed when missing and we are root with apt; otherwise a hint, not a failure,
# except that the browser tests will skip loudly without Chromium.
define install_system_packages
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Please install system packages:$$missing (sudo apt-get install$$missing)"; \
	  fi; \
	fi
endef

demo-system-packages:
	$(call install_system_packages,$(DEMO_APT_PACKAGES))

test-system-packages:
	$(call install_system_packages,$(TEST_APT_PACKAGES))

$(APP_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $(APP_STAMP)

$(TEST_STAMP): $(APP_STAMP)
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $(TEST_STAMP)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache build *.egg-info
