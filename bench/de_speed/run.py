"""Speed of the DE step: our engine, stock pydeseq2, R DESeq2, inmoose and edgeR.

    .venv/bin/python -m bench.de_speed.run       # default plan -> results/bench/de_speed/
    .venv/bin/python -m bench.de_speed.run --only sim12 --reps 3 --configs ours r
    .venv/bin/python -m bench.de_speed.run --only scale200 scale60k --configs ours r
    .venv/bin/python -m bench.de_speed.run --profile sim12  # cProfile of one run of ours
    .venv/bin/python -m bench.de_speed.run --workflow       # the whole demo, cached inputs
    .venv/bin/python -m bench.de_speed.run --tables         # speed.md from runs.tsv

Every run is a fresh process (so peak memory and CPU time are that run's). Python
configurations run painstress.de.deseq2.run_contrast exactly as rule deseq2 calls it, with
pydeseq2's methods wrapped by timers (top-level calls only); R runs
workflow/scripts/deseq2_reference.R in "steps" mode (DESeq()'s body one step at a time, then
results()). Within one repetition the tools alternate, and the order flips between
repetitions. Peak memory is the largest sampled RSS summed over the process and its
children, every 50 ms; process CPU is user + system time of the process and its
children (os.wait4). Every configuration runs single-threaded (one BLAS thread).

Configurations (``--configs``):
  ours      the workflow's default engine (painstress.de.engine, de.inference: painstress)
  pydeseq2  stock pydeseq2 inference, n_cpus=1 (de.inference: pydeseq2)
  r         R DESeq2, DESeq() + results()
  inmoose   inmoose's DESeq2 port, DESeq() + results() (no shrinkage)
  edger     R edgeR quasi-likelihood (another model; bench/de_speed/edger.R)

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

from bench.parity import matrices, r_reference

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SELF = [sys.executable, "-m", "bench.de_speed.run"]  # a worker: this script in a new process

ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
CONFIGS = {
    "ours": {"tool": "py", "engine": "painstress", "n_cpus": 1, "env": ONE_THREAD},
    "pydeseq2": {"tool": "py", "engine": "pydeseq2", "n_cpus": 1, "env": ONE_THREAD},
    "r": {"tool": "R", "env": ONE_THREAD},
    "inmoose": {"tool": "inmoose", "env": ONE_THREAD},
    "edger": {"tool": "edgeR", "env": ONE_THREAD},
}
EDGER_SCRIPT = HERE / "edger.R"
# pydeseq2 method -> step. Only top-level calls are timed (refit() re-runs the
# dispersion steps on the outlier genes inside "cooks_refit").
# DeseqStats.summary()'s private steps after the Wald test, named in
# painstress.de.pydeseq2_adapter.RESULTS_STEPS (imported with pydeseq2, in the Python workers)
RESULTS_STEPS = "results steps"
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
    ("ds", RESULTS_STEPS): "results",
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

    from painstress.de import pydeseq2_adapter

    classes = {"dds": DeseqDataSet, "ds": DeseqStats}
    depth = [0]

    def wrap(method, step):
        def timed(*args, **kwargs):
            depth[0] += 1
            start = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    timings[step] = timings.get(step, 0.0) + time.process_time() - start
        return timed

    for (cls, names), step in PY_STEPS.items():
        names = pydeseq2_adapter.RESULTS_STEPS if names == RESULTS_STEPS else (names,)
        for name in names:
            setattr(classes[cls], name, wrap(getattr(classes[cls], name), step))


def py_worker(input_dir: Path, engine: str, result: Path, profile: Path | None) -> None:
    """One run in this process: run_contrast as the rule calls it, timed."""
    from painstress.de import deseq2

    with open(input_dir / "matrix.pkl", "rb") as handle:
        matrix = pickle.load(handle)
    timings: dict = {}
    if profile is None:
        _instrument(timings)
    kwargs = matrix.run_contrast_kwargs(1, engine)
    start = time.process_time()
    if profile is not None:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    results, summary = deseq2.run_contrast(matrix.counts, matrix.sheet, **kwargs)
    total = time.process_time() - start
    if profile is not None:
        profiler.disable()
        with open(profile, "w") as out:
            out.write(f"# cProfile of painstress.de.deseq2.run_contrast on {matrix.name}, "
                      f"engine {engine}, OPENBLAS_NUM_THREADS="
                      f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; "
                      f"wall {total:.1f} s (profiler overhead included)\n")
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(35)
            stats.sort_stats("tottime").print_stats(15)
    timings["other"] = total - sum(timings.values())
    timings["total"] = total
    result.write_text(json.dumps({"steps": timings, "genes": summary["genes_tested"]}))


def inmoose_worker(input_dir: Path, result: Path) -> None:
    """inmoose's DESeq() + results() on the R inputs, timed (CPU)."""
    from inmoose.deseq2 import DESeq, DESeqDataSet
    from inmoose.deseq2.results import results_dds as deseq_results

    counts = pd.read_csv(input_dir / "counts.tsv", sep="\t", index_col=0)
    coldata = pd.read_csv(input_dir / "coldata.tsv", sep="\t", index_col=0, dtype=str)
    test, reference = (input_dir / "contrast.txt").read_text().split()
    coldata["condition"] = pd.Categorical(coldata["condition"], categories=[reference, test])
    start = time.process_time()
    dds = DESeqDataSet(counts.T.to_numpy(), clinicalData=coldata.loc[counts.columns],
                       design=(input_dir / "design.txt").read_text().strip())
    dds = DESeq(dds, quiet=True)
    table = deseq_results(dds, alpha=0.05)
    total = time.process_time() - start
    result.write_text(json.dumps({"steps": {"total": total}, "genes": int(table.shape[0])}))


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


def measured(command: list[str], env: dict) -> tuple[float, float, float, str]:
    """Run ``command``; return (wall seconds, CPU seconds of it and its children, peak
    tree RSS in MiB, stderr)."""
    import psutil

    start = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, **env}, cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    process, peak = psutil.Process(child.pid), 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _tree_rss(process))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    stderr = child.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command[:3])} ... failed:\n{stderr[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, peak / 2**20, stderr


def prepare(matrix: matrices.Matrix, folder: Path) -> Path:
    """Inputs of every tool: the matrix for the Python runs; for R and inmoose the
    counts and sample table the model is fitted on (painstress.de.deseq2.model_input, the DE
    step's own step, so every tool sees the same genes and design)."""
    from painstress.de import deseq2, parity
    from painstress.samples import contrast_samples

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "matrix.pkl", "wb") as handle:
        pickle.dump(matrix, handle)
    chosen = contrast_samples(matrix.sheet, {"test": matrix.test,
                                             "reference": matrix.reference}, matrix.region)
    settings = matrix.settings("painstress")
    model = deseq2.model_input(matrix.counts, chosen, test=matrix.test,
                               reference=matrix.reference, covariates=matrix.covariates,
                               min_count=settings.min_count, qc=settings.library_qc)
    parity.write_model_input(model, folder)
    (folder / "contrast.txt").write_text(f"{matrix.test} {matrix.reference}")
    return folder


def run_config(config: str, folder: Path, matrix: matrices.Matrix, scratch: Path) -> dict:
    """One run of ``config`` as a fresh process: steps (seconds), process wall and CPU,
    peak memory, genes."""
    spec = CONFIGS[config]
    result = scratch / f"{config}.json"
    if spec["tool"] in ("R", "edgeR"):
        out = scratch / f"{config}_out"
        command = r_reference.command(folder, out, matrix.test, matrix.reference, "steps")
        if spec["tool"] == "edgeR":
            command = [*command[:2], str(EDGER_SCRIPT), *command[3:9]]
        wall, cpu, peak, _ = measured(command, spec["env"])
        timings = pd.read_csv(out / "timings.tsv", sep="\t").groupby("step")["seconds"].sum()
        steps = timings.to_dict()
        steps["total"] = float(timings.drop("read", errors="ignore").sum())
        genes = len(pd.read_csv(out / "results.tsv", sep="\t"))
        shutil.rmtree(out)
        return {"steps": steps, "wall": wall, "cpu": cpu, "peak_mib": peak, "genes": genes}
    worker = (["--worker", str(folder), "--engine", spec["engine"]] if spec["tool"] == "py"
              else ["--inmoose-worker", str(folder)])
    wall, cpu, peak, _ = measured([*SELF, *worker, "--result", str(result)], spec["env"])
    data = json.loads(result.read_text())
    return {"steps": data["steps"], "wall": wall, "cpu": cpu, "peak_mib": peak,
            "genes": data["genes"]}


def benchmark(names: list[str], configs: list[str], reps: int, out: Path) -> pd.DataFrame:
    rows = []
    for matrix in matrices.matrices(names):
        folder = prepare(matrix, out / "inputs" / matrix.name)
        print(f"{matrix.name}: {matrix.description}", flush=True)
        for rep in range(1, reps + 1):
            order = configs if rep % 2 else list(reversed(configs))  # alternate
            for config in order:
                run = run_config(config, folder, matrix, out)
                print(f"  rep {rep} {config:8s} fit {run['steps']['total']:7.1f} s, "
                      f"process CPU {run['cpu']:7.1f} s, wall {run['wall']:7.1f} s, "
                      f"peak {run['peak_mib']:6.0f} MiB", flush=True)
                for step, seconds in run["steps"].items():
                    rows.append({"matrix": matrix.name, "samples": matrix.sheet.shape[0],
                                 "genes": run["genes"], "config": config, "rep": rep,
                                 "step": step, "seconds": seconds})
                for step, key in (("process_wall", "wall"), ("process_cpu", "cpu")):
                    rows.append({"matrix": matrix.name, "samples": matrix.sheet.shape[0],
                                 "genes": run["genes"], "config": config, "rep": rep,
                                 "step": step, "seconds": run[key]})
                rows.append({"matrix": matrix.name, "samples": matrix.sheet.shape[0],
                             "genes": run["genes"], "config": config, "rep": rep,
                             "step": "peak_mib", "seconds": run["peak_mib"]})
                pd.DataFrame(rows).to_csv(out / "runs.tsv", sep="\t", index=False)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- tables


def _per_rep(runs: pd.DataFrame, matrix: str, config: str, step: str) -> dict:
    sel = runs[(runs.matrix == matrix) & (runs.config == config) & (runs.step == step)]
    return dict(zip(sel.rep, sel.seconds))


def _ratio_cell(runs, matrix, config, step, reference="r") -> str:
    """Median (min–max) over repetitions of config / reference, each repetition's two
    runs having run next to each other."""
    ours, ref = _per_rep(runs, matrix, config, step), _per_rep(runs, matrix, reference, step)
    ratios = [ours[k] / ref[k] for k in ours if k in ref and ref[k] > 0]
    if not ratios:
        return "–"
    return (f"{statistics.median(ratios):.3g} ({min(ratios):.3g}–{max(ratios):.3g})"
            if len(ratios) > 1 else f"{ratios[0]:.3g}")


def _median_cell(runs, matrix, config, step, fmt="{:.2f}") -> str:
    values = list(_per_rep(runs, matrix, config, step).values())
    return fmt.format(statistics.median(values)) if values else "–"


def speed_tables(runs: pd.DataFrame) -> str:
    """The speed table of docs/benchmarks.md from out/runs.tsv: per matrix and tool, the
    fit (CPU seconds inside the process: DESeq() + results() for R and inmoose, the whole
    DE call with shrinkage for ours and pydeseq2, the QL fit and test for edgeR), the
    whole process (imports and I/O included), both as ratios to R DESeq2 in the same
    repetition, and peak memory."""
    configs = [c for c in CONFIGS if c in set(runs.config)]
    reps = runs.rep.nunique()
    lines = [f"**Median of {reps} repetitions; ratio = tool / R DESeq2 in the same repetition, "
             "median (min–max)**", "",
             "| matrix | samples × genes | tool | fit s | fit / R | shrinkage s | "
             "process CPU s | process CPU / R | peak MiB |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for matrix in runs.matrix.unique():
        sel = runs[runs.matrix == matrix]
        shape = f"{int(sel.samples.iloc[0])} × {int(sel.genes.iloc[0]):,}"
        for config in configs:
            if config not in set(sel.config):
                continue
            has_r = "r" in set(sel.config)
            lines.append(
                f"| {matrix} | {shape} | {config} | {_median_cell(runs, matrix, config, 'total')}"
                f" | {_ratio_cell(runs, matrix, config, 'total') if has_r else '–'}"
                f" | {_median_cell(runs, matrix, config, 'lfc_shrink')}"
                f" | {_median_cell(runs, matrix, config, 'process_cpu', '{:.1f}')}"
                f" | {_ratio_cell(runs, matrix, config, 'process_cpu') if has_r else '–'}"
                f" | {_median_cell(runs, matrix, config, 'peak_mib', '{:.0f}')} |")
    lines += ["", "**Per step, seconds, median of the repetitions (Python engines)**", ""]
    py = [c for c in configs if CONFIGS[c]["tool"] == "py"]
    for matrix in runs.matrix.unique():
        steps = [s for s in dict.fromkeys(PY_STEPS.values()) | {"other": None}
                 if not runs[(runs.matrix == matrix) & runs.config.isin(py)
                             & (runs.step == s)].empty]
        if not py or not steps:
            continue
        lines += [f"*{matrix}*", "", "| step | " + " | ".join(py) + " |",
                  "|---|" + "---:|" * len(py)]
        for step in steps:
            lines.append(f"| {step} | " + " | ".join(
                _median_cell(runs, matrix, c, step) for c in py) + " |")
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
    parser.add_argument("--configs", nargs="+", default=["ours", "pydeseq2", "r", "inmoose",
                                                         "edger"], choices=list(CONFIGS))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "results" / "bench" / "de_speed")
    parser.add_argument("--profile", metavar="MATRIX",
                        help="cProfile one run of MATRIX per Python --configs (default "
                             "ours) and stop")
    parser.add_argument("--workflow", action="store_true",
                        help="time the whole demo workflow from cached inputs and stop")
    parser.add_argument("--cores", type=int, default=2, help="for --workflow")
    parser.add_argument("--tables", action="store_true",
                        help="only rewrite <out>/speed.md from <out>/runs.tsv")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="painstress", help=argparse.SUPPRESS)
    parser.add_argument("--inmoose-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        py_worker(args.worker, args.engine, args.result, args.profile_out)
        return
    if args.inmoose_worker:
        inmoose_worker(args.inmoose_worker, args.result)
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
        for config in [c for c in args.configs if CONFIGS[c]["tool"] == "py"] or ["ours"]:
            target = args.out / f"profile_{matrix.name}_{config}.txt"
            measured([*SELF, "--worker", str(folder), "--engine",
                      CONFIGS[config]["engine"], "--result", str(args.out / "profile.json"),
                      "--profile-out", str(target)], CONFIGS[config]["env"])
            print(f"wrote {target}", flush=True)
        return
    if "r" in args.configs and shutil.which("Rscript") is None:
        sys.exit("R is not installed: apt-get install r-bioc-deseq2 (or leave out --configs r)")
    runs = benchmark(args.only, args.configs, args.reps, args.out)
    (args.out / "speed.md").write_text(speed_tables(runs))
    print(f"wrote {args.out / 'runs.tsv'} and {args.out / 'speed.md'}")


if __name__ == "__main__":
    main()
