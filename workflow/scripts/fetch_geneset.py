"""Download one curated gene-set source file, checked by its reader (rule fetch_geneset)."""
from painstress.data import genesets, ncbi_fetch
from painstress.data.http import download
from painstress.jobs import offline_missing, run_script


def main(snakemake):
    url = snakemake.params.url
    if snakemake.params.offline:
        raise offline_missing(snakemake.output, where=url)
    client, _ = ncbi_fetch.connect(snakemake.params.ncbi)
    download(client, url, snakemake.output[0], genesets.SOURCE_CHECKS[snakemake.params.kind])


run_script(main, snakemake)  # noqa: F821
