# One image for every service in services.toml; the command picks the service:
#   podman run IMAGE uvicorn auth_service:app --port 8001
#   podman run IMAGE                              (info_service on 8000, the default command)
# Workers come from WEB_CONCURRENCY (uvicorn's own variable), the event loop from UVICORN_LOOP
# (uvloop accepting connections in batches: common/eventloop.py), everything else from the
# services' environment variables (README, Configuration). docs/deploy.md explains the choices.
#
# BASE_IMAGE is any Debian-like image with python3.11 on PATH: the default for users with a
# registry; `make image` builds a local one with mmdebstrap (deploy/base-image.sh).
ARG BASE_IMAGE=docker.io/library/python:3.11-slim

FROM ${BASE_IMAGE} AS build
ARG UV_VERSION=0.13.8
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    UV_PYTHON_DOWNLOADS=never UV_PYTHON=python3.11 UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
# A CA bundle for a TLS-intercepting proxy comes in as a build secret (`--secret id=ca,src=...`):
# mounted for one RUN, never in a layer. Without it, the stock certificates are used.
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi; \
    python3.11 -m venv /opt/uv && /opt/uv/bin/pip install --quiet "uv==${UV_VERSION}"
WORKDIR /app
# The locked runtime dependencies only (no dev group), in a layer that source edits do not touch.
# The project itself is not installed: the services run from /app, as `uvicorn auth_service:app`
# does from the repo root, so no build backend is needed.
COPY pyproject.toml uv.lock ./
RUN --mount=type=secret,id=ca,required=false --mount=type=cache,target=/root/.cache/uv \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi; \
    /opt/uv/bin/uv sync --locked --no-dev --no-install-project
COPY . /src
# Byte-compiled here: the running containers' root filesystem is read-only.
RUN /app/.venv/bin/python -m compileall -q /src

FROM ${BASE_IMAGE}
# A numeric user, so that Kubernetes' runAsNonRoot can check it; a passwd line for readable `ps`.
RUN echo "app:x:10001:10001:app:/app:/usr/sbin/nologin" >> /etc/passwd \
    && echo "app:x:10001:" >> /etc/group
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY --from=build /src /app
ENV PATH=/app/.venv/bin:$PATH PYTHONPATH=/app PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UVICORN_HOST=0.0.0.0 UVICORN_LOOP=common.eventloop:new_event_loop WEB_CONCURRENCY=1
USER 10001:10001
EXPOSE 8000 8001
CMD ["uvicorn", "info_service:app", "--port", "8000"]
