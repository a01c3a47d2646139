# The README's two commands are `make run` and `make test`; both set everything up first.
PY := .venv/bin/python
# `make run RUN_ARGS="--quarters 1 --port 8870"` passes options to `ftlib run`;
# `make bench BENCH="engine metrics"` runs some benchmarks only.
RUN_ARGS ?=
BENCH ?=

.PHONY: setup run test lint bench
setup:
	@bash scripts/setup.sh

run: setup
	@$(PY) -m ftlib run $(RUN_ARGS)

test: setup
	@$(PY) -m ruff check ftlib tests benchmarks
	@$(PY) -m pytest -n 2 -q --durations=25

lint: setup
	@$(PY) -m ruff check ftlib tests benchmarks
	@$(PY) -m ftlib lint

bench: setup
	@$(PY) benchmarks/run.py $(BENCH)
