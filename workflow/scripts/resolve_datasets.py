"""Decide which GEO series each dataset is (checkpoint resolve_datasets)."""
import _src  # noqa: F401  (puts src/ on sys.path)
import logging

from painstress import ncbi
from painstress.files import run_script, write_tsv


def main(snakemake):
    p = snakemake.params
    if p.source == "simulate" or p.offline:
        chosen = ncbi.assign_datasets(p.datasets, {}, None, p.organism)
        chosen["how"] = ("simulated demo series" if p.source == "simulate"
                         else "pinned in config; PMID link not checked (offline)")
        considered = ncbi.resolution_table([], p.organism)
    else:
        client, endpoints = ncbi.connect(p.ncbi)
        chosen, considered = ncbi.resolve(p.datasets, p.pmid, p.organism, client, endpoints)
    logging.info("datasets:\n%s", chosen.to_string(index=False))
    write_tsv(considered, snakemake.output.resolution)
    write_tsv(chosen, snakemake.output.datasets)


run_script(main, snakemake)  # noqa: F821
