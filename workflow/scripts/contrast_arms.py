"""Where each contrast takes its samples from, per region (rule contrast_arms)."""
import logging

from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script
from painstress.samples import contrast_arms


def main(snakemake):
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    datasets = read_tsv(snakemake.input.datasets, dtype=str).fillna("")
    arms = contrast_arms(sheet, snakemake.params.contrasts,
                         dict(zip(datasets["dataset"], datasets.get("origin", ""))))
    logging.info("arms:\n%s", arms.to_string(index=False))
    write_tsv(arms, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
