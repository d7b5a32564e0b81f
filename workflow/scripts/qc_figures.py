"""PCA and sample-distance heatmap of one region on VST expression (rule qc_figures)."""

from painstress.figures.samples import pca, sample_distances
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    vst = read_tsv(snakemake.input.vst, index_col=0)
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    region, order = snakemake.wildcards.region, snakemake.params.group_order
    out = snakemake.output
    save(pca(vst, sheet, group_order=order,
                         title=f"{region}: PCA of {vst.shape[1]} samples, 500 most variable "
                               "genes (VST, blind to design)"), out.pca, out.pca_pdf)
    save(sample_distances(vst, sheet, group_order=order,
                                      title=f"{region}: distances between samples "
                                            f"({vst.shape[0]} genes, VST)"),
               out.distances, out.distances_pdf)


run_script(main, snakemake)  # noqa: F821
