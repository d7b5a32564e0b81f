"""Fit one region × contrast (rule deseq2): painstress.de.deseq2.analyse_configured; writes
the results, the summary record and the per-gene dispersion estimates."""
import logging

import pandas as pd

from painstress.de import deseq2
from painstress.files import write_tsv
from painstress.jobs import run_script
from painstress.settings import DESettings


def main(snakemake):
    region, contrast = snakemake.wildcards.region, snakemake.params.contrast
    analysis, dataset = deseq2.analyse_configured(
        snakemake.input.samples, snakemake.input.genes,
        dict(zip(snakemake.params.datasets, snakemake.input.counts)), region=region,
        contrast=contrast, settings=DESettings.from_params(snakemake.params.de),
        n_cpus=snakemake.threads)
    summary = {"contrast": contrast["name"], "dataset": dataset,
               "series": analysis.summary.pop("series"), **analysis.summary}
    logging.info("%s", summary)
    write_tsv(analysis.results, snakemake.output.table)
    write_tsv(pd.DataFrame([summary]), snakemake.output.summary)
    write_tsv(analysis.dispersions, snakemake.output.dispersions)


run_script(main, snakemake)  # noqa: F821
