"""Decide which GEO series each dataset is, and where its counts come from (checkpoint
resolve_datasets)."""
import logging

from painstress.config import own_counts_only
from painstress.data import ncbi_fetch, supplementary
from painstress.files import write_tsv
from painstress.jobs import run_script


def main(snakemake):
    p = snakemake.params
    # a dataset of the user's counts and sample table has no series to resolve
    geo = {name: spec for name, spec in p.datasets.items() if not own_counts_only(spec)}
    client = None
    if p.source == "simulate" or p.offline:
        chosen = ncbi_fetch.assign_datasets(geo, {}, p.pmid, p.organism)
        chosen["how"] = ("simulated demo series" if p.source == "simulate"
                         else "pinned in config; PMID link not checked (offline)")
        considered = ncbi_fetch.resolution_table([], p.organism)
    else:
        client, endpoints = ncbi_fetch.connect(p.ncbi)
        chosen, considered = ncbi_fetch.resolve(geo, p.pmid, p.organism, client, endpoints)
    chosen = supplementary.with_count_sources(chosen, p.datasets, p.organism, client,
                                              endpoints if client else None, p.pmid)
    logging.info("datasets:\n%s", chosen.to_string(index=False))
    write_tsv(considered, snakemake.output.resolution)
    write_tsv(chosen, snakemake.output.datasets)


run_script(main, snakemake)  # noqa: F821
