"""Where the demo workflow's time goes: per rule, wall time, CPU and the share of start-up.

    .venv/bin/python -m bench.workflow_cost.run                 # demo runs + imports
    .venv/bin/python -m bench.workflow_cost.run --reps 5 --only imports
    .venv/bin/python -m bench.workflow_cost.run --variant before=/tmp/old   # vs a copy
    .venv/bin/python -m bench.workflow_cost.run --tables        # cost.md from the TSVs

Two measurements, written to <out> (default results/bench/workflow_cost/):

* demo (``runs.tsv``, ``jobs.tsv``, ``report_<variant>.html``): the whole demo
  (``config/demo.yaml``, simulation included) in a fresh scratch folder, ``--cores 2``,
  then ``--report``. Whole-run wall time, CPU of Snakemake and every job (user + system,
  ``os.wait4``), report size and what fills it (embedded files by type); per job, wall
  time and CPU from the ``benchmark:`` file every rule writes (``benchmark_every_rule`` in
  workflow/rules/common.smk). Snakemake samples a job's CPU every 0.5 s, so a job's CPU
  misses up to its last half second; the whole-run CPU is exact.
* imports (``imports.tsv``): the start-up a job pays before it works. For each workflow
  script, its top-level import statements run alone in a fresh ``python -c``; wall time
  minus that of ``python -c pass``; plus the script preamble's ``import snakemake.script``
  (Snakemake unpickles its ``snakemake`` object with it). Scripts are measured in turn,
  order reversed every repetition. One extra ``python -X importtime`` run per script names
  the libraries that cost most (self time summed per top-level package).

``--variant NAME=FOLDER`` measures another copy of this repository (e.g. ``git archive`` of
an earlier commit, unpacked) beside this one: its Snakefile, scripts and package, alternating
with this one in every repetition. A copy with its own ``.venv`` (``make`` run in it: that
commit's pinned libraries) runs with it; otherwise with this venv, its src/ ahead of the
editable install on PYTHONPATH. Numbers are medians over repetitions with their range:
other jobs may share the cores.
"""
from __future__ import annotations

import argparse
import ast
import os
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
PYTHON = sys.executable
PREAMBLE = "import snakemake.script"  # what a script job's preamble imports to unpickle


# ----------------------------------------------------------------------------- rules


def rule_scripts(repo: Path = REPO) -> dict[str, str]:
    """Rule name -> the workflow script its ``script:`` runs (from workflow/rules/*.smk)."""
    scripts, rule = {}, None
    for smk in sorted((repo / "workflow" / "rules").glob("*.smk")):
        lines = smk.read_text().splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"^\s*(?:rule|checkpoint)( \w+)?:", line)
            if m:  # a rule named by a `name:` directive is left out
                rule = m.group(1) and m.group(1).strip()
            elif rule and re.match(r"^\s*script:", line):
                text = line.split(":", 1)[1].strip() or lines[i + 1].strip()
                scripts[rule] = Path(text.strip("\"'")).stem
    return scripts


def script_imports(script: str, repo: Path = REPO) -> str:
    """The top-level import statements of workflow/scripts/<script>.py, as one program."""
    tree = ast.parse((repo / "workflow" / "scripts" / f"{script}.py").read_text())
    return "\n".join(ast.unparse(node) for node in tree.body
                     if isinstance(node, (ast.Import, ast.ImportFrom)))


# ----------------------------------------------------------------------------- imports


def timed(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(wall s, CPU s of the process and its children, stderr) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, stderr


def own_venv(repo: Path) -> bool:
    """Whether variant ``repo`` has a venv of its own (its commit's pinned set) to run with."""
    return repo.resolve() != REPO and (repo / ".venv" / "bin" / "python").is_file()


def variant_python(repo: Path) -> str:
    """The interpreter that runs ``repo``: its own venv's, or this one's."""
    return str(repo / ".venv" / "bin" / "python") if own_venv(repo) else PYTHON


def variant_env(repo: Path) -> dict:
    """The environment that runs ``repo``'s package: in its own venv as it is; in this venv
    with its src/ ahead of the editable install."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return env if own_venv(repo) else env | {"PYTHONPATH": str(repo / "src")}


def top_libraries(importtime: str, n: int = 4) -> str:
    """The packages with the most import self time in ``python -X importtime`` output."""
    cost: dict[str, int] = {}
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        self_us, _, name = line[len("import time:"):].split("|")
        if not self_us.strip().isdigit():
            continue  # the header line
        root = name.strip().split(".")[0]
        cost[root] = cost.get(root, 0) + int(self_us)
    top = sorted(cost.items(), key=lambda item: -item[1])[:n]
    return ", ".join(f"{name} {us / 1e6:.2f}" for name, us in top)


def measure_imports(reps: int, variants: dict[str, Path]) -> pd.DataFrame:
    """One row per (variant, script, repetition): import wall and CPU beyond bare Python."""
    programs = {}
    for variant, repo in variants.items():
        programs[variant] = {"(bare python)": "pass", "(snakemake preamble)": PREAMBLE}
        programs[variant] |= {s: script_imports(s, repo)
                              for s in sorted(set(rule_scripts(repo).values()))}
    names = sorted(set().union(*programs.values()))
    rows = []
    for rep in range(reps):
        order, pairs = list(names), list(variants.items())
        if rep % 2:
            order.reverse()
            pairs.reverse()
        for name in order:
            for variant, repo in pairs:
                if name in programs[variant]:
                    wall, cpu, _ = timed([variant_python(repo), "-c", programs[variant][name]],
                                         variant_env(repo))
                    rows.append({"variant": variant, "script": name, "rep": rep,
                                 "wall_s": wall, "cpu_s": cpu})
        print(f"imports: repetition {rep + 1}/{reps} done", flush=True)
    table = pd.DataFrame(rows)
    bare = table[table.script == "(bare python)"].groupby(["variant", "rep"])[["wall_s", "cpu_s"]]
    bare = bare.median().rename(columns=lambda c: "bare_" + c)
    table = table.join(bare, on=["variant", "rep"])
    table["import_wall_s"] = table.wall_s - table.bare_wall_s
    table["import_cpu_s"] = table.cpu_s - table.bare_cpu_s
    libraries = {}
    for variant, repo in variants.items():
        for name, code in programs[variant].items():
            *_, stderr = timed([variant_python(repo), "-X", "importtime", "-c", code],
                               variant_env(repo))
            libraries[(variant, name)] = top_libraries(stderr)
    table["libraries"] = [libraries[(v, s)] for v, s in zip(table.variant, table.script)]
    return table


# ----------------------------------------------------------------------------- demo

DATA_URI = re.compile(r"data:([\w/+.-]+);charset=[^;]*;filename=([^;]*);base64,([A-Za-z0-9+/=]*)")


def report_parts(report: Path) -> dict[str, float]:
    """MB of the report taken by embedded files, by file type, and by the rest (Snakemake's
    page: its scripts, styles, the rule graph and metadata)."""
    text = report.read_text(encoding="utf-8")
    parts: dict[str, float] = {}
    for match in DATA_URI.finditer(text):
        kind = Path(match.group(2)).suffix.lstrip(".") or match.group(1)
        parts[kind] = parts.get(kind, 0.0) + len(match.group(0)) / 1e6
    parts["page"] = len(text) / 1e6 - sum(parts.values())
    return parts


def run_demo(scratch: Path, cores: int, repo: Path = REPO) -> tuple[dict, pd.DataFrame]:
    """The whole demo of ``repo`` in ``scratch`` (emptied first), then its report: run
    figures and the per-job benchmark records."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    base = [str(Path(variant_python(repo)).with_name("snakemake")),
            "--snakefile", str(repo / "Snakefile"), "--directory", str(scratch),
            "--configfile", str(repo / "config" / "demo.yaml"), "--cores", str(cores)]
    env = variant_env(repo)
    load = os.getloadavg()[0]
    wall, cpu, log = timed(base, env)
    (scratch / "snakemake.log").write_text(log)
    report = scratch / "report.html"
    report_wall, report_cpu, _ = timed([*base, "--report", str(report)], env)
    records = []
    for path in sorted((scratch / "results" / "demo" / "benchmarks").rglob("*.tsv")):
        record = pd.read_csv(path, sep="\t", na_values=["NA", "-"])
        rel = path.relative_to(scratch / "results" / "demo" / "benchmarks")
        records.append({"rule": rel.parts[0], "job": str(rel.with_suffix("")),
                        "wall_s": record["s"].iloc[0], "cpu_s": record["cpu_time"].iloc[0],
                        "max_rss_mb": record["max_rss"].iloc[0]})
    # jobs as Snakemake counts them ("35 of 35 steps"): a commit without benchmark records too
    steps = re.findall(r"(\d+) of \d+ steps", log)
    run = {"wall_s": wall, "cpu_s": cpu, "jobs": int(steps[-1]) if steps else len(records),
           "load_start": load, "load_end": os.getloadavg()[0], "report_s": report_wall,
           "report_cpu_s": report_cpu, "report_mb": report.stat().st_size / 1e6}
    run |= {f"report_mb_{kind}": mb for kind, mb in report_parts(report).items()}
    return run, pd.DataFrame(records)


# ----------------------------------------------------------------------------- tables


def spread(values, digits: int = 1) -> str:
    """median (min–max) of ``values``."""
    values = [v for v in values if pd.notna(v)]
    if not values:
        return ""
    median = statistics.median(values)
    if len(values) == 1 or min(values) == max(values):
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def run_table(runs: pd.DataFrame) -> str:
    kinds = [c for c in runs.columns if c.startswith("report_mb_")]
    lines = ["| variant | runs | jobs | wall s | CPU s | report s | report MB | of which "
             "(MB) | load at start |", "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for variant, mine in runs.groupby("variant", sort=False):
        parts = sorted(((k.removeprefix("report_mb_"), mine[k].median()) for k in kinds
                        if mine[k].notna().any()), key=lambda item: -item[1])
        lines.append(
            f"| {variant} | {len(mine)} | {spread(mine.jobs, 0)} | {spread(mine.wall_s, 0)} | "
            f"{spread(mine.cpu_s, 0)} | {spread(mine.report_s)} | {spread(mine.report_mb)} | "
            + ", ".join(f"{kind} {mb:.1f}" for kind, mb in parts if mb >= 0.05)
            + f" | {spread(mine.load_start)} |")
    return "\n".join(lines)


def import_table(imports: pd.DataFrame) -> str:
    variants = list(dict.fromkeys(imports.variant))
    lines = ["| script | " + " | ".join(f"import {kind} s, {v}" for v in variants
                                       for kind in ("wall", "CPU"))
             + f" | slowest libraries (import self time s, {variants[-1]}) |",
             "|---|" + "---:|" * 2 * len(variants) + "---|"]
    last = imports[imports.variant == variants[-1]]
    order = last.groupby("script").import_cpu_s.median().sort_values(ascending=False).index
    for script in order:
        cells = [spread(imports[(imports.variant == v) & (imports.script == script)]
                        [column], 2) for v in variants
                 for column in ("import_wall_s", "import_cpu_s")]
        libraries = last[last.script == script].libraries.iloc[0]
        lines.append(f"| {script} | " + " | ".join(cells) + f" | {libraries} |")
    return "\n".join(lines)


def rule_table(jobs: pd.DataFrame, imports: pd.DataFrame | None) -> str:
    """Per rule (of this repository's runs): jobs, summed job wall and CPU (median over
    runs), start-up CPU per job (imports and Snakemake's preamble) and its share of the
    rule's CPU. CPU, not wall: other jobs on the machine stretch wall times unevenly."""
    scripts = rule_scripts()
    startup = {}
    if imports is not None:
        per_script = imports[imports.variant == "this"].groupby("script").import_cpu_s.median()
        preamble = per_script.get("(snakemake preamble)", 0.0)
        startup = {rule: per_script[s] + preamble for rule, s in scripts.items()
                   if s in per_script}
    per_run = jobs.groupby(["run", "rule"]).agg(
        n=("job", "size"), wall=("wall_s", "sum"), cpu=("cpu_s", "sum")).reset_index()
    totals = per_run.groupby("rule").cpu.median().sort_values(ascending=False)
    lines = ["| rule | jobs | wall s (sum over jobs) | CPU s (sum) | start-up CPU s per job | "
             "start-up share of CPU |", "|---|---:|---:|---:|---:|---:|"]
    paid = spent = 0.0
    for rule in totals.index:
        mine = per_run[per_run.rule == rule]
        n, cpu = int(mine.n.median()), mine.cpu.median()
        cells = [spread(mine.wall), spread(mine.cpu)]
        if rule in startup and cpu:
            paid += n * startup[rule]
            spent += cpu
            cells += [f"{startup[rule]:.2f}", f"{min(1.0, n * startup[rule] / cpu):.0%}"]
        else:
            cells += ["", ""]
        lines.append(f"| {rule} | {n} | " + " | ".join(cells) + " |")
    whole = per_run.groupby("run")
    lines.append(f"| **all jobs** | {int(whole.n.sum().median())} | {spread(whole.wall.sum())} "
                 f"| {spread(whole.cpu.sum())} | | {paid / spent:.0%} |" if spent else "")
    return "\n".join(lines)


def write_tables(out: Path) -> Path:
    parts = []
    if (out / "runs.tsv").is_file():
        parts.append(run_table(pd.read_csv(out / "runs.tsv", sep="\t")))
    imports = pd.read_csv(out / "imports.tsv", sep="\t") if (out / "imports.tsv").is_file() \
        else None
    if (out / "jobs.tsv").is_file():
        jobs = pd.read_csv(out / "jobs.tsv", sep="\t")
        parts.append(rule_table(jobs[jobs.variant == "this"], imports))
    if imports is not None:
        parts.append(import_table(imports))
    path = out / "cost.md"
    path.write_text("\n\n".join(parts) + "\n")
    return path


# ----------------------------------------------------------------------------- main


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--only", choices=["demo", "imports"])
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=FOLDER",
                        help="also measure this copy of the repository (alternating)")
    parser.add_argument("--tables", action="store_true", help="only rewrite <out>/cost.md")
    parser.add_argument("--out", type=Path, default=REPO / "results" / "bench" / "workflow_cost")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    variants = {name: Path(folder).resolve() for name, folder in
                (v.split("=", 1) for v in args.variant)} | {"this": REPO}
    if not args.tables:
        print(f"{os.cpu_count()} CPUs, load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        if args.only != "demo":
            measure_imports(args.reps, variants).to_csv(args.out / "imports.tsv", sep="\t",
                                                        index=False)
        if args.only != "imports":
            runs, jobs = [], []
            for rep in range(args.reps):
                pairs = list(variants.items())
                for variant, repo in pairs[::-1] if rep % 2 else pairs:
                    scratch = args.out / f"scratch_{variant}"
                    run, records = run_demo(scratch, args.cores, repo)
                    shutil.copy(scratch / "report.html", args.out / f"report_{variant}.html")
                    runs.append(run | {"variant": variant, "run": rep})
                    jobs.append(records.assign(variant=variant, run=rep))
                    print(f"demo {variant} {rep + 1}/{args.reps}: {run['wall_s']:.0f} s wall, "
                          f"{run['cpu_s']:.0f} s CPU, report {run['report_mb']:.1f} MB",
                          flush=True)
                    # written after every run: an interrupted bench keeps what it measured
                    pd.DataFrame(runs).to_csv(args.out / "runs.tsv", sep="\t", index=False)
                    pd.concat(jobs).to_csv(args.out / "jobs.tsv", sep="\t", index=False)
    print(f"wrote {write_tables(args.out)}")


if __name__ == "__main__":
    main()
