"""Speed of the DE step: pydeseq2 (the workflow's call) against R DESeq2, per step (issue #6).

    .venv/bin/python bench/de_speed/run.py                  # default plan -> results/bench/de_speed/
    .venv/bin/python bench/de_speed/run.py --only sim12 --reps 3 --configs rule r
    .venv/bin/python bench/de_speed/run.py --profile sim12  # cProfile of one pydeseq2 run
                                                      # (n_cpus=1, OPENBLAS_NUM_THREADS=1)
    .venv/bin/python bench/de_speed/run.py --workflow       # the whole demo, cached inputs
    .venv/bin/python bench/de_speed/run.py --tables         # speed.md from runs.tsv

Every run is a fresh process (so peak memory is that run's): pydeseq2 runs
painstress.de.run_contrast exactly as rule deseq2 calls it, with pydeseq2's methods
wrapped by timers (top-level calls only); R runs bench/parity/deseq2.R in "steps" mode
(DESeq()'s body one step at a time, then results()). Within one repetition the tools
alternate, and the order flips between repetitions. Peak memory is the largest sampled
RSS summed over the process and its children (pydeseq2's joblib workers), every 50 ms.

Configurations (``--configs``):
  rule    pydeseq2 with n_cpus = rule deseq2's ``threads:`` (read from workflow/rules/de.smk)
  cpu1    pydeseq2, n_cpus=1: one process, BLAS threads left at OpenBLAS's default
  cpu1b   pydeseq2, n_cpus=1 with OPENBLAS_NUM_THREADS=1 (see docs/benchmarks.md)
  cpu2    pydeseq2, n_cpus=2: joblib (loky) workers, one BLAS thread each
  r       R DESeq2 (single-threaded)

Writes <out>/runs.tsv (one row per run and step), <out>/speed.md (the tables of
docs/benchmarks.md), <out>/profile_<matrix>_<config>.txt, <out>/workflow.tsv.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "bench" / "parity"))

import matrices  # noqa: E402  (also puts src/ on sys.path)

R_SCRIPT = REPO / "bench" / "parity" / "deseq2.R"


def rule_threads(path: Path = REPO / "workflow" / "rules" / "de.smk") -> int:
    """``threads:`` of rule deseq2 (its n_cpus for pydeseq2); 1 if not found."""
    match = re.search(r"rule deseq2:.*?\n\s+threads:\s*(\d+)", path.read_text(), re.S)
    return int(match.group(1)) if match else 1


CONFIGS = {
    "rule": {"tool": "pydeseq2", "n_cpus": rule_threads(), "env": {}},
    "cpu1": {"tool": "pydeseq2", "n_cpus": 1, "env": {}},
    "cpu1b": {"tool": "pydeseq2", "n_cpus": 1, "env": {"OPENBLAS_NUM_THREADS": "1"}},
    "cpu2": {"tool": "pydeseq2", "n_cpus": 2, "env": {}},
    "r": {"tool": "R", "n_cpus": 1, "env": {}},
}
# pydeseq2 method -> step. Only top-level calls are timed (refit() re-runs the
# dispersion steps on the outlier genes inside "cooks_refit").
PY_STEPS = {
    ("dds", "__init__"): "setup", ("ds", "__init__"): "setup",
    ("dds", "fit_size_factors"): "size_factors",
    ("dds", "fit_genewise_dispersions"): "genewise_dispersions",
    ("dds", "fit_dispersion_trend"): "trend", ("dds", "fit_dispersion_prior"): "trend",
    ("dds", "fit_MAP_dispersions"): "MAP_dispersions",
    ("dds", "fit_LFC"): "LFC",
    ("dds", "calculate_cooks"): "cooks_refit", ("dds", "refit"): "cooks_refit",
    ("dds", "cooks_outlier"): "cooks_refit",
    ("ds", "run_wald_test"): "Wald",
    ("ds", "_cooks_filtering"): "results", ("ds", "_independent_filtering"): "results",
    ("ds", "_p_value_adjustment"): "results",
    ("ds", "lfc_shrink"): "lfc_shrink",
}
# Rows of the step table; R's nbinomWaldTest fits the LFCs and tests in one call.
STEP_ROWS = [("size factors", ["size_factors"], ["size_factors"]),
             ("genewise dispersions", ["genewise_dispersions"], ["genewise_dispersions"]),
             ("trend + prior", ["trend"], ["trend"]),
             ("MAP dispersions", ["MAP_dispersions"], ["MAP_dispersions"]),
             ("LFC (IRLS) + Wald", ["LFC", "Wald"], ["LFC_and_Wald"]),
             ("Cook's outliers, refit", ["cooks_refit"], ["cooks_refit"]),
             ("results (filtering, BH)", ["results"], ["results"]),
             ("setup and rest", ["setup", "other"], ["setup"]),
             ("**DESeq() + results() equivalent**", None, None),
             ("LFC shrinkage (apeGLM)", ["lfc_shrink"], []),
             ("**whole DE call**", None, None)]
NO_SHRINK = ["size_factors", "genewise_dispersions", "trend", "MAP_dispersions", "LFC",
             "Wald", "cooks_refit", "results", "setup", "other"]


# ----------------------------------------------------------------------------- workers


def _instrument(timings: dict) -> None:
    """Wrap pydeseq2's step methods with wall-clock timers (top-level calls only)."""
    from pydeseq2.dds import DeseqDataSet
    from pydeseq2.ds import DeseqStats

    classes = {"dds": DeseqDataSet, "ds": DeseqStats}
    depth = [0]

    def wrap(method, step):
        def timed(*args, **kwargs):
            depth[0] += 1
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    timings[step] = timings.get(step, 0.0) + time.perf_counter() - start
        return timed

    for (cls, name), step in PY_STEPS.items():
        setattr(classes[cls], name, wrap(getattr(classes[cls], name), step))


def py_worker(input_dir: Path, n_cpus: int, result: Path, profile: Path | None) -> None:
    """One pydeseq2 run in this process: run_contrast as the rule calls it, timed."""
    from painstress import de

    with open(input_dir / "matrix.pkl", "rb") as handle:
        matrix = pickle.load(handle)
    timings: dict = {}
    if profile is None:
        _instrument(timings)
    kwargs = matrix.run_contrast_kwargs(n_cpus)
    start = time.perf_counter()
    if profile is not None:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    results, summary = de.run_contrast(matrix.counts, matrix.sheet, **kwargs)
    total = time.perf_counter() - start
    if profile is not None:
        profiler.disable()
        with open(profile, "w") as out:
            out.write(f"# cProfile of painstress.de.run_contrast on {matrix.name}, "
                      f"n_cpus={n_cpus}, OPENBLAS_NUM_THREADS="
                      f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; "
                      f"wall {total:.1f} s (profiler overhead included)\n")
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(35)
            stats.sort_stats("tottime").print_stats(15)
    timings["other"] = total - sum(timings.values())
    timings["total"] = total
    result.write_text(json.dumps({"steps": timings, "genes": summary["genes_tested"]}))


# ----------------------------------------------------------------------------- driver


def _tree_rss(process) -> int:
    """Resident memory of a process and its children, bytes (0 once it is gone)."""
    import psutil

    try:
        procs = [process] + process.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def measured(command: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``command``; return (wall seconds, peak tree RSS in MiB, completed process)."""
    import psutil

    start = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    process, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(process))
        time.sleep(0.05)
    stdout, stderr = child.communicate()
    wall = time.perf_counter() - start
    done = subprocess.CompletedProcess(command, child.returncode, stdout, stderr)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} ... failed:\n{stderr[-3000:]}")
    return wall, peak / 2**20, done


def prepare(matrix: matrices.Matrix, folder: Path) -> Path:
    """Inputs of both tools: the matrix for pydeseq2; for R the prefiltered counts and
    the sample table, built as painstress.de.run_contrast builds them."""
    from painstress import de
    from painstress.parity import write_r_inputs

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "matrix.pkl", "wb") as handle:
        pickle.dump(matrix, handle)
    chosen = matrix.sheet[matrix.sheet["group"].isin([matrix.test, matrix.reference])]
    groups = chosen.set_index("sample")["group"]
    keep = de.prefilter(matrix.counts, groups, 10)
    coldata = pd.DataFrame({"condition": groups}, index=groups.index)
    covariates = [c for c in matrix.covariates
                  if chosen.set_index("sample")[c].nunique() > 1]
    for covariate in covariates:
        coldata[covariate] = chosen.set_index("sample")[covariate]
    design = "~" + " + ".join([*covariates, "condition"])
    write_r_inputs(matrix.counts.loc[keep, groups.index], coldata, folder)
    (folder / "design.txt").write_text(design)
    return folder


def run_py(folder: Path, config: str, scratch: Path) -> dict:
    spec = CONFIGS[config]
    result = scratch / f"py_{config}.json"
    wall, peak, _ = measured([sys.executable, __file__, "--worker", str(folder),
                              "--n-cpus", str(spec["n_cpus"]), "--result", str(result)],
                             spec["env"])
    data = json.loads(result.read_text())
    return {"steps": data["steps"], "wall": wall, "peak_mib": peak, "genes": data["genes"]}


def run_r(folder: Path, matrix: matrices.Matrix, scratch: Path) -> dict:
    out = scratch / "r_out"
    design = (folder / "design.txt").read_text()
    wall, peak, _ = measured(["Rscript", "--vanilla", str(R_SCRIPT), str(folder / "counts.tsv"),
                              str(folder / "coldata.tsv"), design, matrix.test,
                              matrix.reference, str(out), "steps", "0.05"], {})
    timings = pd.read_csv(out / "timings.tsv", sep="\t").groupby("step")["seconds"].sum()
    steps = timings.to_dict()
    steps["total"] = float(timings.drop("read", errors="ignore").sum())
    genes = int(pd.read_csv(out / "fit.tsv", sep="\t").set_index("key").at["genes", "value"])
    shutil.rmtree(out)
    return {"steps": steps, "wall": wall, "peak_mib": peak, "genes": genes}


def benchmark(names: list[str], configs: list[str], reps: int, out: Path) -> pd.DataFrame:
    rows = []
    for matrix in matrices.matrices(names):
        folder = prepare(matrix, out / "inputs" / matrix.name)
        print(f"{matrix.name}: {matrix.description}", flush=True)
        for rep in range(1, reps + 1):
            order = configs if rep % 2 else list(reversed(configs))  # alternate
            for config in order:
                run = (run_r(folder, matrix, out) if CONFIGS[config]["tool"] == "R"
                       else run_py(folder, config, out))
                print(f"  rep {rep} {config:6s} total {run['steps']['total']:7.1f} s, "
                      f"process {run['wall']:7.1f} s, peak {run['peak_mib']:6.0f} MiB",
                      flush=True)
                for step, seconds in run["steps"].items():
                    rows.append({"matrix": matrix.name, "samples": matrix.sheet.shape[0],
                                 "genes": run["genes"], "config": config, "rep": rep,
                                 "step": step, "seconds": seconds})
                rows.append({"matrix": matrix.name, "samples": matrix.sheet.shape[0],
                             "genes": run["genes"], "config": config, "rep": rep,
                             "step": "process_wall", "seconds": run["wall"]})
                rows.append({"matrix": matrix.name, "samples": matrix.sheet.shape[0],
                             "genes": run["genes"], "config": config, "rep": rep,
                             "step": "peak_mib", "seconds": run["peak_mib"]})
                pd.DataFrame(rows).to_csv(out / "runs.tsv", sep="\t", index=False)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- tables


def _per_run(runs: pd.DataFrame, matrix: str, config: str, steps: list[str]) -> list[float]:
    """Sum of ``steps`` in each repetition."""
    sel = runs[(runs.matrix == matrix) & (runs.config == config) & runs.step.isin(steps)]
    return list(sel.groupby("rep")["seconds"].sum())


def _mm(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{min(values):.1f} / {statistics.median(values):.1f}"


def _ratios(runs: pd.DataFrame, matrix: str, config: str, steps: list[str],
            r_steps: tuple = ("total",)) -> list[float]:
    """pydeseq2 / R per repetition (the two ran next to each other in that repetition)."""
    ours = dict(zip(*_per_rep(runs, matrix, config, steps)))
    r = dict(zip(*_per_rep(runs, matrix, "r", list(r_steps))))
    return [ours[rep] / r[rep] for rep in ours if rep in r and r[rep] > 0]


def _per_rep(runs, matrix, config, steps):
    sel = runs[(runs.matrix == matrix) & (runs.config == config) & runs.step.isin(steps)]
    sums = sel.groupby("rep")["seconds"].sum()
    return list(sums.index), list(sums)


def speed_tables(runs: pd.DataFrame) -> str:
    """The speed tables of docs/benchmarks.md from out/runs.tsv."""
    configs = [c for c in CONFIGS if c in set(runs.config)]
    reps = runs.rep.nunique()
    lines = [f"**Totals, seconds, min / median of {reps} repetitions. Ratio = pydeseq2 / R "
             "per repetition (run next to each other), median (min–max)**", "",
             "| matrix | samples × genes tested | config | DESeq() + results() equivalent | "
             "ratio to R | whole DE call (with LFC shrinkage) | process wall | "
             "process wall ratio | peak RSS MiB |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for matrix in runs.matrix.unique():
        sel = runs[runs.matrix == matrix]
        shape = f"{int(sel.samples.iloc[0])} × {int(sel.genes.iloc[0]):,}"
        for config in configs:
            is_r = config == "r"
            core = _per_run(runs, matrix, config, ["total"] if is_r else NO_SHRINK)
            whole = _per_run(runs, matrix, config, ["total"])
            ratios = [] if is_r or "r" not in configs else _ratios(runs, matrix, config,
                                                                    NO_SHRINK)
            ratio = ("1" if is_r else f"{statistics.median(ratios):.1f} "
                     f"({min(ratios):.1f}–{max(ratios):.1f})" if ratios else "–")
            wall = _per_run(runs, matrix, config, ["process_wall"])
            wall_ratios = [] if is_r or "r" not in configs else _ratios(
                runs, matrix, config, ["process_wall"], ("process_wall",))
            wall_ratio = ("1" if is_r else f"{statistics.median(wall_ratios):.1f}"
                          if wall_ratios else "–")
            peak = _per_run(runs, matrix, config, ["peak_mib"])
            lines.append(f"| {matrix} | {shape} | {config} | {_mm(core)} | {ratio} | "
                         f"{'n/a (no apeglm)' if is_r else _mm(whole)} | {_mm(wall)} | "
                         f"{wall_ratio} | {max(peak):.0f} |")
    lines += ["", "**Per step, seconds, median of the repetitions**", ""]
    for matrix in runs.matrix.unique():
        lines += [f"*{matrix}*", "", "| step | " + " | ".join(configs) + " |",
                  "|---|" + "---:|" * len(configs)]
        for label, py_steps, r_steps in STEP_ROWS:
            cells = []
            for config in configs:
                is_r = config == "r"
                if py_steps is None:  # a total row
                    if "DESeq" in label:
                        steps = ["total"] if is_r else NO_SHRINK
                    else:
                        steps = [] if is_r else ["total"]
                else:
                    steps = r_steps if is_r else py_steps
                values = _per_run(runs, matrix, config, steps) if steps else []
                cells.append(f"{statistics.median(values):.2f}" if values else "–")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- workflow


def workflow_timing(out: Path, cores: int) -> pd.DataFrame:
    """The demo from cached inputs (resources/demo) to results, in a scratch directory;
    per-job wall time from Snakemake's log."""
    scratch = out / "workflow_run"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    cached = REPO / "resources" / "demo"
    if cached.is_dir():
        shutil.copytree(cached, scratch / "resources" / "demo")
    snakemake = Path(sys.executable).with_name("snakemake")
    command = [str(snakemake), "--snakefile", str(REPO / "Snakefile"), "--directory",
               str(scratch), "--configfile", str(REPO / "config" / "demo.yaml"),
               "--cores", str(cores)]
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    (out / "workflow.log").write_text(run.stdout + run.stderr)
    if run.returncode != 0:
        raise RuntimeError(f"snakemake failed, see {out / 'workflow.log'}")
    # "[Mon Nov 24 04:00:00 2025]" then "rule X:" ... "jobid: N"; "Finished jobid: N".
    stamp = re.compile(r"^\[(\w{3} \w{3} +\d+ [\d:]+ \d{4})\]")
    started, finished, rule_of, current = {}, {}, {}, None
    pending_rule = None
    for line in (run.stdout + run.stderr).splitlines():
        m = stamp.match(line)
        if m:
            current = pd.Timestamp(m.group(1))
            continue
        m = re.match(r"^(?:local)?(?:rule|checkpoint) (\w+):", line)
        if m:
            pending_rule = m.group(1)
            continue
        m = re.match(r"^\s+jobid: (\d+)", line)
        if m and pending_rule:
            rule_of[m.group(1)], started[m.group(1)] = pending_rule, current
            pending_rule = None
            continue
        m = re.search(r"Finished job(?:id)? ?:? ?(\d+)", line)
        if m:
            finished[m.group(1)] = current
    jobs = pd.DataFrame([{"rule": rule_of[j], "seconds": (finished[j] - started[j]).total_seconds()}
                         for j in rule_of if j in finished and started[j] is not None])
    table = (jobs.groupby("rule")["seconds"].agg(["count", "sum", "max"])
             .sort_values("sum", ascending=False).reset_index())
    table.loc[len(table)] = ["(whole run, wall)", len(jobs), round(wall, 1), round(wall, 1)]
    table.to_csv(out / "workflow.tsv", sep="\t", index=False)
    benchmarks = sorted((scratch / "results" / "demo" / "benchmarks").rglob("*.tsv"))
    rows = [pd.read_csv(p, sep="\t").assign(job=p.stem) for p in benchmarks]
    if rows:
        pd.concat(rows).to_csv(out / "workflow_benchmarks.tsv", sep="\t", index=False)
    return table


# ----------------------------------------------------------------------------- main


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", default=["sim8", "sim12", "sim40", "nac"])
    parser.add_argument("--configs", nargs="+", default=["rule", "r"], choices=list(CONFIGS))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "results" / "bench" / "de_speed")
    parser.add_argument("--profile", metavar="MATRIX",
                        help="cProfile one pydeseq2 run of MATRIX per --configs cpu1/cpu1b "
                             "(default cpu1b) and stop")
    parser.add_argument("--workflow", action="store_true",
                        help="time the whole demo workflow from cached inputs and stop")
    parser.add_argument("--cores", type=int, default=2, help="for --workflow")
    parser.add_argument("--tables", action="store_true",
                        help="only rewrite <out>/speed.md from <out>/runs.tsv")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--n-cpus", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        py_worker(args.worker, args.n_cpus, args.result, args.profile_out)
        return
    if args.tables:
        runs = pd.read_csv(args.out / "runs.tsv", sep="\t")
        (args.out / "speed.md").write_text(speed_tables(runs))
        print(f"wrote {args.out / 'speed.md'}")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    if args.workflow:
        print(workflow_timing(args.out, args.cores).to_string(index=False))
        return
    if args.profile:
        (matrix,) = matrices.matrices([args.profile])
        folder = prepare(matrix, args.out / "inputs" / matrix.name)
        for config in [c for c in args.configs if c in ("cpu1", "cpu1b")] or ["cpu1b"]:
            target = args.out / f"profile_{matrix.name}_{config}.txt"
            measured([sys.executable, __file__, "--worker", str(folder), "--n-cpus", "1",
                      "--result", str(args.out / "profile.json"), "--profile-out",
                      str(target)], CONFIGS[config]["env"])
            print(f"wrote {target}", flush=True)
        return
    if "r" in args.configs and shutil.which("Rscript") is None:
        sys.exit("R is not installed: apt-get install r-bioc-deseq2 (or leave out --configs r)")
    runs = benchmark(args.only, args.configs, args.reps, args.out)
    (args.out / "speed.md").write_text(speed_tables(runs))
    print(f"wrote {args.out / 'runs.tsv'} and {args.out / 'speed.md'}")


if __name__ == "__main__":
    main()
