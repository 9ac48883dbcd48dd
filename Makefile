# Harbour: `make run` serves the demo on http://127.0.0.1:8000 (another port:
# `make run PORT=8001`), `make test` runs the suite.
# Both need only Python 3.11+: they create .venv and install into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8000
# pytest-xdist workers for `make test` (browser tests and PostgreSQL locking
# tests each keep to one worker: tests/conftest.py). TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2

.PHONY: venv run test lint schema messages bench bench-stack faults browser slow3g slow3g-register clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian's chromium and an Arabic/Persian font for tests/e2e (apt; a no-op when
# present). Playwright's own `playwright install` cannot work here: never run it.
browser:
	bash scripts/install-browser.sh

# The whole suite on whatever DATABASE_URL says (SQLite when unset), plus lint,
# the import layers (docs/layers.md), migration and schema checks, and the
# browser tests in tests/e2e.
# Benchmarks are excluded; see `make bench`.
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy | $(BIN)/mypy-baseline filter --no-colors
	$(BIN)/biome lint
	$(BIN)/biome format
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py spectacular --file api_schema/openapi.yaml --validate --fail-on-warn

# After changing the app's strings or a translation, or adding a language: merge
# new strings into every locale/<code>/LC_MESSAGES/djangojs.po, compile the .mo
# files (committed; a test fails when one is stale), and refresh the API schema,
# whose language choices come from the catalogues present.
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py catalogues extract
	DEBUG=1 $(BIN)/python manage.py catalogues compile
	DEBUG=1 $(BIN)/python manage.py spectacular --file api_schema/openapi.yaml --validate --fail-on-warn

bench: $(STAMP)
	$(BIN)/pytest -m bench -s $(PYTEST_ARGS)

# Time to the first useful screen of "/" under DevTools' Slow 3G preset, cold
# cache, served like production (gunicorn + whitenoise, DEBUG off). A measurement
# that prints figures, not a test.
slow3g: $(STAMP) browser
	$(BIN)/python scripts/measure_first_screen.py

# A tutor's phone (CPU 4x slower, Slow 3G) on a 120-person register; see docs/registers.md.
slow3g-register: $(STAMP) browser
	$(BIN)/python scripts/measure_register.py

# The production stack (nginx, gunicorn, DEBUG off, PostgreSQL, Redis) under 16
# clients; see README "Benchmarks on the production stack". EMPTIES and reseeds
# the database harbour_benchstack; the stack is stopped however the run ends.
bench-stack: $(STAMP)
	deploy/bench-stack.sh

# Booking bursts (200 learners, 10 places) on the loopback stack while an app
# server is killed, PostgreSQL restarted, Redis stopped and a row held: prints
# lost/doubled bookings and recovery (docs/reliability.md). Runs its own
# throwaway PostgreSQL and Redis on free ports, never the shared ones, and
# stops all it started however the run ends. A measurement, not in `make test`.
faults: $(STAMP)
	$(BIN)/python scripts/faults.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
