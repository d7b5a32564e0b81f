"""CPU of one RRHO2 map with its permutation test, before and after the tail sum, by genes.

    .venv/bin/python -m bench.rrho_scale.run                    # 5k, 18k, 50k genes and the demo
    .venv/bin/python -m bench.rrho_scale.run --sizes 5000 demo --reps 1
    .venv/bin/python -m bench.rrho_scale.run --before <git revision>

"before" is ``src/painstress/compare/rrho.py`` at ``--before`` (default: the last commit
whose cell p-values came from scipy's ``hypergeom.sf``), read with ``git show``; "after" is
the working tree's. Each run is a fresh single-threaded process timing ``rrho2`` alone
(``time.process_time``, inputs made before the clock starts) with 1,000 permutations, as
rule rrho2 runs it. Synthetic lists: ``a`` standard normal scores, ``b = 0.3 a + noise``
(seeded), so every quadrant has cells near and far from the null. ``demo``: the demo's
NAc pain and stress DE tables (results/demo/de/NAc, from ``make demo``), as the rule
reads them. Within a repetition the two versions alternate, and the order flips between
repetitions. Results go to <out> (``runs.tsv``, ``scale.md``); ``scale.md`` gives the
median (range) CPU and the growth exponent between sizes (``log(CPU ratio) / log(genes
ratio)``: 1 is linear), and says whether the two versions' maps and p-values agree.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.workflow_cost.run import spread

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BEFORE = "dd6dd0c188e2e39ce22ad2ed86521d5666cf5251"
PERMUTATIONS = 1000
DEMO_DE = REPO / "results" / "demo" / "de" / "NAc"


def load_module(version: str, revision: str):
    """The rrho module of the working tree ("after") or of ``revision`` ("before")."""
    if version == "after":
        from painstress.compare import rrho
        return rrho
    source = subprocess.run(["git", "-C", str(REPO), "show",
                             f"{revision}:src/painstress/compare/rrho.py"],
                            check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "rrho_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("rrho_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def inputs(size: str, rrho) -> tuple[pd.Series, pd.Series]:
    if size == "demo":
        return tuple(rrho.signed_scores(pd.read_csv(DEMO_DE / f"{contrast}.tsv", sep="\t"))
                     for contrast in ("SNI_vs_sham", "CUS_vs_control"))
    n = int(size)
    rng = np.random.default_rng(n)
    a = pd.Series(rng.normal(size=n), index=np.arange(1, n + 1))
    return a, pd.Series(0.3 * a.to_numpy() + rng.normal(size=n), index=a.index)


def worker(version: str, size: str, revision: str) -> None:
    rrho = load_module(version, revision)
    a, b = inputs(size, rrho)
    start = time.process_time()
    result = rrho.rrho2(a, b, permutations=PERMUTATIONS, seed=0)
    cpu = time.process_time() - start
    print(json.dumps({"genes": result.n_genes, "cells": int(result.log_p.size), "cpu_s": cpu,
                      "log_p": result.log_p.ravel().tolist(),
                      "pvalues": result.best["pvalue_permutation"].tolist()}))


def run(version: str, size: str, revision: str) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "bench.rrho_scale.run", "--worker", version,
                           size, "--before", revision], capture_output=True, text=True,
                          env=env, cwd=REPO)
    if proc.returncode:
        raise RuntimeError(f"{version} {size} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def table(runs: pd.DataFrame, agree: dict) -> str:
    lines = ["| input | genes | cells | before CPU s | after CPU s | speed-up | maps agree "
             "(max rel. diff) | p-values equal |", "|---|---:|---:|---:|---:|---:|---:|:-:|"]
    medians = {}
    for size, mine in runs.groupby("size", sort=False):
        cpu = {v: mine.loc[mine.version == v, "cpu_s"].tolist() for v in ("before", "after")}
        medians[size] = {v: float(np.median(c)) for v, c in cpu.items()}
        rel, same = agree[size]
        lines.append(f"| {size} | {mine.genes.iloc[0]} | {mine.cells.iloc[0]} | "
                     f"{spread(cpu['before'], 2)} | {spread(cpu['after'], 2)} | "
                     f"{medians[size]['before'] / medians[size]['after']:.1f}× | {rel:.1e} | "
                     f"{'yes' if same else 'NO'} |")
    sizes = [s for s in medians if s != "demo"]
    genes = runs.groupby("size")["genes"].first()
    lines += ["", "Growth exponent of CPU (log CPU ratio / log genes ratio):", ""]
    for small, large in zip(sizes, sizes[1:]):
        exponent = {v: math.log(medians[large][v] / medians[small][v])
                    / math.log(genes[large] / genes[small]) for v in ("before", "after")}
        lines.append(f"- {small} → {large} genes: before {exponent['before']:.2f}, "
                     f"after {exponent['after']:.2f}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["5000", "18000", "50000", "demo"])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--before", default=BEFORE, help="git revision of the 'before' module")
    parser.add_argument("--out", type=Path, default=REPO / "results" / "bench" / "rrho_scale")
    parser.add_argument("--worker", nargs=2, metavar=("VERSION", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(*args.worker, args.before)
        return
    if "demo" in args.sizes and not DEMO_DE.is_dir():
        sys.exit(f"{DEMO_DE} is missing: run `make demo` first, or leave out the demo size")
    args.out.mkdir(parents=True, exist_ok=True)
    rows, agree = [], {}
    for rep in range(args.reps):
        for size in args.sizes:
            order = ("before", "after") if rep % 2 == 0 else ("after", "before")
            got = {version: run(version, size, args.before) for version in order}
            for version in order:
                rows.append({"rep": rep, "size": size, "version": version,
                             **{k: got[version][k] for k in ("genes", "cells", "cpu_s")}})
                print(rows[-1], flush=True)
            before, after = (np.array(got[v]["log_p"]) for v in ("before", "after"))
            rel = float(np.max(np.abs(after - before) / np.maximum(before, 1e-300),
                               where=before > 1e-3, initial=0.0))
            same = got["before"]["pvalues"] == got["after"]["pvalues"]
            old = agree.get(size, (0.0, True))
            agree[size] = (max(old[0], rel), old[1] and same)
            runs = pd.DataFrame(rows)
            runs.to_csv(args.out / "runs.tsv", sep="\t", index=False)
            (args.out / "scale.md").write_text(table(runs, agree))
    print((args.out / "scale.md").read_text())


if __name__ == "__main__":
    main()
