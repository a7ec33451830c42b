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
# Compiled modules are cached in __pycache__ (git-ignored) even where the environment says not to,
# as container setups often do: without the cache every pytest run compiles ~1,700 modules and
# rewrites the asserts of ~440 again (~10 s of `make test-fast`), and every service a test starts
# compiles its imports again. The image sets it for itself (Dockerfile).
unexport PYTHONDONTWRITEBYTECODE

# Spectral and the OWASP ruleset (`make lint`), pinned by tools/spectral/package-lock.json; Node and
# npm are Debian packages (nodejs, npm).
SPECTRAL := tools/spectral/node_modules/.bin/spectral
SPECTRAL_INSTALLED := tools/spectral/node_modules/.installed

# Where `generate` writes; the freshness test points it at a temporary folder.
DEST ?= .
MODELS_FLAGS := --input-file-type openapi --output-model-type pydantic_v2.BaseModel \
	--target-python-version 3.11 --use-annotated --field-constraints --use-standard-collections \
	--use-union-operator --enum-field-as-literal all --use-schema-description \
	--use-field-description --disable-timestamp --formatters builtin

.PHONY: help install generate _generate run test test-fast lint fuzz bench service compat release \
	image up down deploy-test _podman mutate

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

install: .venv/.installed ## Create .venv from uv.lock (a no-op when current)

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python $(PYTHON)
	touch $@

generate: install ## Regenerate every service's models and every used service's client from specs/
	$(MAKE) --no-print-directory _generate DEST=.

# The registry (services.toml) says what to generate: models for every service, a client for every
# service another one uses (with its settings in clients/<name>_client.config.yaml). ONLY=<name>:
# that service's models and the clients of the services it uses, no more (`make service`).
_generate:
	@$(BIN)/python -m tools.registry models $(ONLY) | while read -r spec package; do \
		mkdir -p $(DEST)/$$package && \
		$(BIN)/datamodel-codegen $(MODELS_FLAGS) --input $$spec --output $(DEST)/$$package/models.py \
			--custom-file-header "# Generated from $$spec by datamodel-codegen (make generate). Do not edit." \
			|| exit 1; \
	done
	@$(BIN)/python -m tools.registry clients $(ONLY) | while read -r spec client; do \
		mkdir -p $(DEST)/clients && rm -rf $(DEST)/clients/$$client && \
		$(BIN)/openapi-python-client generate --path $$spec --meta none --fail-on-warning \
			--config clients/$$client.config.yaml --output-path $(DEST)/clients/$$client >/dev/null \
			|| exit 1; \
	done

# `make run`: every registered service, each on $<NAME>_PORT (its port in services.toml) with
# $<NAME>_WORKERS uvicorn workers; a caller finds a service at $<NAME>_URL (the one started here
# unless set).
run: install ## Run every registered service in the foreground (Ctrl-C or SIGTERM stops all)
	@$(BIN)/python -m tools.launch

# `make fuzz`: longer schemathesis runs against every registered service, live, on ports the OS
# picks (tools/fuzz.py). schemathesis.toml holds the shared settings; FUZZ_SEED reproduces a run (a
# fresh seed each time by default, printed in the output).
FUZZ_EXAMPLES ?= 500
FUZZ_SEED ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')

fuzz: install ## Schemathesis against every live service; JUnit + HTML reports in reports/
	$(BIN)/python -m tools.fuzz --seed $(FUZZ_SEED) --examples $(FUZZ_EXAMPLES) --reports reports

service: install ## Scaffold a service: make service NAME=orders [USES=auth] (docs/services.md)
	@$(BIN)/python -m tools.scaffold "$(NAME)" $(if $(USES),--uses "$(USES)")

test: install lint compat ## Lint, the contract gate, then every test (what CI runs)
	$(BIN)/pytest

# The fast loop: the in-process tests only (no servers, make, browsers or containers), in seconds.
test-fast: install ## The in-process tests only, in seconds (no lint, no real processes)
	$(BIN)/pytest -m "not processes" -q

# `make bench PROFILE=1`: the per-layer profile alone (bench/profile.py, about a minute, no wrk).
bench: install ## Measure GET /info/ under load (wrk, ~5 min) and per layer; report in reports/bench/
	$(BIN)/python -m $(if $(PROFILE),bench.profile,bench) --out reports/bench

# `make compat`: every spec against its released version in specs/released/ (docs/contracts.md);
# `make compat OLD=a.yaml NEW=b.yaml`: any two files, through the project's `spec-compat`.
compat: install ## Does any spec break its released version? (or OLD=a.yaml NEW=b.yaml)
	@if [ -n "$(OLD)$(NEW)" ]; then $(BIN)/spec-compat "$(OLD)" "$(NEW)"; \
	else $(BIN)/python -m tools.compat gate; fi

release: install ## Move specs/released/ forward to the current specs, if make compat passes
	$(BIN)/python -m tools.compat release

lint: install $(SPECTRAL_INSTALLED) ## ruff, mypy --strict (generated code excluded); Spectral + OWASP rules on every spec
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(SPECTRAL) lint --ruleset tools/spectral/.spectral.yaml --fail-severity error --display-only-failures \
		$$($(BIN)/python -m tools.registry models | cut -d' ' -f1)

$(SPECTRAL_INSTALLED): tools/spectral/package.json tools/spectral/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install nodejs npm" >&2; exit 1; }
	npm ci --prefix tools/spectral --no-audit --no-fund --loglevel=error
	touch $@

# Containers (docs/deploy.md): one image for every service, compose for one machine, manifests for
# Kubernetes in deploy/k8s/. podman reads deploy/containers.conf (runc, cgroupfs, lower ulimits).
# BASE_IMAGE is built locally with mmdebstrap when missing (no registry needed); with a registry,
# `make image BASE_IMAGE=docker.io/library/python:3.11-slim` works too.
IMAGE ?= localhost/contract-first-microservices:latest
BASE_IMAGE ?= localhost/contract-first-microservices-base:bookworm-py3.11
# The host's CA bundle, for PyPI behind a TLS-intercepting proxy: a build secret, never in a layer.
CA_BUNDLE ?= $(firstword $(wildcard $(SSL_CERT_FILE) /etc/ssl/certs/ca-certificates.crt))
ifneq ($(CA_BUNDLE),)
CA_SECRET := --secret id=ca,src=$(CA_BUNDLE)
endif
COMPOSE_PROJECT ?= contract-first-microservices
export CONTAINERS_CONF ?= $(CURDIR)/deploy/containers.conf
COMPOSE := $(BIN)/podman-compose -p $(COMPOSE_PROJECT) -f compose.yaml
# `make up BUILD=0` starts the image as it is, without `make image` first.
BUILD ?= 1
# Where `make up` publishes the services on 127.0.0.1, as for `make run`.
AUTH_PORT ?= 8001
INFO_PORT ?= 8000

_podman:
	@command -v podman >/dev/null || { echo "podman is missing: apt-get install podman runc \
	catatonit uidmap mmdebstrap (Debian 12+, Ubuntu 22.04+); see docs/deploy.md" >&2; exit 1; }

image: install _podman ## Build the one image of every service (podman; IMAGE, BASE_IMAGE)
	@case "$(BASE_IMAGE)" in localhost/*) deploy/base-image.sh "$(BASE_IMAGE)";; esac
	podman build --quiet --build-arg BASE_IMAGE=$(BASE_IMAGE) \
		$(CA_SECRET) --tag $(IMAGE) . >/dev/null
	@podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' $(IMAGE)

up: install _podman $(if $(filter 1,$(BUILD)),image) ## Start both services in containers (compose), on 127.0.0.1:$INFO_PORT/$AUTH_PORT
	@IMAGE=$(IMAGE) AUTH_PORT=$(AUTH_PORT) INFO_PORT=$(INFO_PORT) $(COMPOSE) up --detach --no-build \
		|| { echo "make up failed; \`make down\` removes what it left" >&2; exit 1; }
	@$(BIN)/python -m tools.wait_ready http://127.0.0.1:$(AUTH_PORT)/readyz \
		http://127.0.0.1:$(INFO_PORT)/readyz \
		|| { $(COMPOSE) logs; echo "not ready; \`make down\` removes the containers" >&2; exit 1; }

down: install _podman ## Stop and remove what `make up` started
	IMAGE=$(IMAGE) $(COMPOSE) down --volumes --remove-orphans

deploy-test: install _podman ## Build the image, run it, validate compose and Kubernetes files
	$(BIN)/pytest tests/deploy

# `make mutate`: not part of `make test` (minutes of both cores). MUTATE_FLOOR fails the run below it;
# MUTANTS='common.ratelimit* info_service.auth*' tries only those (mutmut's names; default: all).
MUTATE_FLOOR ?= 90

mutate: install ## Mutation testing of services, common and the compat checker (mutmut); see docs/testing-strength.md
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(or $(MUTATE_JOBS),2) $(foreach m,$(MUTANTS),'$(m)')
	$(BIN)/python -m tools.mutation_score --floor $(MUTATE_FLOOR) $(foreach m,$(MUTANTS),'$(m)')
