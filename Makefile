# Harbour: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
# Both need only Python 3.11+: they create .venv and install into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-sqlite test-postgres lint schema migrations bench bench-stack clean

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
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite on whatever DATABASE_URL says (SQLite when unset), plus lint,
# migration and schema checks. Benchmarks are excluded; see `make bench`.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py spectacular --file api_schema/openapi.yaml --validate --fail-on-warn

bench: $(STAMP)
	$(BIN)/pytest -m bench -s $(PYTEST_ARGS)

# The production stack (nginx, gunicorn, DEBUG off, PostgreSQL, Redis) under 16
# clients; see README "Benchmarks on the production stack". EMPTIES and reseeds
# the database harbour_benchstack; the stack is stopped however the run ends.
bench-stack: $(STAMP)
	deploy/bench-stack.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
