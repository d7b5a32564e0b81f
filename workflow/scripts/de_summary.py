"""One table of every DE fit's summary (rule de_summary)."""
import pandas as pd

from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    write_tsv(pd.concat([read_tsv(p) for p in snakemake.input], ignore_index=True),
              snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
