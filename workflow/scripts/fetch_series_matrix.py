"""Download one GEO series matrix into resources/ (rule fetch_series_matrix)."""

from painstress.data import ncbi_fetch
from painstress.jobs import offline_missing, run_script


def main(snakemake):
    if snakemake.params.offline:
        raise offline_missing(snakemake.output)
    client, endpoints = ncbi_fetch.connect(snakemake.params.ncbi)
    ncbi_fetch.fetch_series_matrix(client, endpoints, snakemake.wildcards.series,
                             snakemake.wildcards.platform.lstrip("-") or None,
                             snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
