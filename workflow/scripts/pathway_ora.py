"""Pathway collections from their official files, as one long table, each checked against
the study's genes; then over-representation of the shared genes in every collection, with
a dot plot per definition (rule pathway_ora)."""
import logging
from pathlib import Path

import pandas as pd

from painstress.compare import pathways
from painstress.data import genesets, ncbi_files
from painstress.data.http import provenance_record
from painstress.figures.pathways import pathway_dotplot
from painstress.figures.style import save
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script
from painstress.settings import PathwaySettings


def collections(snakemake):
    """The collections' long table, their sources and their mapping to the study's genes."""
    universe = set(ncbi_files.read_mouse_genes(snakemake.input.genes)["symbol"]) - {""}
    sets_of, names, sources, details = {}, {}, [], {}
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
            sets, set_names = genesets.read_gmt(files[0])
            names.update(set_names)
        sets_of[collection] = sets
        for path in files:
            record = provenance_record(path)
            sources.append({"collection": collection, "file": Path(path).name,
                            "url": record["url"] or "(no download record: demo or by hand)",
                            "downloaded": record["fetched"][:10], "sha256": record["sha256"],
                            "n_sets": len(sets)})
    mapping = pathways.collection_mapping(
        sets_of, universe,
        {c: [Path(f).name for f in snakemake.params.sources[c]] for c in sets_of},
        details)
    logging.info("collections against the study's %d genes:\n%s", len(universe),
                 mapping.to_string(index=False))
    pathways.check_mapping(mapping, sets_of, universe, snakemake.params.min_mapped)
    write_tsv(pathways.collections_table(sets_of, names), snakemake.output.sets)
    write_tsv(pd.DataFrame(sources), snakemake.output.sources)
    write_tsv(mapping, snakemake.output.collections)


def ora(snakemake):
    def de(path):
        return read_tsv(path, dtype={"symbol": str})

    inputs = snakemake.input
    settings = PathwaySettings.from_params(snakemake.params.settings)
    backgrounds = {region: pathways.background_symbols(de(pain), de(stress))
                   for region, pain, stress in zip(snakemake.params.regions, inputs.pain,
                                                   inputs.stress)}
    sets, names = pathways.collections_from_table(read_tsv(snakemake.output.sets, dtype=str))
    shared = read_tsv(inputs.shared, dtype={"symbol": str})
    table = pathways.shared_gene_ora(shared, backgrounds, sets, names,
                                     directions=("all", "up", "down"),
                                     min_size=settings.min_size,
                                     max_size=settings.max_size)
    logging.info("ORA: %d tests, %d with padj < %g", len(table),
                 int((table["padj"] < settings.padj).sum()), settings.padj)
    write_tsv(table, snakemake.output.ora)
    write_tsv(table[table["padj"] < settings.padj], snakemake.output.significant)


def dotplots(snakemake):
    """Per definition: the ORA of the pooled shared genes (of the one region without
    pooling), all directions."""
    params = snakemake.params
    padj = PathwaySettings.from_params(params.settings).padj
    table = read_tsv(snakemake.output.ora, dtype={"term": str})
    region = "pooled" if (table["region"] == "pooled").any() else table["region"].iloc[0]
    for definition in params.definitions:
        rows = table[(table["definition"] == definition) & (table["region"] == region)
                     & (table["direction"] == "all")]
        title = (f"{params.title}: pathways over-represented among the shared genes "
                 f"({definition} definition, {region})")
        name = f"pathways/ora_{definition}"
        save(pathway_dotplot(rows, padj_threshold=padj, title=title),
             snakemake.output[name], snakemake.output[f"{name}.pdf"])


def main(snakemake):
    collections(snakemake)
    ora(snakemake)
    dotplots(snakemake)


run_script(main, snakemake)  # noqa: F821
