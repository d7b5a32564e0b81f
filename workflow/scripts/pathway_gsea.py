"""Preranked GSEA of one DE table in every collection (rule pathway_gsea)."""
from painstress.compare import pathways
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    settings = snakemake.params.settings
    collections, names = pathways.collections_from_table(
        read_tsv(snakemake.input.sets, dtype=str))
    table = pathways.gsea_prerank(read_tsv(snakemake.input.de, dtype={"symbol": str}),
                                  collections, names, min_size=settings["min_size"],
                                  max_size=settings["max_size"],
                                  permutations=settings["permutations"], seed=settings["seed"],
                                  threads=snakemake.threads)
    write_tsv(table, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
