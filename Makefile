# Two commands: `make demo` runs the whole pipeline on the embedded defaults; `make test` runs the tests.
# Each sets itself up (uv, the locked environment) on a fresh machine with only Python 3.11+ and make.

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen

.PHONY: help env setup demo test test-servers eval train lint bench bench-scale bench-classification airflow-ui warehouse-url clean

help:
	@echo "make demo         set up, then run every DAG through Airflow on the sample data and print the report path"
	@echo "make test         set up, then run the test suite"
	@echo "make eval         the classifier's precision, recall and F1 on the held-out labelled corpus"
	@echo "make train        refit the classifier on the labelled corpus (rewrites its artefact)"
	@echo "make lint         ruff: lint and format check"
	@echo "make bench        landing, readers, transform, files to report and a day's delta, DAG parse (BENCH_SCALE=1)"
	@echo "make bench-scale  files to report and a day's delta at a million contacts (SCALE=142; about 20 minutes)"
	@echo "make bench-classification  what classification adds to dbt build (see BENCHMARKS.md)"
	@echo "make airflow-ui   Airflow's UI on http://localhost:8080 (airflow standalone) for the demo's DAGs"
	@echo "make warehouse-url  the embedded warehouse's DSN (psql, BI tools)"
	@echo "make clean        stop the embedded warehouse and delete .voc/"

env:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode  # bytecode once, not in every process (PYTHONDONTWRITEBYTECODE machines)

setup: env
	@$(RUN) voc setup

demo: setup
	@$(RUN) voc demo

# A real IMAP server for the live email tests (Debian's dovecot-imapd), installed when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
test-servers:
	@command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || { \
	  echo "installing dovecot-imapd (a real IMAP server the tests start on 127.0.0.1)"; \
	  $(SUDO) apt-get install -y -q dovecot-imapd >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q dovecot-imapd >/dev/null; } || \
	  { echo "cannot install dovecot-imapd: install Dovecot's IMAP server (Debian: apt-get install dovecot-imapd), then make test" >&2; exit 1; }; }

test: env test-servers
	@$(RUN) pytest

eval: env
	@$(RUN) voc eval

train: env
	@$(RUN) voc train

lint: env
	@$(RUN) ruff check plugins dags tests bench
	@$(RUN) ruff format --check plugins dags tests bench

BENCH_SCALE ?= 1
bench: env
	@$(RUN) python bench/bench_landing.py --scale $(BENCH_SCALE)
	@$(RUN) python bench/bench_readers.py --scale $(BENCH_SCALE)
	@$(RUN) python bench/bench_transform.py --scale $(BENCH_SCALE)
	@$(RUN) python bench/bench_scale.py --scale $(BENCH_SCALE)
	@$(RUN) voc manifest >/dev/null && $(RUN) python bench/bench_dag_parse.py

SCALE ?= 142
bench-scale: env
	@$(RUN) python bench/bench_scale.py --scale $(SCALE)

bench-classification: env
	@$(RUN) python bench/bench_classification.py --scale 4 --repeat 3

airflow-ui: setup
	@eval "$$($(RUN) voc airflow-env)" && $(RUN) airflow standalone

warehouse-url: env
	@$(RUN) voc warehouse url

clean:
	-@$(RUN) voc warehouse stop
	rm -rf .voc dbt_project/target dbt_project/logs expectations/uncommitted
