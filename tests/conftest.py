"""Shared fixtures: a small simulated study (in memory, and written once in GEO/NCBI
formats), paths, the recovery bar, and the one whole-workflow run on the CI-sized demo
(ci_run) that every test needing a finished demo shares: read it, or copy it (copy_run)
to change it; copying a finished run is far cheaper than running it again.

The tests run on one worker per core (pytest-xdist, ``-n auto`` in pyproject.toml; ``-n 0``
runs them in this process). Each worker has its own session, so what a whole session
shares is built once for all of them (shared_build), and the order below starts the
longest tests first."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

# One BLAS thread in the tests' own process (set before numpy loads): their matrices are
# small, and OpenBLAS's threads, fighting for two busy cores, made a 4 s model fit take
# 30 s. Snakemake sets the same variables to each job's threads, so the workflow's jobs
# compute as before.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# The tests' NCBI is a server on 127.0.0.1 (tests/geo_server.py): with an API key NCBI
# allows 10 requests a second, not 3, so the client waits a third as long between them.
# tests/test_fetch.py checks the key's use, and the rate with and without one.
os.environ.setdefault("NCBI_API_KEY", "loopback-test-key")

# Ctrl-C as in a terminal, however the tests were started: a shell starts a background
# command (`make test &`, nohup) with SIGINT ignored, every process it starts inherits
# that, and the tests that send Ctrl-C to a run would see it ignored. A handler (not
# SIG_IGN) is reset to the default in each program this process starts.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

import pytest  # noqa: E402
import yaml  # noqa: E402
from filelock import FileLock  # noqa: E402

from painstress.demo import simulate  # noqa: E402

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


def pytest_collection_modifyitems(items):
    """The longest tests first (the SLURM cluster, then the whole-workflow runs, each group
    in file order), the quick ones after: the workers then end together instead of one
    finishing a long run alone. xdist hands the tests out in this order, one test (or one
    xdist_group: tests sharing an expensive module fixture) at a time."""
    def rank(item):
        return (0 if item.get_closest_marker("slurm") else
                1 if item.get_closest_marker("workflow") else 2)

    items.sort(key=rank)  # stable: file order within each rank


def shared_build(tmp_path_factory, name: str, build) -> dict:
    """``build(folder)`` run once for the whole test run, its JSON-able result returned to
    every worker. Under xdist each worker is a session of its own: the first to ask builds
    in a folder beside the workers' own (under a file lock), the others wait and read what
    it wrote; a failed build is recorded, so that the others fail at once with its message
    instead of building again (pytest-xdist docs: "Making session-scoped fixtures execute
    only once")."""
    base = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return build(tmp_path_factory.mktemp(name))
    root = base.parent  # pytest-N/, shared by this run's workers (popen-gw0, popen-gw1, ...)
    record = root / f"{name}.json"
    with FileLock(str(root / f"{name}.lock")):
        if not record.exists():
            folder = root / name
            try:
                result = {"ok": build(folder)}
            except BaseException as error:
                record.write_text(json.dumps({"error": f"{type(error).__name__}: {error}"}))
                raise
            record.write_text(json.dumps(result))
    result = json.loads(record.read_text())
    if "error" in result:
        pytest.fail(f"{name}, built by another worker, failed: {result['error']}")
    return result["ok"]


def installer():
    """envs/install.py (make's installer: pip's settings passed to uv) as a module; its
    ``install_into(python, *arguments)`` fills the tests' own virtual environments."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("install", REPO / "envs" / "install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


@pytest.fixture(scope="session")
def demo_study(tmp_path_factory) -> dict[str, Path]:
    """The CI-sized demo study in GEO/NCBI formats, written once per session
    (simulate.write_demo_study) into a folder laid out as ``resources/<STUDY>/``: file key
    -> path. Read it, or copy it with copy_demo_study; never change it."""
    def build(folder: Path) -> dict[str, str]:
        written = simulate.write_demo_study(folder / "resources" / STUDY, "GSE000001",
                                            "GSE000002", SMALL)
        return {key: str(path) for key, path in written.items()}

    return {key: Path(path) for key, path in
            shared_build(tmp_path_factory, "demo_study", build).items()}


def demo_study_folder(demo_study: dict[str, Path]) -> Path:
    """The folder demo_study was written into (its ``resources/<STUDY>/``)."""
    return demo_study["pain_counts"].parents[1]


def copy_demo_study(demo_study: dict[str, Path], workdir: Path) -> Path:
    """The demo study copied into ``workdir/resources/<STUDY>/`` (as the demo run would
    write it); returns that folder."""
    target = Path(workdir) / "resources" / STUDY
    shutil.copytree(demo_study_folder(demo_study), target, dirs_exist_ok=True)
    return target


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
    """The whole workflow on the CI-sized demo, once per test run (``--cores 2``); read
    only: a test that runs Snakemake there again, or writes there, works in a copy."""
    def build(workdir: Path) -> dict:
        workdir.mkdir(parents=True, exist_ok=True)
        configfile = write_config(workdir)
        start = time.monotonic()
        done = snakemake(workdir, configfile)
        assert done.returncode == 0, done.output[-5000:]
        return {"workdir": str(workdir), "configfile": str(configfile),
                "seconds": time.monotonic() - start}

    built = shared_build(tmp_path_factory, "workflow", build)
    run = WorkflowRun((Path(built["workdir"]), Path(built["configfile"])))
    run.seconds = built["seconds"]
    return run


def copy_run(run: Path, workdir: Path) -> Path:
    """A finished run's folder (config, results, resources, Snakemake's records) copied into
    ``workdir`` with its timestamps: a rerun there has nothing to do until something is
    removed or changed, and the original stays as it was for the tests that read it."""
    shutil.copytree(run, workdir, symlinks=True, dirs_exist_ok=True)
    config = Path(workdir) / "config.yaml"
    config.write_text(config.read_text())  # same content; Snakemake reads it from here
    return Path(workdir)


def remove_de_fits(workdir: Path, region: str = "*") -> None:
    """The DE fits' outputs (``results/<STUDY>/de/<region>/*``) and logs removed, as if they
    had never run: a rerun ``--until overlap`` in a copy of ci_run fits those models (the
    six, or the two of one ``region``) and the overlap again (a test that watches for a
    fit's log sees only the new one's)."""
    out = Path(workdir) / "results" / STUDY
    for path in [*(out / "de").glob(f"{region}/*"),
                 *(out / "logs" / "deseq2").glob(f"{region}.*")]:
        path.unlink()
