"""Parity with R DESeq2 (rules parity_contrast and parity; see workflow/rules/parity.smk).

parity_contrast: the workflow's DE step for one region × contrast (painstress.de.analyse_contrast
with the arguments rule deseq2 gives it) and R DESeq2 (DESeq() + results()) on the very
matrix and sample table pydeseq2 was fitted on; writes the agreement figures, the genes
side by side, size factors and dispersions. parity: one row per region × contrast.
"""
import _src  # noqa: F401  (puts src/ on sys.path)
import logging

import pandas as pd

from painstress import de, geo, parity, samples
from painstress.files import read_tsv, run_script, write_tsv


def one_contrast(snakemake):
    version = parity.require_r_deseq2()  # fails first, with what to install
    region, contrast = snakemake.wildcards.region, snakemake.params.contrast
    settings = snakemake.params.de
    sheet = read_tsv(snakemake.input.samples, dtype=str)
    # the same samples as rule deseq2: the region, the two groups, dataset and where-levels
    chosen = samples.contrast_samples(sheet, contrast, region)
    (dataset,) = chosen["dataset"].unique()
    counts = geo.read_ncbi_counts(dict(zip(snakemake.params.datasets,
                                           snakemake.input.counts))[dataset])
    genes = read_tsv(snakemake.input.genes, dtype={"symbol": str}).fillna("")
    thresholds = de.Thresholds(**settings["thresholds"])
    ours = parity.run_workflow_de(
        counts, sheet, region=region, test=contrast["test"],
        reference=contrast["reference"], dataset=contrast.get("dataset"),
        where=contrast.get("where"), symbols=genes.set_index("GeneID")["symbol"],
        covariates=settings["covariates"], min_count=settings["min_count"],
        thresholds=thresholds, engine=settings["inference"], n_cpus=snakemake.threads)
    logging.info("DE step done: %s genes, design %s; running R DESeq2 %s",
                 len(ours.results), ours.design, version)
    r = parity.run_r_deseq2(ours.counts, ours.coldata, design=ours.design,
                            test=contrast["test"], reference=contrast["reference"],
                            alpha=thresholds.modern_padj)
    figures = {"region": region, "contrast": contrast["name"], "dataset": dataset,
               "design": ours.design, "engine_ours": ours.summary["engine"],
               "engine_R": r["fit"]["engine"], **parity.compare_all(ours, r, thresholds)}
    worst = parity.worst_genes(ours.results, parity.r_results_at(r, "default"))
    logging.info("parity figures:\n%s\nworst genes by relative log2FC difference:\n%s",
                 pd.Series(figures).to_string(), worst.to_string())

    write_tsv(pd.DataFrame({"figure": list(figures), "value": list(figures.values())}),
              snakemake.output.summary)
    table = parity.gene_table(ours.results, parity.r_results_at(r, "default"))
    table.insert(0, "symbol", ours.results["symbol"].reindex(table.index).fillna(""))
    table["padj_R_alpha05"] = r["results"]["padj_alpha"].reindex(table.index)
    write_tsv(table, snakemake.output.genes, index=True)
    ours_disp = ours.fit["dispersions"].add_suffix("_ours")
    r_disp = r["dispersions"].add_suffix("_R")
    write_tsv(ours_disp.join(r_disp, how="outer").rename_axis("GeneID"),
              snakemake.output.dispersions, index=True)
    write_tsv(pd.DataFrame({"size_factor_ours": ours.fit["size_factors"],
                            "size_factor_R": r["size_factors"]}).rename_axis("sample"),
              snakemake.output.size_factors, index=True)


def collect(snakemake):
    rows = []
    for path in snakemake.input:
        table = read_tsv(path, dtype=str).fillna("")
        rows.append(dict(zip(table["figure"], table["value"])))
    write_tsv(pd.DataFrame(rows), snakemake.output[0])


def main(snakemake):
    if snakemake.rule == "parity":
        collect(snakemake)
    else:
        one_contrast(snakemake)


run_script(main, snakemake)  # noqa: F821
