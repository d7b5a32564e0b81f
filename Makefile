# Quick start: `make demo`, `make run`, `make test` (lint, then the tests). Each target
# builds .venv/ first (Python 3.11 and pip only; idempotent: re-done only when the pinned
# requirements change).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORES  ?= 2
STAMP  := $(VENV)/.installed

.PHONY: demo run test lint clean-demo

# The pinned tools and libraries, then this package itself (editable: src/ is what runs).
$(STAMP): envs/requirements.txt envs/constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r envs/requirements.txt -c envs/constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Each run ends with the Snakemake HTML report of what it made.
demo: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml --report results/demo/report.html
	@echo "Results: results/demo/ (the answer: results/demo/answer.html; methods: results/demo/methods.md)"
	@echo "Report:  results/demo/report.html"

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml
	$(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml \
		--report results/descalzi2017/report.html
	@echo "Results: results/descalzi2017/ (the answer: results/descalzi2017/answer.html; methods: results/descalzi2017/methods.md)"
	@echo "Report:  results/descalzi2017/report.html"

test: lint
	$(BIN)/python -m pytest

# Python (ruff), Snakefiles (snakefmt) and Snakemake's own linter; configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint --configfile config/demo.yaml

clean-demo:
	rm -rf results/demo resources/demo
