"""Fit one region × contrast (rule deseq2): painstress.de.run_contrast."""
import _src  # noqa: F401  (puts src/ on sys.path)
import logging

import pandas as pd

from painstress import de, geo, samples
from painstress.files import read_tsv, run_script, write_tsv


def main(snakemake):
    region, contrast = snakemake.wildcards.region, snakemake.params.contrast
    settings = snakemake.params.de
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    chosen = samples.contrast_samples(sheet, contrast, region)
    (dataset,) = chosen["dataset"].unique()  # one dataset per contrast: checked with the sheet
    counts = geo.read_ncbi_counts(dict(zip(snakemake.params.datasets,
                                           snakemake.input.counts))[dataset])
    genes = read_tsv(snakemake.input.genes, dtype={"symbol": str}).fillna("")
    results, summary = de.run_contrast(
        counts, sheet, region=region, test=contrast["test"],
        reference=contrast["reference"], dataset=contrast.get("dataset"),
        where=contrast.get("where"), symbols=genes.set_index("GeneID")["symbol"],
        covariates=settings["covariates"], min_count=settings["min_count"],
        thresholds=de.Thresholds(**settings["thresholds"]), engine=settings["inference"],
        qc=de.LibraryQC(**settings["library_qc"]),
        n_cpus=snakemake.threads)
    summary = {"contrast": contrast["name"], "dataset": dataset, **summary}
    logging.info("%s", summary)
    write_tsv(results, snakemake.output.table)
    write_tsv(pd.DataFrame([summary]), snakemake.output.summary)


run_script(main, snakemake)  # noqa: F821
