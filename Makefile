# The README's commands (run, serve, test), plus the benchmark and the load run.
# Every dependency comes from the project's own files.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run serve test bench load lint clean

$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Test tools from the npm registry (package-lock.json pins them): axe-core for the accessibility tests, and
# Appwrite's official web (appwrite) and Node server (node-appwrite) SDKs for localappwrite's client tests.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed-runtime
	$(PY) -m dashboard.demo

# Production: DEBUG off, static files collected (hashed names, gzip copies), gunicorn with gunicorn.conf.py (its
# asyncio worker reads whole requests before a thread runs Django; 127.0.0.1:8000 unless BIND_ADDRESS/PORT say).
# MALLOC_ARENA_MAX=2: glibc gives every thread its own memory arena otherwise, and a worker's memory creeps up
# (bench/README.md, "Load and soak": +6-7% over 10 minutes with the default, +3-5% and levelling off with 2).
# The settings are vetted first (`--check-config` says what is missing or weak), then the files collected, then served.
serve: $(VENV)/.installed-runtime
	@DJANGO_DEBUG=0 $(VENV)/bin/gunicorn --config gunicorn.conf.py --check-config
	DJANGO_DEBUG=0 $(PY) manage.py collectstatic --noinput
	DJANGO_DEBUG=0 MALLOC_ARENA_MAX=$${MALLOC_ARENA_MAX:-2} exec $(VENV)/bin/gunicorn --config gunicorn.conf.py

# The suite in two phases: everything but the `serial` tests in parallel (pytest-xdist, TEST_WORKERS processes,
# each with its own localappwrite), then the tests that time a window, alone. A failure in either fails the run.
TEST_WORKERS ?= 3

# What the suite needs from Debian, when it is missing: redis-server, and Chromium for the browser tests unless
# $$CHROMIUM names a browser of one's own (without one they are skipped with the reason, and fail with CI=true).
test: $(VENV)/.installed-dev node_modules/.installed
	@command -v redis-server >/dev/null 2>&1 || ./.ci/install-debian-packages redis-server
	@[ -n "$${CHROMIUM:-}" ] || [ -x /usr/bin/chromium ] || ./.ci/install-debian-packages chromium \
		|| echo "chromium could not be installed: the browser tests will say so" >&2
	@status=0; \
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not serial" || status=$$?; \
	$(PY) -m pytest -m serial || status=$$?; \
	exit $$status

bench: $(VENV)/.installed-dev
	$(PY) -m bench

# 50 signed-in agents for 60 s against gunicorn (2 workers) and localappwrite: see bench/README.md.
load: $(VENV)/.installed-dev
	$(PY) -m bench.load

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
