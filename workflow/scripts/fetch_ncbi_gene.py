"""Download NCBI Gene's orthologs and human gene table (rule fetch_ncbi_gene)."""

from painstress.data import ncbi_fetch
from painstress.jobs import offline_missing, run_script


def main(snakemake):
    if snakemake.params.offline:
        raise offline_missing(snakemake.output)
    client, _ = ncbi_fetch.connect(snakemake.params.ncbi)
    ncbi_fetch.fetch_ncbi_gene(client, snakemake.params.ncbi["gene_url"],
                               snakemake.output.orthologs, snakemake.output.human_info)


run_script(main, snakemake)  # noqa: F821
