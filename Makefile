# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Local use only: the settings fail closed (DEBUG off) unless told otherwise.
run: export DEBUG ?= true
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_action_plan
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py create_demo_updates
	$(PY) manage.py runserver $(or $(ADDRPORT),127.0.0.1:8000)

test: $(STAMP)
	bash scripts/ensure-system-packages
	$(PY) -m pytest -n $(or $(TEST_WORKERS),auto) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
