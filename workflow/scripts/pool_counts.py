"""Join the NCBI counts of a dataset's series by sample (rule pool_counts)."""
import logging

from painstress.data import ncbi_fetch, ncbi_files
from painstress.files import write_tsv
from painstress.jobs import run_script


def main(snakemake):
    tables = {series: ncbi_files.read_ncbi_counts(path)
              for series, path in zip(snakemake.params.series, snakemake.input.counts)}
    joined, left_out = ncbi_fetch.join_series_counts(tables)
    logging.info("%d samples of %s; %d genes in every series, %d left out (not in all)",
                 joined.shape[1], ", ".join(tables), len(joined), left_out)
    write_tsv(joined, snakemake.output[0], index=True)


run_script(main, snakemake)  # noqa: F821
