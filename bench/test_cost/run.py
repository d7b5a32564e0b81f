"""Where the test suite's time goes: wall time and CPU per test, and how busy the machine was.

    .venv/bin/python -m bench.test_cost.run                  # the whole suite, then tables
    .venv/bin/python -m bench.test_cost.run -- -m "not workflow"   # pytest's own options
    .venv/bin/python -m bench.test_cost.run --tables         # cost.md from the last events

Runs pytest (the project's options: one worker per core) with bench/test_cost/plugin.py,
which records each test's start, end and CPU (its worker's own and that of the processes it
waited for: the Snakemake runs and their jobs), and samples the machine's busy and idle
time (``/proc/stat``) every 2 s. Writes to <out> (default results/bench/test_cost/):
``events.jsonl`` (the plugin's), ``busy.tsv`` (seconds, busy and idle core-seconds per
sample) and ``cost.md``: the suite's wall time and busy share, each worker's span, the
tests by CPU and by time spent waiting (wall minus CPU), and CPU per test file.

The suite on 2 cores is bound by CPU when the busy share is near 100 %: then only less CPU
shortens it, not more workers or another order. SLURM's jobs are started by slurmd, not by
a test: their CPU is in the busy share, not in any test's row.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cpu_ticks() -> tuple[int, int]:
    """(busy, idle) clock ticks of all cores since boot, from /proc/stat's first line."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq = fields[:7]
    return user + nice + system + irq + softirq, idle + iowait


def sample_busy(path: Path, stop: threading.Event, every: float = 2.0) -> None:
    ticks = os.sysconf("SC_CLK_TCK")
    start, (busy, idle) = time.monotonic(), cpu_ticks()
    with open(path, "w") as out:
        out.write("seconds\tbusy_core_s\tidle_core_s\n")
        while not stop.wait(every):
            now_busy, now_idle = cpu_ticks()
            out.write(f"{time.monotonic() - start:.0f}\t{(now_busy - busy) / ticks:.2f}\t"
                      f"{(now_idle - idle) / ticks:.2f}\n")
            out.flush()
            busy, idle = now_busy, now_idle


def per_test_rows(events_path: Path) -> list[dict]:
    """One row per test: worker, start (s from the first event), wall, CPU, waiting."""
    events = [json.loads(line) for line in events_path.read_text().splitlines()]
    first = min(e["time"] for e in events)
    started, rows = {}, []
    for e in events:
        key = (e["worker"], e["test"])
        if e["event"] == "start":
            started[key] = e
            continue
        s = started.pop(key)
        cpu = e["cpu"] - s["cpu"] + e["children_cpu"] - s["children_cpu"]
        wall = e["time"] - s["time"]
        rows.append({"worker": e["worker"], "test": e["test"], "start": s["time"] - first,
                     "wall": wall, "cpu": cpu, "waiting": max(0.0, wall - cpu)})
    return rows


def tables(out: Path, top: int = 25) -> str:
    rows = per_test_rows(out / "events.jsonl")
    busy = [line.split("\t") for line in (out / "busy.tsv").read_text().splitlines()[1:]]
    busy_s = sum(float(b) for _, b, _ in busy)
    idle_s = sum(float(i) for _, _, i in busy)
    span = max(r["start"] + r["wall"] for r in rows)
    lines = [f"{len(rows)} tests in {span:.0f} s; machine busy {busy_s:.0f} core-s, idle "
             f"{idle_s:.0f} core-s ({100 * busy_s / max(busy_s + idle_s, 1e-9):.0f} % busy); "
             f"CPU counted in tests {sum(r['cpu'] for r in rows):.0f} s", "",
             "| worker | tests | first start s | last end s | busy s |",
             "|---|---:|---:|---:|---:|"]
    by_worker = defaultdict(list)
    for r in rows:
        by_worker[r["worker"]].append(r)
    for worker, mine in sorted(by_worker.items()):
        lines.append(f"| {worker} | {len(mine)} | {min(r['start'] for r in mine):.0f} | "
                     f"{max(r['start'] + r['wall'] for r in mine):.0f} | "
                     f"{sum(r['wall'] for r in mine):.0f} |")
    for title, key in (("by CPU", "cpu"), ("by waiting (wall minus CPU)", "waiting")):
        lines += ["", f"Tests {title}:", "", "| test | worker | start s | wall s | CPU s |",
                  "|---|---|---:|---:|---:|"]
        for r in sorted(rows, key=lambda r: -r[key])[:top]:
            lines.append(f"| `{r['test']}` | {r['worker']} | {r['start']:.0f} | "
                         f"{r['wall']:.1f} | {r['cpu']:.1f} |")
    per_file = defaultdict(lambda: [0, 0.0, 0.0])
    for r in rows:
        entry = per_file[r["test"].split("::")[0]]
        entry[0] += 1
        entry[1] += r["wall"]
        entry[2] += r["cpu"]
    lines += ["", "| file | tests | wall s | CPU s |", "|---|---:|---:|---:|"]
    for name, (n, wall, cpu) in sorted(per_file.items(), key=lambda kv: -kv[1][2]):
        lines.append(f"| `{name}` | {n} | {wall:.1f} | {cpu:.1f} |")
    text = "\n".join(lines) + "\n"
    (out / "cost.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "results" / "bench" / "test_cost")
    parser.add_argument("--tables", action="store_true", help="only write cost.md")
    parser.add_argument("pytest_args", nargs="*", help="after --: pytest's own options")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.tables:
        events = args.out / "events.jsonl"
        events.unlink(missing_ok=True)
        env = {**os.environ, "TEST_COST_OUT": str(events),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                           os.environ.get("PYTHONPATH")]))}
        stop = threading.Event()
        sampler = threading.Thread(target=sample_busy, args=(args.out / "busy.tsv", stop))
        sampler.start()
        try:
            done = subprocess.run([sys.executable, "-m", "pytest", "-p",
                                   "bench.test_cost.plugin", *args.pytest_args],
                                  cwd=REPO, env=env)
        finally:
            stop.set()
            sampler.join()
        print(f"pytest exited with {done.returncode}")
    print(tables(args.out))


if __name__ == "__main__":
    main()
