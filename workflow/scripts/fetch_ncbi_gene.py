"""Download one of NCBI Gene's files: ortholog pairs or the human gene table (rule
fetch_ncbi_gene)."""
from pathlib import Path

from painstress.data import ncbi_fetch
from painstress.jobs import offline_missing, run_script


def main(snakemake):
    if snakemake.params.offline:
        raise offline_missing(snakemake.output, where="NCBI Gene (ftp.ncbi.nlm.nih.gov/gene/DATA/)")
    client, _ = ncbi_fetch.connect(snakemake.params.ncbi)
    ncbi_fetch.fetch_ncbi_gene(client, snakemake.params.ncbi["gene_url"],
                               Path(snakemake.output[0]).name, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
