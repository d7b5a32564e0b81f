"""Dot plots of the pathway analyses (rule pathway_figures)."""
from painstress.figures.pathways import pathway_dotplot
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    params = snakemake.params
    ora = read_tsv(snakemake.input.ora, dtype={"term": str})
    gsea = read_tsv(snakemake.input.gsea, dtype={"term": str})
    pooled = "pooled" if (ora["region"] == "pooled").any() else ora["region"].iloc[0]
    for definition, png in zip(params.definitions, snakemake.output.ora):
        rows = ora[(ora["definition"] == definition) & (ora["region"] == pooled)
                   & (ora["direction"] == "all")]
        figure = pathway_dotplot(rows, padj_threshold=params.padj, title=(
            f"{params.title}: pathways over-represented among the shared genes "
            f"({definition} definition, {pooled})"))
        save(figure, png, png.replace(".png", ".pdf"))
    for (contrast, region), png in zip(params.tables, snakemake.output.gsea):
        rows = gsea[(gsea["contrast"] == contrast) & (gsea["region"] == region)]
        figure = pathway_dotplot(rows, padj_threshold=params.padj,
                                 title=f"{params.title}: {region}, {contrast} (preranked GSEA)")
        save(figure, png, png.replace(".png", ".pdf"))


run_script(main, snakemake)  # noqa: F821
