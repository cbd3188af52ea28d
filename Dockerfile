# syntax=docker/dockerfile:1
# shadowfig container: the proxy as a sidecar or standalone service.
#   docker build -t shadowfig .
#   docker run -p 8080:8080 -v $PWD/my.yaml:/etc/shadowfig/shadowfig.yaml:ro shadowfig
# The config lives at /etc/shadowfig/shadowfig.yaml ($SHADOWFIG_CONFIG); mount a directory
# there (Kubernetes ConfigMap) rather than a single file so hot reload sees edits.
# Every step of the runtime stage is exercised without Docker by
# test/ship/production-install.test.ts (same npm commands in a clean temp dir).

# Node 24 is the LTS line the test suite also runs on (scripts/test-on-node.sh 24).
ARG NODE_VERSION=24.21.0

# ---- build: dev dependencies, TypeScript → dist/ ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run tsc before the sources are copied; we build below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and dist/ only ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# tini as PID 1: forwards SIGTERM to node (graceful drain) and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    SHADOWFIG_CONFIG=/etc/shadowfig/shadowfig.yaml
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` runs tsc, a dev dependency that is not installed here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
COPY config/shadowfig.yaml /etc/shadowfig/shadowfig.yaml
# Captures (route `record.file`) and diff logs go to /var/lib/shadowfig, writable by `node`.
RUN mkdir -p /var/lib/shadowfig && chown node:node /var/lib/shadowfig
USER node
# 8080: proxy (listen.port); 9901: admin API, /metrics, /healthz, /readyz (admin.port).
EXPOSE 8080 9901
# Slim images have no curl; node's global fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9901/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli.js"]
CMD ["--config", "/etc/shadowfig/shadowfig.yaml"]
