"""How the whole workflow's cost grows with samples and genes: per stage, CPU, wall, peak memory.

    .venv/bin/python -m bench.workflow_scale.run                       # default sizes
    .venv/bin/python -m bench.workflow_scale.run --size 40x20000 --size 100x20000
    .venv/bin/python -m bench.workflow_scale.run --repo /tmp/snapshot  # another copy
    .venv/bin/python -m bench.workflow_scale.run --tables              # scale.md only

Each size ``SAMPLESxGENES`` runs the whole demo workflow (``config/demo.yaml``, simulation
included, no report) in a fresh scratch folder with ``simulate.n_genes = GENES`` and
``SAMPLES`` samples per region: the demo has two series (pain, stress) of two groups each
and one sample per mouse and region, so ``min_replicates = max_replicates = SAMPLES / 4``
mice per group, and every DE fit has ``SAMPLES / 2`` samples. Per job, wall time, CPU and
peak RSS come from the ``benchmark:`` file every rule writes; the whole run's wall time and
CPU (Snakemake and every job, ``os.wait4``) are exact. Results go to <out>
(``runs.tsv``, ``jobs.tsv``, ``scale.md``), written after every run.

``scale.md`` gives, per rule and per stage (the ``workflow/rules/<stage>.smk`` file that
holds the rule), the summed CPU and wall time of its jobs and the largest peak RSS of one
job at every size, and the growth exponent of CPU between two sizes (``log(CPU ratio) /
log(size ratio)``: 1 is linear). CPU and peak RSS are robust to other work on the machine;
wall time is not. Snakemake samples a job's CPU every 0.5 s, so a job's CPU misses up to
its last half second.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import yaml

from bench.workflow_cost.run import spread, timed, variant_env

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = sys.executable
DEFAULT_SIZES = ["40x20000", "40x55000", "100x20000", "200x20000", "100x55000", "200x55000"]


def parse_size(text: str) -> tuple[int, int]:
    """``"40x20000"`` -> (40 samples per region, 20000 genes)."""
    samples, genes = (int(part) for part in text.lower().split("x"))
    if samples % 4:
        raise SystemExit(f"--size {text}: samples per region must be a multiple of 4 "
                         "(two series x two groups, one sample per mouse and region)")
    return samples, genes


def rule_stages(repo: Path = REPO) -> dict[str, str]:
    """Rule name -> its stage, the workflow/rules/<stage>.smk file that declares it."""
    stages = {}
    for smk in sorted((repo / "workflow" / "rules").glob("*.smk")):
        for line in smk.read_text().splitlines():
            m = re.match(r"^\s*(?:rule|checkpoint) (\w+):", line)
            if m:
                stages[m.group(1)] = smk.stem
    return stages


def scaled_config(repo: Path, samples: int, genes: int, path: Path) -> Path:
    """config/demo.yaml with the simulation sized to ``samples`` per region and ``genes``."""
    config = yaml.safe_load((repo / "config" / "demo.yaml").read_text())
    config["simulate"] |= {"n_genes": genes, "min_replicates": samples // 4,
                           "max_replicates": samples // 4}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run_size(scratch: Path, samples: int, genes: int, cores: int, repo: Path
             ) -> tuple[dict, pd.DataFrame]:
    """The whole demo workflow of ``repo`` at one size in ``scratch`` (emptied first)."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    config = scaled_config(repo, samples, genes, scratch / "config.yaml")
    command = [str(Path(PYTHON).with_name("snakemake")), "--snakefile", str(repo / "Snakefile"),
               "--directory", str(scratch), "--configfile", str(config), "--cores", str(cores)]
    load = os.getloadavg()[0]
    wall, cpu, log = timed(command, variant_env(repo))
    (scratch / "snakemake.log").write_text(log)
    stages = rule_stages(repo)
    records = []
    bench = scratch / "results" / "demo" / "benchmarks"
    for path in sorted(bench.rglob("*.tsv")):
        record = pd.read_csv(path, sep="\t", na_values=["NA", "-"])
        rel = path.relative_to(bench)
        records.append({"rule": rel.parts[0], "stage": stages.get(rel.parts[0], "?"),
                        "job": str(rel.with_suffix("")), "wall_s": record["s"].iloc[0],
                        "cpu_s": record["cpu_time"].iloc[0],
                        "max_rss_mb": record["max_rss"].iloc[0]})
    run = {"samples": samples, "genes": genes, "wall_s": wall, "cpu_s": cpu,
           "jobs": len(records), "load_start": load, "load_end": os.getloadavg()[0]}
    return run, pd.DataFrame(records)


# ----------------------------------------------------------------------------- tables


def size_label(samples: int, genes: int) -> str:
    return f"{samples}×{genes // 1000}k"


def growth(cpu: dict, a: tuple[int, int], b: tuple[int, int]) -> str:
    """CPU growth exponent from size ``a`` to ``b`` (in samples or in genes)."""
    if a not in cpu or b not in cpu or not cpu[a] or not cpu[b] or cpu[a] < 0.5:
        return ""
    ratio = (b[0] / a[0]) if a[1] == b[1] else (b[1] / a[1])
    return f"{math.log(cpu[b] / cpu[a]) / math.log(ratio):.2f}"


def growth_pairs(sizes: list[tuple[int, int]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(smallest, largest) samples at each gene count, and smallest vs largest genes at
    each sample count: the pairs whose growth exponent the tables show."""
    pairs = []
    for genes in sorted({g for _, g in sizes}):
        mine = sorted(s for s, g in sizes if g == genes)
        if len(mine) > 1:
            pairs.append(((mine[0], genes), (mine[-1], genes)))
    for samples in sorted({s for s, _ in sizes}):
        mine = sorted(g for s, g in sizes if s == samples)
        if len(mine) > 1:
            pairs.append(((samples, mine[0]), (samples, mine[-1])))
    return pairs


def pair_label(a: tuple[int, int], b: tuple[int, int]) -> str:
    if a[1] == b[1]:
        return f"samples {a[0]}→{b[0]} at {a[1] // 1000}k"
    return f"genes {a[1] // 1000}k→{b[1] // 1000}k at {a[0]}"


def cost_table(jobs: pd.DataFrame, key: str, sizes: list[tuple[int, int]], top: int) -> str:
    """Per ``key`` (rule or stage): CPU (median over runs of the summed jobs), peak RSS of
    its largest job and growth exponents, largest CPU at the largest size first."""
    per_run = jobs.groupby(["samples", "genes", "run", key]).agg(
        cpu=("cpu_s", "sum"), wall=("wall_s", "sum"), rss=("max_rss_mb", "max"),
        n=("job", "size")).reset_index()
    med = per_run.groupby(["samples", "genes", key])[["cpu", "wall", "rss", "n"]].median()
    pairs = growth_pairs(sizes)
    largest = max(sizes, key=lambda s: (s[0] * s[1], s))
    order = med.xs(largest, level=["samples", "genes"]).cpu.sort_values(ascending=False).index
    columns = ([key, "jobs"] + [f"CPU s {size_label(*s)}" for s in sizes]
               + [f"CPU growth, {pair_label(a, b)}" for a, b in pairs]
               + ["peak RSS MB " + " / ".join(size_label(*s) for s in sizes)])
    lines = ["| " + " | ".join(columns) + " |",
             "|---|---:|" + "---:|" * (len(sizes) + len(pairs)) + "---|"]
    total = per_run.groupby(["samples", "genes", "run"]).cpu.sum().groupby(
        ["samples", "genes"]).median()
    for name in list(order)[:top]:
        cpu = {s: med.loc[(*s, name), "cpu"] for s in sizes if (*s, name) in med.index}
        rss = [f"{med.loc[(*s, name), 'rss']:.0f}" if (*s, name) in med.index else ""
               for s in sizes]
        n = int(med.loc[(*largest, name), "n"])
        cells = ([name, str(n)] + [f"{cpu[s]:.1f}" if s in cpu else "" for s in sizes]
                 + [growth(cpu, a, b) for a, b in pairs] + [" / ".join(rss)])
        lines.append("| " + " | ".join(cells) + " |")
    cpu = {s: total.loc[s] for s in sizes if s in total.index}
    cells = (["**all jobs**", ""] + [f"{cpu[s]:.0f}" if s in cpu else "" for s in sizes]
             + [growth(cpu, a, b) for a, b in pairs] + [""])
    lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_table(runs: pd.DataFrame, jobs: pd.DataFrame) -> str:
    """Per size: whole-run wall and CPU, the jobs' CPU (benchmark files) and the largest
    peak RSS of one job."""
    per_run = jobs.groupby("run").agg(jobs_cpu=("cpu_s", "sum"), rss=("max_rss_mb", "max"))
    runs = runs.join(per_run, on="run")
    lines = ["| samples per region × genes | runs | jobs | wall s | CPU s (Snakemake + jobs) "
             "| jobs' CPU s (benchmark files) | largest job peak RSS MB | load at start |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for (genes, samples), mine in runs.groupby(["genes", "samples"]):
        lines.append(f"| {size_label(samples, genes)} | {len(mine)} | {spread(mine.jobs, 0)} | "
                     f"{spread(mine.wall_s, 0)} | {spread(mine.cpu_s, 0)} | "
                     f"{spread(mine.jobs_cpu, 0)} | {spread(mine.rss, 0)} | "
                     f"{spread(mine.load_start)} |")
    return "\n".join(lines)


def write_tables(out: Path, top: int = 15) -> Path:
    runs = pd.read_csv(out / "runs.tsv", sep="\t")
    jobs = pd.read_csv(out / "jobs.tsv", sep="\t")
    sizes = sorted({(s, g) for s, g in zip(runs.samples, runs.genes)}, key=lambda x: (x[1], x[0]))
    parts = [run_table(runs, jobs), cost_table(jobs, "stage", sizes, 99),
             cost_table(jobs, "rule", sizes, top)]
    path = out / "scale.md"
    path.write_text("\n\n".join(parts) + "\n")
    return path


# ----------------------------------------------------------------------------- main


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", action="append", default=[], metavar="SAMPLESxGENES",
                        help=f"samples per region x genes (default: {' '.join(DEFAULT_SIZES)})")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repo", type=Path, default=REPO,
                        help="the copy of the repository to run (its src/ on PYTHONPATH)")
    parser.add_argument("--keep", action="store_true", help="keep each size's scratch folder")
    parser.add_argument("--tables", action="store_true", help="only rewrite <out>/scale.md")
    parser.add_argument("--out", type=Path, default=REPO / "results" / "bench" / "workflow_scale")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.tables:
        sizes = [parse_size(s) for s in args.size or DEFAULT_SIZES]
        runs = [pd.read_csv(args.out / "runs.tsv", sep="\t")] \
            if (args.out / "runs.tsv").is_file() else []
        jobs = [pd.read_csv(args.out / "jobs.tsv", sep="\t")] \
            if (args.out / "jobs.tsv").is_file() else []
        done = sum(len(r) for r in runs)
        print(f"{os.cpu_count()} CPUs, load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        for rep in range(args.reps):
            for samples, genes in sizes[::-1] if rep % 2 else sizes:
                scratch = args.out / f"scratch_{samples}x{genes}"
                run, records = run_size(scratch, samples, genes, args.cores, args.repo.resolve())
                run["run"] = done
                done += 1
                runs.append(pd.DataFrame([run]))
                jobs.append(records.assign(samples=samples, genes=genes, run=run["run"]))
                print(f"{size_label(samples, genes)}: {run['wall_s']:.0f} s wall, "
                      f"{run['cpu_s']:.0f} s CPU, {run['jobs']} jobs", flush=True)
                # written after every run: an interrupted bench keeps what it measured
                pd.concat(runs).to_csv(args.out / "runs.tsv", sep="\t", index=False)
                pd.concat(jobs).to_csv(args.out / "jobs.tsv", sep="\t", index=False)
                if not args.keep:
                    shutil.rmtree(scratch / "results", ignore_errors=True)
                    shutil.rmtree(scratch / "resources", ignore_errors=True)
    print(f"wrote {write_tables(args.out)}")


if __name__ == "__main__":
    main()
