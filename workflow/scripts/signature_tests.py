"""Pain against every depression/anxiety signature, and the shared-gene table with each
gene's signature memberships (rule signature_tests). The pain x stress test itself is rule
overlap's."""
import logging

import pandas as pd

from painstress.compare import overlap, pathways
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    def de(path):
        return read_tsv(path, dtype={"symbol": str})

    params = snakemake.params
    pain = {region: de(path) for region, path in zip(params.pain_regions, snakemake.input.pain)}
    contrasts = {}
    for (name, region), path in zip(params.contrast_tables, snakemake.input.contrasts):
        contrasts.setdefault(name, {})[region] = de(path)
    sets = read_tsv(snakemake.input.gene_sets[0]) if snakemake.input.gene_sets else None
    signatures = {}  # config order; a file's signatures in file order
    for name in params.order:
        if name in contrasts:
            signatures[name] = contrasts[name]
            continue
        for signature, genes in sets[sets["set"] == name].groupby("signature", sort=False):
            signatures[signature] = pd.Series(genes["direction"].to_numpy(),
                                              index=genes["GeneID"].to_numpy())

    tests = overlap.signature_tests(pain, signatures)
    logging.info("signature tests:\n%s", tests.to_string(index=False))
    write_tsv(tests, snakemake.output.tests)

    stress = dict(zip(params.overlap_regions, snakemake.input.stress))
    pairs = {region: (pain[region], de(stress[region])) for region in params.overlap_regions}
    genes = overlap.pain_stress_genes(pairs, params.names, overlap.memberships(signatures))
    if snakemake.input.ora:  # each gene's top significant ORA terms
        top = pathways.gene_pathways(read_tsv(snakemake.input.ora[0], dtype={"term": str}),
                                       padj_threshold=params.pathway_padj)
        genes["top_pathways"] = genes["symbol"].map(top).fillna("")
    logging.info("%d genes shared in at least one region", len(genes))
    write_tsv(genes, snakemake.output.genes)


run_script(main, snakemake)  # noqa: F821
