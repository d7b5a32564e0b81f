"""A dot plot of one pathway analysis (rules pathway_ora_figure, pathway_gsea_figure)."""
from painstress.figures.pathways import pathway_dotplot
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    params, wildcards = snakemake.params, snakemake.wildcards
    table = read_tsv(snakemake.input[0], dtype={"term": str})
    if "definition" in wildcards.keys():  # ORA of the pooled shared genes, all directions
        region = "pooled" if (table["region"] == "pooled").any() else table["region"].iloc[0]
        table = table[(table["definition"] == wildcards.definition)
                      & (table["region"] == region) & (table["direction"] == "all")]
        title = (f"{params.title}: pathways over-represented among the shared genes "
                 f"({wildcards.definition} definition, {region})")
    else:  # one contrast in one region
        table = table.assign(contrast=wildcards.contrast, region=wildcards.region)
        title = f"{params.title}: {wildcards.region}, {wildcards.contrast} (preranked GSEA)"
    figure = pathway_dotplot(table, padj_threshold=params.padj, title=title)
    save(figure, snakemake.output.png, snakemake.output.pdf)


run_script(main, snakemake)  # noqa: F821
