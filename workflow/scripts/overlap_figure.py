"""Counts of shared pain/stress genes per region (rule overlap_figure)."""
from painstress import plots
from painstress.files import read_tsv, run_script


def main(snakemake):
    stats = read_tsv(snakemake.input.stats)
    plots.save(plots.overlap_counts(stats, title=snakemake.params.title),
               snakemake.output.png, snakemake.output.pdf)


run_script(main, snakemake)  # noqa: F821
