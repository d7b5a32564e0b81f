"""Where the paper's themes appear among the significant terms (rule pathway_themes)."""
import logging

import pandas as pd

from painstress.compare import pathways
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    settings = snakemake.params.settings
    gsea = pd.concat([read_tsv(path, dtype={"term": str}).assign(contrast=contrast, region=region)
                      for (contrast, region), path in zip(snakemake.params.tables,
                                                          snakemake.input.gsea)],
                     ignore_index=True)[pathways.GSEA_COLUMNS]
    ora = read_tsv(snakemake.input.ora, dtype={"term": str})
    themes = pathways.themes_table(ora, gsea, settings["themes"],
                                   padj_threshold=settings["padj"])
    summary = pathways.theme_summary(themes)
    logging.info("themes:\n%s", summary.to_string(index=False))
    write_tsv(gsea, snakemake.output.gsea)
    write_tsv(themes, snakemake.output.themes)
    write_tsv(summary, snakemake.output.summary)


run_script(main, snakemake)  # noqa: F821
