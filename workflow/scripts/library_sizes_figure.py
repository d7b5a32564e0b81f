"""Reads counted per sample (rule library_sizes_figure)."""
import _src  # noqa: F401  (puts src/ on sys.path)
import pandas as pd

from painstress import geo, plots
from painstress.files import read_tsv, run_script


def main(snakemake):
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    sheet = sheet[sheet.dataset.isin(snakemake.params.datasets)]  # study organism only
    totals = pd.concat([geo.read_ncbi_counts(p).sum() for p in snakemake.input.counts])
    plots.save(plots.library_sizes(totals, sheet, group_order=snakemake.params.group_order,
                                   region_order=snakemake.params.region_order,
                                   title=f"Reads counted per sample ({len(sheet)} samples)"),
               snakemake.output.png, snakemake.output.pdf)


run_script(main, snakemake)  # noqa: F821
