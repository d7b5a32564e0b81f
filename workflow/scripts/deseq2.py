"""Fit one region × contrast (rule deseq2): painstress.de.analyse_configured."""
import _src  # noqa: F401  (puts src/ on sys.path)
import logging

import pandas as pd

from painstress import de
from painstress.files import run_script, write_tsv


def main(snakemake):
    region, contrast = snakemake.wildcards.region, snakemake.params.contrast
    analysis, dataset = de.analyse_configured(
        snakemake.input.samples, snakemake.input.genes,
        dict(zip(snakemake.params.datasets, snakemake.input.counts)), region=region,
        contrast=contrast, settings=snakemake.params.de, n_cpus=snakemake.threads)
    summary = {"contrast": contrast["name"], "dataset": dataset, **analysis.summary}
    logging.info("%s", summary)
    write_tsv(analysis.results, snakemake.output.table)
    write_tsv(pd.DataFrame([summary]), snakemake.output.summary)


run_script(main, snakemake)  # noqa: F821
