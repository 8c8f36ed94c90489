# The portal's front-end libraries come from the npm registry (package-lock.json), never the repository.
FROM node:20-slim AS assets
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY web web
RUN python3 -m web.assets

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine engine
COPY workflows workflows
COPY web web
COPY bpmn bpmn
COPY --from=assets /app/web/static/vendor web/static/vendor
RUN pip install --no-cache-dir .
EXPOSE 8000
