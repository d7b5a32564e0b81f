"""Counts of shared pain/stress genes per region (rule overlap_figure)."""
import _src  # noqa: F401  (puts src/ on sys.path)
from painstress import plots
from painstress.files import read_tsv, run_script


def main(snakemake):
    stats = read_tsv(snakemake.input.stats)
    plots.save(plots.overlap_counts(stats, title=snakemake.params.title),
               snakemake.output.png, snakemake.output.pdf)


run_script(main, snakemake)  # noqa: F821
