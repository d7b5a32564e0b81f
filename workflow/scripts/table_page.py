"""A TSV table as an HTML page the report shows inline (rule table_page)."""

from painstress.files import read_tsv, write_html_table
from painstress.jobs import run_script


def main(snakemake):
    write_html_table(read_tsv(snakemake.input[0]), snakemake.output[0], snakemake.params.title)


run_script(main, snakemake)  # noqa: F821
