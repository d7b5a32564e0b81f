"""Shared fixtures: a small simulated study, paths, the recovery bar, and the one
whole-workflow run on the CI-sized demo that the workflow and SLURM tests share."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from painstress.demo import simulate

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures" / "geo"

# What a correct analysis must achieve on the planted shared genes (modern definition,
# padj < 0.05 in both models, same direction). Measured on the CI-sized demo: see
# README "What has been verified". A broken analysis (shuffled labels, a reversed
# contrast) falls far below; tests/test_recovery.py checks that it does.
RECOVERY_BAR = {"precision": 0.8, "recall": 0.6}

# A CI-sized demo: same design as config/demo.yaml, fewer genes.
SMALL = simulate.SMALL_STUDY


def meets_bar(score: dict) -> bool:
    return all(score[key] >= value for key, value in RECOVERY_BAR.items())


@pytest.fixture(scope="session")
def small_study() -> dict:
    """The CI-sized simulated study, in memory (see painstress.demo.simulate.simulate_study)."""
    return simulate.simulate_study(SMALL)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"real GEO fixtures not found at {FIXTURES} (shared/ beside the repo)")
    return FIXTURES


STUDY = "ci"


def snakemake(workdir, configfile, *args, timeout=1200):
    """Run Snakemake on this repository's Snakefile with ``workdir`` as working folder."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(workdir), "--configfile", str(configfile), "--cores", "2",
               "--show-failed-logs", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    done.output = done.stdout + done.stderr
    return done


def write_config(folder, **changes):
    """config/demo.yaml shrunk to the CI-sized study (SMALL), plus changes."""
    config = yaml.safe_load((REPO / "config" / "demo.yaml").read_text())
    config["study"]["name"] = STUDY
    config["simulate"] = {"seed": SMALL.seed, "n_genes": SMALL.n_genes,
                          "de_genes": SMALL.de_genes, "shared_genes": SMALL.shared_genes}
    for key, value in changes.items():
        section, _, name = key.partition(".")
        if name:
            config.setdefault(section, {})[name] = value
        elif value is None:
            config.pop(section)
        else:
            config[section] = value
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


class WorkflowRun(tuple):
    """(workdir, configfile) of a finished run, with its wall time in ``seconds``."""

    seconds: float


@pytest.fixture(scope="session")
def ci_run(tmp_path_factory) -> WorkflowRun:
    """The whole workflow on the CI-sized demo, once per session (``--cores 2``)."""
    workdir = tmp_path_factory.mktemp("workflow")
    configfile = write_config(workdir)
    start = time.monotonic()
    done = snakemake(workdir, configfile)
    assert done.returncode == 0, done.output[-5000:]
    run = WorkflowRun((workdir, configfile))
    run.seconds = time.monotonic() - start
    return run
