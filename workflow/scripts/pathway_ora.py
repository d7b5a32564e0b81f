"""Over-representation of the shared genes in every collection (rule pathway_ora)."""
import logging

from painstress.compare import pathways
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    def de(path):
        return read_tsv(path, dtype={"symbol": str})

    inputs, settings = snakemake.input, snakemake.params.settings
    backgrounds = {region: pathways.background_symbols(de(pain), de(stress))
                   for region, pain, stress in zip(snakemake.params.regions, inputs.pain,
                                                   inputs.stress)}
    collections, names = pathways.collections_from_table(read_tsv(inputs.sets, dtype=str))
    shared = read_tsv(inputs.shared, dtype={"symbol": str})
    table = pathways.shared_gene_ora(shared, backgrounds, collections, names,
                                     directions=("all", "up", "down"),
                                     min_size=settings["min_size"],
                                     max_size=settings["max_size"])
    logging.info("ORA: %d tests, %d with padj < %g", len(table),
                 int((table["padj"] < settings["padj"]).sum()), settings["padj"])
    write_tsv(table, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
