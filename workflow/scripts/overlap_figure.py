"""Counts of shared pain/stress genes per region (rule overlap_figure)."""

from painstress.figures.overlap import overlap_counts
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    stats = read_tsv(snakemake.input.stats)
    save(overlap_counts(stats, title=snakemake.params.title),
               snakemake.output.png, snakemake.output.pdf)


run_script(main, snakemake)  # noqa: F821
