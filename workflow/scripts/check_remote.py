"""Report downloaded files that changed on the server since they were fetched; each answer
is also kept beside its file for the methods (rule check_remote)."""
import logging

import pandas as pd

from painstress.data import ncbi_fetch
from painstress.data.http import check_remote
from painstress.jobs import run_script


def main(snakemake):
    client, _ = ncbi_fetch.connect(snakemake.params.ncbi)
    table = pd.DataFrame(check_remote(client, snakemake.params.notes),
                         columns=["file", "status", "detail", "checked"])
    logging.info("remote check of %d downloaded files:\n%s", len(table),
                 table.to_string(index=False))


run_script(main, snakemake)  # noqa: F821
