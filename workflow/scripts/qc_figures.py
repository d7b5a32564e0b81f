"""Sample QC of one region: PCA and sample distances on VST expression, and count
distributions before and after normalisation (rule qc_figures; all from rule vst's one
normalisation of the region)."""
from painstress.figures.samples import count_distributions, pca, sample_distances
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script

PCA_GENES = 500  # as DESeq2's plotPCA (ntop = 500)


def main(snakemake):
    inputs, out = snakemake.input, snakemake.output
    vst = read_tsv(inputs.vst, index_col=0)
    sheet = read_tsv(inputs.samples, dtype=str)
    region, order = snakemake.wildcards.region, snakemake.params.group_order
    n_genes = min(PCA_GENES, vst.shape[0])
    save(pca(vst, sheet, group_order=order, n_genes=n_genes,
             title=f"{region}: PCA of {vst.shape[1]} samples, {n_genes} most variable genes "
                   "(VST, blind to design)"), out.pca, out.pca_pdf)
    save(sample_distances(vst, sheet, group_order=order,
                          title=f"{region}: distances between samples ({vst.shape[0]} genes, "
                                "VST)"), out.distances, out.distances_pdf)
    normalised = read_tsv(inputs.normalised, dtype={"symbol": str}).set_index("GeneID")
    normalised = normalised.drop(columns="symbol")
    size_factors = read_tsv(inputs.size_factors, dtype={"sample": str}).set_index("sample")
    raw = normalised * size_factors["size_factor"]  # counts back: normalised × size factor
    save(count_distributions(raw, normalised, sheet, group_order=order,
                             title=f"{region}: counts per sample before and after size "
                                   "factors (median of ratios)"),
         out.distributions, out.distributions_pdf)


run_script(main, snakemake)  # noqa: F821
