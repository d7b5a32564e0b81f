# Quick start: `make demo`, `make run`, `make test` (lint, then the tests). Each target
# builds .venv/ first (Python 3.11 and pip only; idempotent: re-done only when the pinned
# requirements change).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORES  ?= 2
STAMP  := $(VENV)/.installed

.PHONY: demo run study test lint clean-demo

# The pinned tools and libraries, then this package itself (editable: src/ is what runs),
# installed by uv with pip's settings (envs/install.py); `make INSTALLER=pip ...`: by pip.
INSTALLER ?= uv
$(STAMP): envs/requirements.txt envs/constraints.txt pyproject.toml envs/install.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python envs/install.py --installer $(INSTALLER)
	touch $@

# `make run` analyses the study of CONFIG (default config/config.yaml; `make run
# CONFIG=my.yaml` for another), `make demo` the offline demo. The config is checked first
# (file, line and what to fix), then Snakemake runs; each run ends with the Snakemake HTML
# report of what it made, in the study's results folder (results/<study.name>/). One run
# at a time in this folder: a second one is refused at once (flock, util-linux).
CONFIG ?= config/config.yaml
LOCK   := .snakemake/make-run.lock

demo: CONFIG = config/demo.yaml
demo run: $(STAMP)
	@mkdir -p $(dir $(LOCK)) && flock --nonblock --conflict-exit-code 75 $(LOCK) \
		$(MAKE) --no-print-directory study CONFIG="$(CONFIG)"; status=$$?; \
	if [ $$status -eq 75 ]; then \
		echo "another make run is running in this folder ($(LOCK) is held); wait for it to end" >&2; \
	fi; exit $$status

# The run itself, under the lock. RESULTS: the config's results folder (its errors are
# shown by the check, the recipe's first line).
study: RESULTS = $(shell $(BIN)/python -m painstress.config --results-dir "$(CONFIG)" 2>/dev/null)
study:
	$(BIN)/python -m painstress.config "$(CONFIG)"
	@# first the samples and where each contrast takes them from (arms.tsv): a region
	@# where a contrast has no arm is then left out of the plan of the whole run
	$(BIN)/snakemake --cores $(CORES) --configfile "$(CONFIG)" --until contrast_arms
	$(BIN)/snakemake --cores $(CORES) --configfile "$(CONFIG)"
	$(BIN)/snakemake --cores $(CORES) --configfile "$(CONFIG)" --report $(RESULTS)/report.html
	@echo "Results: $(RESULTS)/ (the answer: $(RESULTS)/answer.html; methods: $(RESULTS)/methods.md)"
	@echo "Report:  $(RESULTS)/report.html"

test: lint
	$(BIN)/python -m pytest

# Python (ruff), Snakefiles (snakefmt) and Snakemake's own linter; configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint --configfile config/demo.yaml

clean-demo:
	rm -rf results/demo resources/demo
