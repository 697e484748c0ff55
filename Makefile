# TimeTracker platform. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PACKAGES := shared gateway $(sort $(dir $(wildcard services/*/pyproject.toml)))
STAMP := $(VENV)/.installed

.PHONY: install lock run test bench soak lint contracts admin clean

# Every install (this venv, CI, the images) takes its versions from the lock, constraints.txt.
$(STAMP): constraints.txt requirements-dev.txt $(wildcard */pyproject.toml services/*/pyproject.toml)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -r requirements-dev.txt $(foreach p,$(PACKAGES),-e '$(p)$(if $(filter shared,$(p)),[dev])')
	touch $(STAMP)

install: $(STAMP)

# Re-resolve constraints.txt after a dependency changes in a pyproject.toml or requirements-dev.txt
# (the platform's own packages are inputs, never pinned). Each input is an option and its value.
LOCK_INPUTS := -r requirements-dev.txt $(foreach p,$(PACKAGES),-e './$(p:/=)$(if $(filter shared,$(p)),[dev])')
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$$(grep '^uv==' requirements-dev.txt)"
	printf '%s %s\n' $(LOCK_INPUTS) | $(VENV)/bin/uv pip compile - --universal --python-version 3.11 \
		--custom-compile-command "make lock" -o constraints.txt \
		$(foreach p,$(PACKAGES),--no-emit-package tt-$(notdir $(p:/=)))

run: $(STAMP)
	$(PY) deploy/launcher.py

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

# 30 minutes of mixed traffic at a fixed rate through two gateways; SOAK_ARGS="--minutes 2" to try it.
soak: $(STAMP)
	$(PY) bench/soak.py $(SOAK_ARGS)

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
