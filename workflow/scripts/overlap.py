"""Shared pain/stress genes and overlap statistics (rule overlap)."""
import logging

from painstress.compare import overlap
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script
from painstress.settings import OverlapSettings


def main(snakemake):
    params, settings = snakemake.params, OverlapSettings.from_params(snakemake.params)

    def de(path):
        return read_tsv(path, dtype={"symbol": str})

    pairs = {region: (de(pain), de(stress)) for region, pain, stress in
             zip(params.regions, snakemake.input.pain, snakemake.input.stress)}
    genes, stats = overlap.overlap_tables(pairs, permutations=settings.permutations,
                                          bins=settings.expression_bins, seed=settings.seed)
    logging.info("overlap statistics:\n%s", stats.to_string(index=False))
    write_tsv(genes, snakemake.output.genes)
    write_tsv(stats, snakemake.output.stats)
    summary = overlap.shared_count_summary(stats, settings.thresholds, settings.reported)
    logging.info("shared genes:\n%s", summary.to_string(index=False))
    write_tsv(summary, snakemake.output.summary)


run_script(main, snakemake)  # noqa: F821
