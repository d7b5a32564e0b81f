"""One table of every DE fit's summary (rule de_summary), with whose samples each fit
used (arms.tsv: origin, and a note when a contrast fell back to another dataset)."""
import pandas as pd

from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    fits = pd.concat([read_tsv(p) for p in snakemake.input.fits], ignore_index=True)
    arms = read_tsv(snakemake.input.arms, dtype=str).fillna("")
    fits = fits.merge(arms[["contrast", "region", "origin", "note"]],
                      on=["contrast", "region"], how="left")
    order = ["contrast", "dataset", "series", "origin", "note"]
    write_tsv(fits[order + [c for c in fits.columns if c not in order]], snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
