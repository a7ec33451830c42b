# Everything a fresh clone needs, from Python 3.11 and make. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.8
UV := .uv/bin/uv
BIN := .venv/bin
# openapi-python-client runs ruff from PATH: the venv's.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export UV_PYTHON_DOWNLOADS := never

AUTH_PORT ?= 8001
INFO_PORT ?= 8000
AUTH_URL ?= http://127.0.0.1:$(AUTH_PORT)
# Worker processes per service; one info worker per core is the production setting (see Speed).
AUTH_WORKERS ?= 1
INFO_WORKERS ?= 1

# Where `generate` writes; the freshness test points it at a temporary folder.
DEST ?= .
MODELS_FLAGS := --input-file-type openapi --output-model-type pydantic_v2.BaseModel \
	--target-python-version 3.11 --use-annotated --field-constraints --use-standard-collections \
	--use-union-operator --enum-field-as-literal all --use-schema-description \
	--use-field-description --disable-timestamp --formatters builtin

.PHONY: help install generate _generate run test lint fuzz bench mutate

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

install: .venv/.installed ## Create .venv from uv.lock (a no-op when current)

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python $(PYTHON)
	touch $@

generate: install ## Regenerate models and the auth client from specs/
	$(MAKE) --no-print-directory _generate DEST=.

_generate:
	mkdir -p $(DEST)/auth_service $(DEST)/info_service $(DEST)/clients
	$(BIN)/datamodel-codegen $(MODELS_FLAGS) --input specs/auth.yaml --output $(DEST)/auth_service/models.py \
		--custom-file-header "# Generated from specs/auth.yaml by datamodel-codegen (make generate). Do not edit."
	$(BIN)/datamodel-codegen $(MODELS_FLAGS) --input specs/info.yaml --output $(DEST)/info_service/models.py \
		--custom-file-header "# Generated from specs/info.yaml by datamodel-codegen (make generate). Do not edit."
	rm -rf $(DEST)/clients/auth_client
	$(BIN)/openapi-python-client generate --path specs/auth.yaml --meta none --fail-on-warning \
		--config clients/auth_client.config.yaml --output-path $(DEST)/clients/auth_client >/dev/null

run: install ## Run both services in the foreground (Ctrl-C or SIGTERM stops both)
	@$(BIN)/uvicorn auth_service:app --host 127.0.0.1 --port $(AUTH_PORT) --workers $(AUTH_WORKERS) \
		--no-access-log & auth=$$!; \
	AUTH_URL=$(AUTH_URL) $(BIN)/uvicorn info_service:app --host 127.0.0.1 --port $(INFO_PORT) \
		--workers $(INFO_WORKERS) --no-access-log & info=$$!; \
	trap 'kill -TERM $$auth $$info 2>/dev/null; wait; exit 0' INT TERM; \
	wait -n; status=$$?; kill -TERM $$auth $$info 2>/dev/null; wait; exit $$status

# `make fuzz`: longer schemathesis runs against both services, live, on ports the OS picks
# (uvicorn --port 0; nothing else on the machine is disturbed). schemathesis.toml holds the shared
# settings; FUZZ_SEED reproduces a run (a fresh seed each time by default, printed in the output).
FUZZ_EXAMPLES ?= 500
FUZZ_SEED ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
REPORTS := reports

fuzz: install ## Schemathesis against both live services; JUnit + HTML reports in reports/
	@mkdir -p $(REPORTS); rm -rf $(REPORTS)/fuzz-*; \
	start() { $(BIN)/uvicorn "$$1" --host 127.0.0.1 --port 0 --no-access-log >>"$(REPORTS)/fuzz-$$2.log" 2>&1 & }; \
	url_of() { for _ in $$(seq 150); do \
		url=$$(grep -o 'http://127.0.0.1:[0-9]*' "$(REPORTS)/fuzz-$$1.log" | head -1); \
		[ -n "$$url" ] && { echo "$$url"; return 0; }; sleep 0.1; done; \
		echo "$$1 did not start; see $(REPORTS)/fuzz-$$1.log" >&2; return 1; }; \
	start auth_service:app auth; auth=$$!; trap 'kill -TERM $$auth $${info:-} 2>/dev/null; wait' EXIT; \
	auth_url=$$(url_of auth) || exit 1; \
	AUTH_URL=$$auth_url start info_service:app info; info=$$!; \
	info_url=$$(url_of info) || exit 1; \
	echo "fuzzing auth at $$auth_url and info at $$info_url, seed $(FUZZ_SEED), $(FUZZ_EXAMPLES) examples"; \
	status=0; \
	for service in auth info; do \
		url=$$auth_url; [ $$service = info ] && url=$$info_url; \
		$(BIN)/schemathesis run specs/$$service.yaml --url "$$url" --seed $(FUZZ_SEED) \
			--max-examples $(FUZZ_EXAMPLES) --report junit,html \
			--report-junit-path $(REPORTS)/fuzz-$$service.xml \
			--report-html-path $(REPORTS)/fuzz-$$service-html || status=1; \
	done; \
	echo "reports: $(REPORTS)/fuzz-{auth,info}.xml, $(REPORTS)/fuzz-{auth,info}-html/"; \
	exit $$status

test: install lint ## Lint, then every test (what CI runs)
	$(BIN)/pytest

bench: install ## Measure GET /info/ under load (wrk, ~4 min); report in reports/bench/
	$(BIN)/python -m bench --out reports/bench

lint: install ## ruff (generated code excluded)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# `make mutate`: not part of `make test` (minutes of both cores). MUTATE_FLOOR fails the run below it.
MUTATE_FLOOR ?= 90

mutate: install ## Mutation testing of services and common (mutmut, minutes); see docs/testing-strength.md
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(or $(MUTATE_JOBS),2)
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/mutmut results
	$(BIN)/python -m tools.mutation_score mutants/mutmut-cicd-stats.json $(MUTATE_FLOOR)
