"""Demo only: precision and recall of the shared genes against the planted truth."""
import logging

import pandas as pd

from painstress.demo.recovery import score_recovery
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    truth = read_tsv(snakemake.input.truth)
    found = read_tsv(snakemake.input.found)
    rows = []
    for definition in ("paper", "modern"):
        hits = found[found["definition"] == definition]
        rows.append({"definition": definition, "scope": "region",
                     **score_recovery(truth, hits)})
        # Pooled: a gene counts once, found in any region, with the planted direction.
        pooled = {k: f.assign(region="pooled").drop_duplicates(["GeneID", "direction"])
                  for k, f in (("truth", truth), ("found", hits))}
        rows.append({"definition": definition, "scope": "pooled",
                     **score_recovery(pooled["truth"], pooled["found"])})
    table = pd.DataFrame(rows)
    logging.info("recovery of planted shared genes:\n%s", table.to_string(index=False))
    write_tsv(table, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
