# Everything a fresh machine needs, in two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp


.PHONY: run test install assets migrate deploy postgres browser bench clean

$(STAMP): pyproject.toml $(wildcard package.json package-lock.json)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	if [ -f package.json ]; then npm ci --no-audit --no-fund --ignore-scripts; fi
	touch $(STAMP)

install: $(STAMP)

# The portal's front-end libraries, from node_modules into web/static/vendor (never committed).
assets: install
	$(BIN)/python -m web.assets

migrate: install
	$(BIN)/thidua db upgrade

deploy: migrate
	@models="$$(ls bpmn/*.bpmn bpmn/*.dmn 2>/dev/null)"; \
	if [ -n "$$models" ]; then $(BIN)/thidua deploy $$models; else echo "no models in bpmn/ yet"; fi

# Migrates, loads the demo Office, deploys bpmn/ and starts its 2025 campaign (once), then serves
# with gunicorn (`thidua serve`: 2 workers, one of whose schedulers acts; Ctrl-C stops it).
run: migrate assets
	$(BIN)/thidua demo
	$(BIN)/thidua serve

# The suite runs on SQLite and on the local PostgreSQL; start it when this machine has it stopped.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
	  (command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start) || \
	  echo "PostgreSQL is not running here; its tests will be skipped outside CI"

# The portal's browser tests drive Debian's Chromium through Playwright (never Playwright's download);
# official documents need Pango (WeasyPrint's PDF), poppler-utils (pdftoppm, the PNG artefacts) and
# fonts-liberation2 (Liberation Serif 2: Times-compatible, with every Vietnamese letter; version 1 lacks ơ, ư).
SYSTEM_PACKAGES := chromium poppler-utils fonts-liberation fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0
browser:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; fi

# The suite runs in one pytest-xdist worker per core, at most 4 (each worker keeps its own
# PostgreSQL databases, servers and browser); tests marked `serial` run with the other workers
# waiting (tests/serial.py). The 15 slowest tests are listed to keep an eye on the 20-minute budget.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
test: install assets postgres browser
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --durations=15

# The engine in process, the service over HTTP under gunicorn (bench/http.py, ports 18600-18650),
# then a province: 1,000 units on PostgreSQL (bench/province.py).
bench: install postgres
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/http.py
	$(BIN)/python bench/province.py

clean:
	rm -rf $(VENV) build *.egg-info
