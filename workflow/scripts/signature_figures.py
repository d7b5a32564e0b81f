"""The signature overlap heatmap, and the top shared genes' normalised counts per sample,
per region and model (DESeq2's plotCounts view) (rule signature_figures)."""

from painstress.figures.evidence import gene_counts_panel
from painstress.figures.signatures import signature_heatmap
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def shared_gene_counts(snakemake):
    params = snakemake.params
    genes = read_tsv(snakemake.input.genes, dtype={"symbol": str})
    top = genes[genes["n_regions_modern"] > 0].head(params.n_genes)
    if top.empty:
        top = genes.head(params.n_genes)
    tables = {region: read_tsv(path, dtype={"symbol": str}).set_index("GeneID")
              for region, path in zip(params.qc_regions, snakemake.input.normalised)}
    normalised = {(region, model): tables[region].drop(columns="symbol")
                  for region in params.qc_regions for model in ("pain", "stress")
                  if region in params.contrast_regions[model]}
    figure = gene_counts_panel(normalised, read_tsv(snakemake.input.samples, dtype=str),
                               list(zip(top["GeneID"], top["symbol"].fillna(""))),
                               groups=params.groups,
                               title=f"{params.title}: the top {len(top)} shared genes, "
                                     "normalised counts per sample")
    save(figure, snakemake.output.counts, snakemake.output.counts_pdf)


def main(snakemake):
    params = snakemake.params
    tests = read_tsv(snakemake.input.tests)
    save(signature_heatmap(tests, title=f"{params.title}: pain against signatures",
                           signature_order=list(dict.fromkeys(tests["signature"])),
                           region_order=params.regions),
         snakemake.output.heatmap, snakemake.output.heatmap_pdf)
    shared_gene_counts(snakemake)


run_script(main, snakemake)  # noqa: F821
