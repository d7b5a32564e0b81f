"""The demo's transcriptome, gene table and per-run reads (rule simulate_reads)."""
from pathlib import Path

import pandas as pd

from painstress.demo.reads import write_demo_reads
from painstress.jobs import run_script


def main(snakemake):
    inp, out, p = snakemake.input, snakemake.output, snakemake.params
    planted = pd.concat([pd.read_csv(inp.truth, sep="\t"), pd.read_csv(inp.truth_de, sep="\t")])
    write_demo_reads(dict(zip(p.datasets, map(Path, inp.counts))), Path(inp.annotation),
                     Path(out.run_reads).parent, Path(out.transcriptome).parent,
                     Path(out.gene_info), p.seed, n_genes=p.settings["genes"],
                     reads_per_sample=p.settings["reads_per_sample"],
                     planted=list(planted["GeneID"]))


run_script(main, snakemake)  # noqa: F821
