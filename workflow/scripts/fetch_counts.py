"""Download a series' NCBI-computed raw counts and gene annotation (rule fetch_counts)."""

from painstress.data import ncbi_fetch
from painstress.jobs import offline_missing, run_script


def main(snakemake):
    if snakemake.params.offline:
        raise offline_missing(snakemake.output)
    client, endpoints = ncbi_fetch.connect(snakemake.params.ncbi)
    ncbi_fetch.fetch_counts(client, endpoints, snakemake.wildcards.series,
                            snakemake.params.organism, snakemake.input.series_matrix,
                            snakemake.output.counts, snakemake.output.annotation)


run_script(main, snakemake)  # noqa: F821
