"""Decide which GEO series each dataset is (checkpoint resolve_datasets)."""
import logging

from painstress.data import ncbi_fetch
from painstress.files import write_tsv
from painstress.jobs import run_script


def main(snakemake):
    p = snakemake.params
    if p.source == "simulate" or p.offline:
        chosen = ncbi_fetch.assign_datasets(p.datasets, {}, None, p.organism)
        chosen["how"] = ("simulated demo series" if p.source == "simulate"
                         else "pinned in config; PMID link not checked (offline)")
        considered = ncbi_fetch.resolution_table([], p.organism)
    else:
        client, endpoints = ncbi_fetch.connect(p.ncbi)
        chosen, considered = ncbi_fetch.resolve(p.datasets, p.pmid, p.organism, client, endpoints)
    logging.info("datasets:\n%s", chosen.to_string(index=False))
    write_tsv(considered, snakemake.output.resolution)
    write_tsv(chosen, snakemake.output.datasets)


run_script(main, snakemake)  # noqa: F821
