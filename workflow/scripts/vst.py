"""Variance-stabilised and normalised counts of one region, all groups, and the region's
sample QC figures drawn from the same tables, in memory (rule vst)."""
import pandas as pd

from painstress.data import ncbi_files
from painstress.de import deseq2
from painstress.figures.samples import count_distributions, pca, sample_distances
from painstress.figures.style import save
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script

PCA_GENES = 500  # as DESeq2's plotPCA (ntop = 500)


def tables(snakemake):
    """Writes the region's VST, normalised counts and size factors; returns the VST, the
    raw and normalised counts of its genes, for the figures."""
    region, out = snakemake.wildcards.region, snakemake.output
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    # only the QC datasets (the study organism's; rule vst's params)
    sheet = sheet[(sheet.region == region) & sheet.dataset.isin(snakemake.params.datasets)]
    paths = dict(zip(snakemake.params.datasets, snakemake.input.counts))
    # Datasets share NCBI's GeneIDs; keep the genes measured in all of them.
    counts = pd.concat([ncbi_files.read_ncbi_counts(paths[d]) for d in sheet["dataset"].unique()],
                       axis=1, join="inner")
    values, size_factors = deseq2.vst(
        counts, sheet.set_index("sample")["group"], min_count=snakemake.params.min_count,
        engine=snakemake.params.engine, n_cpus=snakemake.threads)
    write_tsv(values, out.vst, index=True)
    genes = read_tsv(snakemake.input.genes, dtype={"symbol": str})
    normalised = deseq2.normalised_counts_table(counts.loc[values.index], size_factors, genes)
    write_tsv(normalised, out.normalised)
    write_tsv(size_factors.rename_axis("sample").reset_index(), out.size_factors)
    return (values, counts.loc[values.index, size_factors.index],
            normalised.set_index("GeneID").drop(columns="symbol"), sheet)


def figures(snakemake, vst, raw, normalised, sheet):
    """PCA, sample distances and count distributions."""
    out = snakemake.output
    region, order = snakemake.wildcards.region, snakemake.params.group_order
    n_genes = min(PCA_GENES, vst.shape[0])
    save(pca(vst, sheet, group_order=order, n_genes=n_genes,
             title=f"{region}: PCA of {vst.shape[1]} samples, {n_genes} most variable genes "
                   "(VST, blind to design)"), out.pca, out.pca_pdf)
    save(sample_distances(vst, sheet, group_order=order,
                          title=f"{region}: distances between samples ({vst.shape[0]} genes, "
                                "VST)"), out.distances, out.distances_pdf)
    save(count_distributions(raw, normalised, sheet, group_order=order,
                             title=f"{region}: counts per sample before and after size "
                                   "factors (median of ratios)"),
         out.distributions, out.distributions_pdf)


def main(snakemake):
    figures(snakemake, *tables(snakemake))


run_script(main, snakemake)  # noqa: F821
