"""Pain against every signature, and the shared-gene table (rule signature_tests)."""
import logging

import _src  # noqa: F401  (puts src/ on sys.path)
import pandas as pd

from painstress.compare import overlap
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

    pain_name, stress_name = params.names
    pairs = {region: (pain[region], signatures[stress_name][region])
             for region in params.overlap_regions}
    others = {name: s for name, s in signatures.items() if name != stress_name}
    genes = overlap.pain_stress_genes(pairs, params.names, overlap.memberships(others))
    logging.info("%d genes shared in at least one region", len(genes))
    write_tsv(genes, snakemake.output.genes)


run_script(main, snakemake)  # noqa: F821
