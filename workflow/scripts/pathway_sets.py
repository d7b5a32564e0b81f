"""Pathway collections from their official files, as one long table, each checked against
the study's genes (rule pathway_sets)."""
import logging
from pathlib import Path

import pandas as pd

from painstress.compare import pathways
from painstress.data import genesets
from painstress.data.http import provenance_record
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    genes = read_tsv(snakemake.input.genes, dtype={"symbol": str}).fillna({"symbol": ""})
    if "organism" in genes.columns:  # genes.tsv also lists human datasets' genes
        genes = genes[genes["organism"] == "Mus musculus"]
    universe = set(genes["symbol"]) - {""}
    collections, names, sources, details = {}, {}, [], {}
    for collection in snakemake.params.collections:
        files = snakemake.params.sources[collection]
        if collection == "GO_BP":  # go-basic.obo + the MGI GAF, propagated to ancestors
            obo, gaf = genesets.read_obo(files[0]), genesets.read_gaf(files[1])
            sets = genesets.go_gene_sets(gaf, obo, aspect="P", min_size=1, max_size=10**9)
            names.update(go_names := genesets.term_names(obo, "P"))
            details[collection] = (f"{Path(files[0]).name} {obo.data_version}: "
                                   f"{len(obo.names)} live terms, {len(go_names)} biological "
                                   f"process; {Path(files[1]).name}: {len(gaf)} annotations")
        else:  # an MSigDB mouse GMT
            sets, set_names = pathways.read_gmt(files[0])
            names.update(set_names)
        collections[collection] = sets
        for path in files:
            record = provenance_record(path)
            sources.append({"collection": collection, "file": Path(path).name,
                            "url": record["url"] or "(no download record: demo or by hand)",
                            "downloaded": record["fetched"][:10], "sha256": record["sha256"],
                            "n_sets": len(sets)})
    mapping = pathways.collection_mapping(
        collections, universe,
        {c: [Path(f).name for f in snakemake.params.sources[c]] for c in collections},
        details)
    logging.info("collections against the study's %d genes:\n%s", len(universe),
                 mapping.to_string(index=False))
    pathways.check_mapping(mapping, collections, universe, snakemake.params.min_mapped)
    write_tsv(pathways.collections_table(collections, names), snakemake.output.sets)
    write_tsv(pd.DataFrame(sources), snakemake.output.sources)
    write_tsv(mapping, snakemake.output.collections)


run_script(main, snakemake)  # noqa: F821
