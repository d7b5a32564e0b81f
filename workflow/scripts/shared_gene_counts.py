"""Normalised counts per sample of the top shared genes, per region and model (rule
shared_gene_counts): DESeq2's plotCounts view."""
from painstress.figures.evidence import gene_counts_panel
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    params = snakemake.params
    genes = read_tsv(snakemake.input.genes, dtype={"symbol": str})
    top = genes[genes["n_regions_modern"] > 0].head(params.n_genes)
    if top.empty:
        top = genes.head(params.n_genes)
    tables = {region: read_tsv(path, dtype={"symbol": str}).set_index("GeneID")
              for region, path in zip(params.regions, snakemake.input.normalised)}
    normalised = {(region, model): tables[region].drop(columns="symbol")
                  for region in params.regions for model in ("pain", "stress")
                  if region in params.contrast_regions[model]}
    figure = gene_counts_panel(normalised, read_tsv(snakemake.input.samples, dtype=str),
                               list(zip(top["GeneID"], top["symbol"].fillna(""))),
                               groups=params.groups,
                               title=f"{params.title}: the top {len(top)} shared genes, "
                                     "normalised counts per sample")
    save(figure, snakemake.output.png, snakemake.output.pdf)


run_script(main, snakemake)  # noqa: F821
