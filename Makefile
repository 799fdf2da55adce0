# Red Abierta — two commands: `make run` (set up, migrate, seed the demo, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8050
WORKERS ?= 2
DATABASE_URL ?= sqlite:///$(CURDIR)/instance/redabierta.db
PYTEST_ARGS ?=
SIMULATE ?= 1
export DATABASE_URL

.PHONY: setup system-deps run serve test test-sqlite test-postgres bench clean

## Python environment (re-created when the requirements change).
$(VENV)/.stamp: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import dash, geopandas, weasyprint, kaleido, playwright"
	touch $@

## Debian packages: Chromium (charts to PDF, browser tests) and poppler (PDF checks).
.stamp-system: 
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Instalando paquetes Debian:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "AVISO: faltan paquetes Debian ($$missing); los PDF con gráficos y las pruebas de navegador no funcionarán."; fi; \
	fi
	touch $@

system-deps: .stamp-system

setup: $(VENV)/.stamp system-deps

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	chmod 600 $@

## Serve the app with the demo dataset on http://$(HOST):$(PORT)
run: setup instance/secret_key
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/flask --app app db upgrade
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/flask --app app seed --if-empty
	@echo "Red Abierta en http://$(HOST):$(PORT)  (cuentas de demostración en README.md)"
	@# SIMULATE=1: the real-time control-room simulator feeds the HTTP ingest in the background (no broker needed).
	export SECRET_KEY=$$(cat instance/secret_key); \
	if [ "$(SIMULATE)" = 1 ]; then \
	  $(BIN)/flask --app app realtime simulate --url http://$(HOST):$(PORT) --interval 5 > instance/simulator.log 2>&1 & \
	  SIM=$$!; trap 'kill $$SIM 2>/dev/null' EXIT INT TERM; \
	  echo "Simulador de tiempo real en segundo plano (instance/simulator.log)"; \
	fi; \
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) \
	  --access-logfile - 'app:server'  # threads, timeout, keep-alive: gunicorn.conf.py

## The whole suite: SQLite (everything, including browser tests), then PostgreSQL.
test: setup
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	$(BIN)/python -m pytest --db=sqlite $(PYTEST_ARGS)

test-postgres:
	$(BIN)/python -m pytest --db=postgres -m "not browser" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .stamp-system instance tests/screenshots

## Benchmarks on the large dataset (PostgreSQL by default; BENCH_DB=sqlite:///... for SQLite)
BENCH_DB ?= postgresql+psycopg://postgres@127.0.0.1:5432/redabierta_bench
bench: setup
	$(BIN)/python -m bench.run --database-url $(BENCH_DB) $(BENCH_ARGS)
