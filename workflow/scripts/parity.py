"""Parity with R DESeq2 (rules parity_ours, parity_contrast and parity; workflow/rules/parity.smk).

parity_ours: the workflow's DE step for one region × contrast (painstress.de.deseq2.analyse_contrast
with the arguments rule deseq2 gives it), writing the model's input (what R is given) and
our fit. parity_contrast: our fit against R's (rule parity_r): the agreement figures, the
genes side by side, size factors and dispersions. parity: one row per region × contrast.
"""
import logging

import pandas as pd

from painstress.de import deseq2, parity
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script
from painstress.settings import DESettings


def fit_ours(snakemake):
    # the very call rule deseq2 makes (same samples, arguments and engine)
    analysis, _ = deseq2.analyse_configured(
        snakemake.input.samples, snakemake.input.genes,
        dict(zip(snakemake.params.datasets, snakemake.input.counts)),
        region=snakemake.wildcards.region, contrast=snakemake.params.contrast,
        settings=DESettings.from_params(snakemake.params.de), n_cpus=snakemake.threads)
    logging.info("DE step done: %s genes, design %s, %s", len(analysis.results),
                 analysis.model.design, analysis.summary["engine"])
    parity.write_model_input(analysis.model, snakemake.output.model)
    parity.write_fit(parity.ours(analysis), snakemake.output.fit)


def compare(snakemake):
    region, contrast = snakemake.wildcards.region, snakemake.params.contrast
    thresholds = DESettings.from_params(snakemake.params.de).thresholds
    ours, r = parity.read_fit(snakemake.input.ours), parity.read_fit(snakemake.input.R)
    figures = {"region": region, "contrast": contrast["name"],
               "design": ours["fit"]["design"], "engine_ours": ours["fit"]["engine"],
               "engine_R": r["fit"]["engine"], **parity.compare_all(ours, r, thresholds)}
    r_default = parity.r_results_at(r, "default")
    worst = parity.worst_genes(ours["results"], r_default)
    logging.info("parity figures:\n%s\nworst genes by relative log2FC difference:\n%s",
                 pd.Series(figures).to_string(), worst.to_string())

    write_tsv(pd.DataFrame({"figure": list(figures), "value": list(figures.values())}),
              snakemake.output.summary)
    table = parity.gene_table_vs_r(ours["results"], r)
    table.insert(0, "symbol", ours["results"]["symbol"].reindex(table.index).fillna(""))
    write_tsv(table, snakemake.output.genes, index=True)
    write_tsv(ours["dispersions"].add_suffix("_ours")
              .join(r["dispersions"].add_suffix("_R"), how="outer").rename_axis("GeneID"),
              snakemake.output.dispersions, index=True)
    write_tsv(pd.DataFrame({"size_factor_ours": ours["size_factors"],
                            "size_factor_R": r["size_factors"]}).rename_axis("sample"),
              snakemake.output.size_factors, index=True)


def collect(snakemake):
    rows = []
    for path in snakemake.input:
        table = read_tsv(path, dtype=str).fillna("")
        rows.append(dict(zip(table["figure"], table["value"])))
    write_tsv(pd.DataFrame(rows), snakemake.output[0])


def main(snakemake):
    {"parity": collect, "parity_ours": fit_ours, "parity_contrast": compare}[snakemake.rule](
        snakemake)


run_script(main, snakemake)  # noqa: F821
