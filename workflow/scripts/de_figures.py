"""Volcano and MA plots of one region × contrast (rule de_figures)."""
import _src  # noqa: F401  (puts src/ on sys.path)
from painstress import plots
from painstress.de import Thresholds
from painstress.files import read_tsv, run_script


def main(snakemake):
    table = read_tsv(snakemake.input.table, dtype={"symbol": str}).fillna({"symbol": ""})
    summary = read_tsv(snakemake.input.summary).iloc[0]
    thresholds = Thresholds(**snakemake.params.thresholds)
    title = (f"{summary.region}: {summary.test} (n={summary.n_test}) vs "
             f"{summary.reference} (n={summary.n_reference}); {summary.genes_tested} genes tested\n"
             f"paper: p < {thresholds.paper_pvalue}, FC ≥ {thresholds.paper_fold_change}; "
             f"modern: padj < {thresholds.modern_padj}")
    out = snakemake.output
    plots.save(plots.volcano(table, title=title, thresholds=thresholds),
               out.volcano, out.volcano_pdf)
    plots.save(plots.ma_plot(table, title=title, thresholds=thresholds), out.ma, out.ma_pdf)
    plots.save(plots.pvalue_histogram(table, title=title), out.pvalues, out.pvalues_pdf)


run_script(main, snakemake)  # noqa: F821
