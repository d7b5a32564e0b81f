"""Sample QC of one region: PCA and sample distances on VST expression, raw vs normalised
count distributions, and the normalised-counts table (rule qc_figures)."""
import pandas as pd
from pydeseq2.preprocessing import deseq2_norm

from painstress.data import ncbi_files
from painstress.figures.evidence import normalised_counts_table
from painstress.figures.samples import count_distributions, pca, sample_distances
from painstress.figures.style import save
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script


def main(snakemake):
    vst = read_tsv(snakemake.input.vst, index_col=0)
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    region, order = snakemake.wildcards.region, snakemake.params.group_order
    out = snakemake.output
    save(pca(vst, sheet, group_order=order,
             title=f"{region}: PCA of {vst.shape[1]} samples, 500 most variable genes (VST, "
                   "blind to design)"), out.pca, out.pca_pdf)
    save(sample_distances(vst, sheet, group_order=order,
                          title=f"{region}: distances between samples ({vst.shape[0]} genes, "
                                "VST)"), out.distances, out.distances_pdf)
    # the region's samples (the VST's), normalised together by DESeq2's median of ratios
    counts = pd.concat([ncbi_files.read_ncbi_counts(path) for path in snakemake.input.counts],
                       axis=1, join="inner")[list(vst.columns)]
    normalised, size_factors = deseq2_norm(counts.T)
    size_factors = pd.Series(size_factors, index=counts.columns)
    save(count_distributions(counts, normalised.T, sheet, group_order=order,
                             title=f"{region}: counts per sample before and after size "
                                   "factors (median of ratios)"),
         out.distributions, out.distributions_pdf)
    genes = read_tsv(snakemake.input.genes, dtype={"symbol": str})
    write_tsv(normalised_counts_table(counts, size_factors, genes), out.normalised)


run_script(main, snakemake)  # noqa: F821
