"""Transcript -> gene table of the reference GTF (rule tx2gene)."""
from painstress.data.transcripts import tx2gene_from_gtf
from painstress.files import write_tsv
from painstress.jobs import run_script


def main(snakemake):
    write_tsv(tx2gene_from_gtf(snakemake.input[0]), snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
