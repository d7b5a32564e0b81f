"""Volcano, MA, p-value and dispersion plots of every region × contrast (rule de_figures)."""

from painstress.figures.de import dispersion_plot, ma_plot, pvalue_histogram, volcano
from painstress.figures.style import save
from painstress.files import read_tsv
from painstress.jobs import run_script
from painstress.settings import Thresholds, significance_sentence

KINDS = ("volcano", "ma", "pvalues", "dispersion")


def fit_figures(table_path, summary_path, dispersions_path, thresholds, out):
    """The four figures of one fit; ``out``: kind -> (PNG, PDF) paths."""
    table = read_tsv(table_path, dtype={"symbol": str}).fillna({"symbol": ""})
    summary = read_tsv(summary_path).iloc[0]
    groups = (f"{summary.region}: {summary.test} (n={summary.n_test}) vs "
              f"{summary.reference} (n={summary.n_reference}); {summary.genes_tested} genes tested")
    title = f"{groups}\n{significance_sentence(thresholds)}"
    save(volcano(table, title=title, thresholds=thresholds), *out["volcano"])
    save(ma_plot(table, title=title, thresholds=thresholds), *out["ma"])
    save(pvalue_histogram(table, title=title), *out["pvalues"])
    dispersions = read_tsv(dispersions_path, dtype={"symbol": str})
    save(dispersion_plot(dispersions, title=f"{groups}\ndispersion estimates ({summary.design})"),
         *out["dispersion"])


def main(snakemake):
    inputs, output = snakemake.input, snakemake.output
    thresholds = Thresholds.from_params(snakemake.params.thresholds)
    for (region, contrast), table, summary, dispersions in zip(
            snakemake.params.fits, inputs.tables, inputs.summaries, inputs.dispersions):
        names = {kind: f"{region}/{kind}_{contrast}" for kind in KINDS}
        out = {kind: (output[name], output[f"{name}.pdf"]) for kind, name in names.items()}
        fit_figures(table, summary, dispersions, thresholds, out)


run_script(main, snakemake)  # noqa: F821
