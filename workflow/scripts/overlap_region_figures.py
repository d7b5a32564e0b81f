"""Pain vs stress fold changes and the shared genes' expression in one region."""

from painstress.compare import overlap
from painstress.figures.overlap import fold_change_scatter, shared_gene_heatmap
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    region, p = snakemake.wildcards.region, snakemake.params
    pain = read_tsv(snakemake.input.pain, dtype={"symbol": str})
    stress = read_tsv(snakemake.input.stress, dtype={"symbol": str})
    shared = read_tsv(snakemake.input.shared, dtype={"symbol": str}).fillna({"symbol": ""})
    modern = shared[(shared.region == region) & (shared.definition == "modern")]
    vst = read_tsv(snakemake.input.vst, index_col=0)
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    out = snakemake.output
    save(fold_change_scatter(
        overlap.paired_table(pain, stress), modern, pain_label=p.pain, stress_label=p.stress,
        title=f"{region}: {p.pain} vs {p.stress}; shared = padj < threshold in both, same sign"),
        out.scatter, out.scatter_pdf)
    save(shared_gene_heatmap(
        vst, sheet, modern, group_order=p.group_order,
        title=f"{region}: {len(modern)} genes shared by {p.pain} and {p.stress} "
              "(modern definition), all samples of the region"),
        out.heatmap, out.heatmap_pdf)


run_script(main, snakemake)  # noqa: F821
