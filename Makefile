# TimeTracker platform. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PACKAGES := shared gateway $(sort $(dir $(wildcard services/*/pyproject.toml)))
STAMP := $(VENV)/.installed

.PHONY: install run test bench lint contracts admin clean

$(STAMP): requirements-dev.txt $(wildcard */pyproject.toml services/*/pyproject.toml)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt $(foreach p,$(PACKAGES),-e $(p))
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) deploy/launcher.py

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

# Import contracts: each service that has a .importlinter file (its own root_package) is checked.
IMPORT_CONTRACTS := $(sort $(wildcard services/*/.importlinter))

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	@for config in $(IMPORT_CONTRACTS); do \
		echo "lint-imports --config $$config"; \
		$(VENV)/bin/lint-imports --config $$config --no-cache || exit 1; \
	done

# Rewrite the event contracts (tests/contract/events/) from the producers' payload models.
contracts: $(STAMP)
	$(PY) -m shared.events.contracts tests/contract/events auth.event_payloads crm.event_payloads tracking.event_payloads inventory.event_payloads

# Operator CLI against the running local stack, e.g. make admin ARGS="list-tokens"
admin: $(STAMP)
	@test -f .run/env && . ./.run/env; $(VENV)/bin/tt-admin $(ARGS)

clean:
	rm -rf $(VENV) .run .pytest_cache .hypothesis
