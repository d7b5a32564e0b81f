"""Reads counted per sample (rule library_sizes_figure)."""
import pandas as pd

from painstress.data import ncbi_files
from painstress.figures.samples import library_sizes
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    sheet = sheet[sheet.dataset.isin(snakemake.params.datasets)]  # study organism only
    totals = pd.concat([ncbi_files.read_ncbi_counts(p).sum() for p in snakemake.input.counts])
    save(library_sizes(totals, sheet, group_order=snakemake.params.group_order,
                                   region_order=snakemake.params.region_order,
                                   title=f"Reads counted per sample ({len(sheet)} samples)"),
               snakemake.output.png, snakemake.output.pdf)


run_script(main, snakemake)  # noqa: F821
