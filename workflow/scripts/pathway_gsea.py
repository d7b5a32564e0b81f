"""Preranked GSEA of every pain and stress table in every collection, each with its dot
plot; then where the paper's themes appear among the significant terms (rule
pathway_gsea)."""
import logging

import pandas as pd

from painstress.compare import pathways
from painstress.figures.pathways import pathway_dotplot
from painstress.figures.style import save
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script
from painstress.settings import PathwaySettings


def gsea(snakemake):
    """One GSEA table and dot plot per (contrast, region)."""
    params = snakemake.params
    settings = PathwaySettings.from_params(params.settings)
    collections, names = pathways.collections_from_table(
        read_tsv(snakemake.input.sets, dtype=str))
    for (contrast, region), de, path in zip(params.tables, snakemake.input.de,
                                            snakemake.output.tables):
        table = pathways.gsea_prerank(read_tsv(de, dtype={"symbol": str}), collections, names,
                                      min_size=settings.min_size,
                                      max_size=settings.max_size,
                                      permutations=settings.permutations,
                                      seed=settings.seed, threads=snakemake.threads)
        write_tsv(table, path)
        figure = pathway_dotplot(
            read_tsv(path, dtype={"term": str}).assign(contrast=contrast, region=region),
            padj_threshold=settings.padj,
            title=f"{params.title}: {region}, {contrast} (preranked GSEA)")
        name = f"pathways/gsea_{region}_{contrast}"
        save(figure, snakemake.output[name], snakemake.output[f"{name}.pdf"])


def themes(snakemake):
    settings = PathwaySettings.from_params(snakemake.params.settings)
    table = pd.concat([read_tsv(path, dtype={"term": str}).assign(contrast=contrast,
                                                                  region=region)
                       for (contrast, region), path in zip(snakemake.params.tables,
                                                           snakemake.output.tables)],
                      ignore_index=True)[pathways.GSEA_COLUMNS]
    ora = read_tsv(snakemake.input.ora, dtype={"term": str})
    found = pathways.themes_table(ora, table, settings.themes,
                                  padj_threshold=settings.padj)
    summary = pathways.theme_summary(found)
    logging.info("themes:\n%s", summary.to_string(index=False))
    write_tsv(table, snakemake.output.gsea)
    write_tsv(found, snakemake.output.themes)
    write_tsv(summary, snakemake.output.summary)


def main(snakemake):
    gsea(snakemake)
    themes(snakemake)


run_script(main, snakemake)  # noqa: F821
