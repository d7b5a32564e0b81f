"""What counting a study from its reads costs: salmon index and quant on simulated reads
scaled up, extrapolated to a 36-sample study of ~30 M reads per sample.

    .venv/bin/python -m bench.reads_cost.run                     # measure, then tables
    .venv/bin/python -m bench.reads_cost.run --reads 1 2 4 --reps 1
    .venv/bin/python -m bench.reads_cost.run --tables            # cost.md from the TSVs

Writes to <out> (default results/bench/reads_cost/):

* ``index.tsv``: ``salmon index`` (k = 31) of simulated transcriptomes
  (``painstress.demo.reads.simulate_transcriptome``) of ``--genes`` genes; wall and CPU.
* ``quant.tsv``: ``salmon quant -l A --validateMappings`` (``--gcBias`` for pairs) of
  single-end runs of ``--reads`` million reads and paired runs of as many million pairs
  (75 bp, 0.5 % errors, drawn from lognormal transcript abundances), 1 and 2 threads;
  wall and CPU (user + system of the salmon process, from ``os.wait4``) and mapping rate.
* ``cost.md``: reads per CPU-second, a straight line CPU = a + b x reads fitted per
  layout and thread count, and the study's cost from it.

Measured on simulated reads: real reads (adapters, rRNA, errors, a 120,000-transcript
index bigger than the CPU caches) map more slowly, so the numbers are a lower bound of the
cost. Other jobs may share the cores: CPU time is the comparable figure, wall time is not.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "src"))

from painstress.data.reads import salmon_quant_command  # noqa: E402
from painstress.demo import reads as demo_reads  # noqa: E402

CHUNK = 250_000  # reads simulated at a time (one gzip member each; salmon reads them all)
STUDY = {"samples": 36, "reads": 30e6}  # the study whose cost is extrapolated
# Assumptions, not measured here (stated with the results):
ASSUMED = {
    "fastq_gb_per_30m_single": 1.8,  # 30 M x 75 bp gzipped FASTQ, about 60 bytes a read
    "download_mb_s": (10, 50),  # ENA over HTTPS from one host: slow and good
    "real_index_cpu_min": (20, 40),  # GRCm39 cDNA, ~120,000 transcripts, k = 31
    "cluster_threads": 8,
}


def timed(command: list[str], log: Path) -> dict:
    """Run ``command``; wall seconds and CPU seconds (user + system) of the process."""
    start = time.monotonic()
    with open(log, "w") as fh:
        proc = subprocess.Popen(command, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{command[:3]} failed: see {log}")
    return {"wall_s": round(time.monotonic() - start, 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "max_rss_mb": round(usage.ru_maxrss / 1024)}


def transcriptome(folder: Path, genes: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    tx = demo_reads.simulate_transcriptome([f"ENSMUSG{i:011d}" for i in range(1, genes + 1)],
                                           rng)
    fasta = folder / f"tx_{genes}.fa.gz"
    fasta.write_bytes(demo_reads.fasta_bytes(tx))
    return tx, fasta


def write_fastq(tx, n_reads: int, paired: bool, dest: list[Path], seed: int) -> None:
    """``n_reads`` reads (pairs) from lognormal abundances, in gzip members of CHUNK."""
    rng = np.random.default_rng(seed)
    ids = tx.transcripts["transcript_id"].to_numpy()
    weights = rng.lognormal(3.0, 1.5, len(ids))
    handles = [open(p, "wb") for p in dest]
    try:
        for start in range(0, n_reads, CHUNK):
            n = min(CHUNK, n_reads - start)
            counts = pd.Series(rng.multinomial(n, weights / weights.sum()), index=ids)
            files = demo_reads.simulate_fastq(tx, counts, rng, f"r{start}", paired=paired)
            for fh, data in zip(handles, files):
                fh.write(data)
    finally:
        for fh in handles:
            fh.close()


def measure(out: Path, genes: list[int], millions: list[float], reps: int) -> None:
    work = out / "work"
    work.mkdir(parents=True, exist_ok=True)
    index_rows = []
    for g in genes:
        tx, fasta = transcriptome(work, g)
        bases = int(tx.transcripts["length"].sum())
        for rep in range(reps):
            index = work / f"index_{g}"
            result = timed(["salmon", "index", "-t", str(fasta), "-i", str(index), "-k", "31",
                            "-p", "2"], work / f"index_{g}.log")
            index_rows.append({"genes": g, "transcripts": len(tx.transcripts),
                               "bases": bases, "threads": 2, "rep": rep, **result})
            print(index_rows[-1], flush=True)
    pd.DataFrame(index_rows).to_csv(out / "index.tsv", sep="\t", index=False)
    quant_rows = []
    for m in millions:
        n = int(m * 1e6)
        for layout in ("single", "paired"):
            names = [f"{layout}_{m}M_1.fq.gz", f"{layout}_{m}M_2.fq.gz"] if layout == "paired" \
                else [f"{layout}_{m}M.fq.gz"]
            fastqs = [work / name for name in names]
            write_fastq(tx, n, layout == "paired", fastqs, seed=int(m * 10))
            size = sum(p.stat().st_size for p in fastqs)
            for rep in range(reps):
                for threads in (1, 2):
                    quant = work / f"quant_{layout}_{m}M_{threads}"
                    result = timed(salmon_quant_command(index, fastqs, quant, threads),
                                   work / f"quant_{layout}_{m}M_{threads}.log")
                    meta = json.loads((quant / "aux_info" / "meta_info.json").read_text())
                    quant_rows.append({"layout": layout, "millions": m, "fragments": n,
                                       "reads": n * (2 if layout == "paired" else 1),
                                       "fastq_mb": round(size / 1e6, 1), "threads": threads,
                                       "rep": rep, **result,
                                       "mapping_rate": meta["percent_mapped"] / 100})
                    print(quant_rows[-1], flush=True)
            for p in fastqs:
                p.unlink()
    pd.DataFrame(quant_rows).to_csv(out / "quant.tsv", sep="\t", index=False)


def tables(out: Path) -> str:
    index = pd.read_csv(out / "index.tsv", sep="\t")
    quant = pd.read_csv(out / "quant.tsv", sep="\t")
    per = quant.groupby(["layout", "threads", "millions"], as_index=False).agg(
        fragments=("fragments", "first"), reads=("reads", "first"),
        fastq_mb=("fastq_mb", "first"), cpu_s=("cpu_s", "median"), wall_s=("wall_s", "median"),
        mapping_rate=("mapping_rate", "median"))
    per["reads_per_cpu_s"] = (per["reads"] / per["cpu_s"]).round(-3).astype(int)
    lines = ["| layout | threads | fragments | FASTQ MB | CPU s | wall s | reads per CPU-s | "
             "mapped |", "|---|---|---|---|---|---|---|---|"]
    for r in per.itertuples():
        lines.append(f"| {r.layout} | {r.threads} | {r.fragments:,} | {r.fastq_mb:g} | "
                     f"{r.cpu_s:.1f} | {r.wall_s:.1f} | {r.reads_per_cpu_s:,} | "
                     f"{r.mapping_rate:.1%} |")
    lines += ["", "Straight line CPU s = a + b x fragments (least squares over the sizes):",
              "", "| layout | threads | a (s) | b (CPU s per million fragments) | "
              "30 M fragments, CPU min |", "|---|---|---|---|---|"]
    fits = {}
    for (layout, threads), g in per.groupby(["layout", "threads"]):
        b, a = np.polyfit(g["fragments"] / 1e6, g["cpu_s"], 1)
        fits[(layout, threads)] = (a, b)
        lines.append(f"| {layout} | {threads} | {a:.1f} | {b:.2f} | "
                     f"{(a + b * STUDY['reads'] / 1e6) / 60:.1f} |")
    n, big = STUDY["samples"], STUDY["reads"] / 1e6
    lines += ["", f"A study of {n} samples of {big:g} M fragments, from the 1-thread lines:",
              "", "| layout | salmon CPU h | laptop, 2 cores: wall h | cluster, "
              f"{n} jobs x {ASSUMED['cluster_threads']} threads: wall min |",
              "|---|---|---|---|"]
    for layout in ("single", "paired"):
        a, b = fits[(layout, 1)]
        cpu = a + b * big  # per sample, seconds
        lines.append(f"| {layout} | {n * cpu / 3600:.1f} | {n * cpu / 2 / 3600:.1f} | "
                     f"{cpu / ASSUMED['cluster_threads'] / 60:.1f} |")
    idx = index.groupby("genes", as_index=False).agg(
        transcripts=("transcripts", "first"), bases=("bases", "first"),
        cpu_s=("cpu_s", "median"), wall_s=("wall_s", "median"),
        max_rss_mb=("max_rss_mb", "median"))
    lines += ["", "| salmon index (k 31, 2 threads) | transcripts | bases | CPU s | wall s | "
              "max RSS MB |", "|---|---|---|---|---|---|"]
    for r in idx.itertuples():
        lines.append(f"| {r.genes:,} genes | {r.transcripts:,} | {r.bases:,} | {r.cpu_s:.1f} "
                     f"| {r.wall_s:.1f} | {r.max_rss_mb} |")
    text = "\n".join(lines) + "\n"
    (out / "cost.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "results" / "bench" / "reads_cost")
    parser.add_argument("--genes", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--reads", type=float, nargs="+", default=[1, 2, 4],
                        help="millions of reads (single) and of pairs (paired)")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--tables", action="store_true", help="only write cost.md")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.tables:
        measure(args.out, args.genes, args.reads, args.reps)
    print(tables(args.out))


if __name__ == "__main__":
    main()
