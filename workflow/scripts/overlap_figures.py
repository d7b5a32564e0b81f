"""Every overlap figure (rule overlap_figures): shared-gene counts per region, the UpSet
plot of the shared genes, and per region the pain vs stress fold changes and the shared
genes' expression."""

from painstress.compare import overlap
from painstress.figures.overlap import (
    fold_change_scatter,
    overlap_counts,
    shared_gene_heatmap,
    shared_upset,
)
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def region_figures(region, pain, stress, shared, vst, sheet, p, out):
    """Fold-change scatter and shared-gene heatmap of one region."""
    modern = shared[(shared.region == region) & (shared.definition == "modern")]
    save(fold_change_scatter(
        overlap.paired_table(pain, stress), modern, pain_label=p.pain, stress_label=p.stress,
        title=f"{region}: {p.pain} vs {p.stress}; shared = padj < threshold in both, same sign"),
        out[f"{region}/fold_changes_pain_vs_stress"],
        out[f"{region}/fold_changes_pain_vs_stress.pdf"])
    save(shared_gene_heatmap(
        vst, sheet, modern, group_order=p.group_order,
        title=f"{region}: {len(modern)} genes shared by {p.pain} and {p.stress} "
              "(modern definition), all samples of the region"),
        out[f"{region}/shared_genes_heatmap"], out[f"{region}/shared_genes_heatmap.pdf"])


def main(snakemake):
    inputs, out, p = snakemake.input, snakemake.output, snakemake.params
    save(overlap_counts(read_tsv(inputs.stats), title=p.counts_title),
         out.overlap_counts, out["overlap_counts.pdf"])
    shared = read_tsv(inputs.shared, dtype={"symbol": str}).fillna({"symbol": ""})
    save(shared_upset(shared, title=p.title, regions=p.regions),
         out.shared_genes_upset, out["shared_genes_upset.pdf"])
    sheet = read_tsv(inputs.samples, dtype=str)
    for region, pain, stress, vst in zip(p.regions, inputs.pain, inputs.stress, inputs.vst):
        region_figures(region, read_tsv(pain, dtype={"symbol": str}),
                       read_tsv(stress, dtype={"symbol": str}), shared,
                       read_tsv(vst, index_col=0), sheet, p, out)


run_script(main, snakemake)  # noqa: F821
