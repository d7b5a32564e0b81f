"""Download a series' NCBI-computed raw counts or its gene annotation (rules fetch_counts*,
fetch_annotation*): one file per job."""

from painstress.data import ncbi_fetch
from painstress.jobs import offline_missing, run_script


def main(snakemake):
    if snakemake.params.offline:
        raise offline_missing(snakemake.output)
    client, endpoints = ncbi_fetch.connect(snakemake.params.ncbi)
    series, organism = snakemake.wildcards.series, snakemake.params.organism
    if snakemake.params.kind == "counts":
        ncbi_fetch.fetch_counts(client, endpoints, series, organism,
                                snakemake.input.series_matrix, snakemake.output[0])
    else:
        ncbi_fetch.fetch_annotation(client, endpoints, series, organism, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
