"""Pathway collections from their official files, as one long table (rule pathway_sets)."""
import logging
from pathlib import Path

import pandas as pd

from painstress.compare import pathways
from painstress.data import genesets
from painstress.data.http import provenance_record
from painstress.files import write_tsv
from painstress.jobs import run_script


def main(snakemake):
    collections, names, sources = {}, {}, []
    for collection in snakemake.params.collections:
        files = snakemake.params.sources[collection]
        if collection == "GO_BP":  # go-basic.obo + the MGI GAF, propagated to ancestors
            obo = genesets.read_obo(files[0])
            sets = genesets.go_gene_sets(files[1], obo,
                                         aspect="P", min_size=1, max_size=10**9)
            names.update(genesets.term_names(obo, "P"))
        else:  # an MSigDB mouse GMT
            sets, set_names = pathways.read_gmt(files[0])
            names.update(set_names)
        collections[collection] = sets
        logging.info("%s: %d sets", collection, len(sets))
        for path in files:
            record = provenance_record(path)
            sources.append({"collection": collection, "file": Path(path).name,
                            "url": record["url"] or "(no download record: demo or by hand)",
                            "downloaded": record["fetched"][:10], "sha256": record["sha256"],
                            "n_sets": len(sets)})
    write_tsv(pathways.collections_table(collections, names), snakemake.output.sets)
    write_tsv(pd.DataFrame(sources), snakemake.output.sources)


run_script(main, snakemake)  # noqa: F821
