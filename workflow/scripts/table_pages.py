"""Each key table as an HTML page the report shows inline (rule table_pages)."""

from painstress.files import read_tsv, write_html_table
from painstress.jobs import run_script


def main(snakemake):
    for name, title in snakemake.params.titles.items():
        write_html_table(read_tsv(snakemake.input[name]), snakemake.output[name], title)


run_script(main, snakemake)  # noqa: F821
