# Quick start: `make demo`, `make run`, `make test`. Each target builds .venv/ first
# (Python 3.11 and pip only; idempotent: re-done only when the pinned requirements change).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORES  ?= 2
STAMP  := $(VENV)/.installed

.PHONY: demo run test lint clean-demo

$(STAMP): envs/requirements.txt envs/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r envs/requirements.txt -c envs/constraints.txt
	touch $@

# Each run ends with the Snakemake HTML report of what it made.
demo: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml
	$(BIN)/snakemake --cores $(CORES) --configfile config/demo.yaml --report results/demo/report.html

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml
	$(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml \
		--report results/descalzi2017/report.html

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/snakemake --lint --configfile config/demo.yaml

clean-demo:
	rm -rf results/demo resources/demo
