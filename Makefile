# Signpost: `make run` serves the portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test test-postgres bench install translations extract-messages clean

$(BIN)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed translations

# Compile the UI catalogs (translations/*/LC_MESSAGES/messages.po -> .mo).
translations: $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | grep -v "^compiling\|^$$" || true

# Re-extract UI strings and merge them into every catalog (then translate the new entries).
extract-messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

run: install
	$(BIN)/flask portal init --demo
	@echo "Signpost is serving on http://127.0.0.1:$(PORT)/ (settings: gunicorn.conf.py)"
	PORT=$(PORT) $(BIN)/gunicorn --no-control-socket --access-logfile - wsgi:app

# axe-core (the npm package) for the browser tests' accessibility checks.
AXE := .cache/axe/node_modules/axe-core/axe.min.js
AXE_VERSION ?= 4.11.4
$(AXE):
	command -v npm >/dev/null 2>&1 && npm install --silent --no-audit --no-fund --prefix .cache/axe \
		axe-core@$(AXE_VERSION) || echo "npm not found: browser accessibility checks will be skipped"

test: install $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The database tests against PostgreSQL (a fresh database is created per run).
test-postgres: install
	SIGNPOST_TEST_POSTGRES=$${SIGNPOST_TEST_POSTGRES:-postgresql://postgres@127.0.0.1:5432/postgres} \
		$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
