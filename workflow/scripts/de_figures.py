"""Volcano, MA, p-value and dispersion plots of one region × contrast (rule de_figures)."""

from painstress.de.deseq2 import Thresholds
from painstress.figures.de import dispersion_plot, ma_plot, pvalue_histogram, volcano
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script


def main(snakemake):
    table = read_tsv(snakemake.input.table, dtype={"symbol": str}).fillna({"symbol": ""})
    summary = read_tsv(snakemake.input.summary).iloc[0]
    thresholds = Thresholds(**snakemake.params.thresholds)
    groups = (f"{summary.region}: {summary.test} (n={summary.n_test}) vs "
              f"{summary.reference} (n={summary.n_reference}); {summary.genes_tested} genes tested")
    title = (f"{groups}\npaper: p < {thresholds.paper_pvalue}, "
             f"FC ≥ {thresholds.paper_fold_change}; modern: padj < {thresholds.modern_padj}")
    out = snakemake.output
    save(volcano(table, title=title, thresholds=thresholds),
               out.volcano, out.volcano_pdf)
    save(ma_plot(table, title=title, thresholds=thresholds), out.ma, out.ma_pdf)
    save(pvalue_histogram(table, title=title), out.pvalues, out.pvalues_pdf)
    dispersions = read_tsv(snakemake.input.dispersions, dtype={"symbol": str})
    save(dispersion_plot(dispersions, title=f"{groups}\ndispersion estimates ({summary.design})"),
         out.dispersion, out.dispersion_pdf)


run_script(main, snakemake)  # noqa: F821
