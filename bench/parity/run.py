"""Parity of the workflow's DE step with R DESeq2, and with stock pydeseq2, per matrix.

For each matrix (see matrices.py): the workflow's own DE step
(painstress.de.deseq2.analyse_contrast, as rule deseq2 calls it) with our engine, and R DESeq2
(workflow/scripts/deseq2_reference.R: DESeq() + results() with R's defaults) on the very
matrix and sample table the model was fitted on; then the figures of
painstress.de.parity.compare_all. With ``--stock`` (default on) the same DE step with stock
pydeseq2 inference is compared with R too (``stock_`` figures), and our engine with stock
pydeseq2 (``vs_stock_`` figures: dispersions, shrunk log2FC, and which engine has the
lower dispersion loss where they differ).

    .venv/bin/python -m bench.parity.run                      # all -> results/bench/parity/
    .venv/bin/python -m bench.parity.run --only sim12 nac     # some
    .venv/bin/python -m bench.parity.run --only demo-NAc-CUS_vs_control
    .venv/bin/python -m bench.parity.run --tables             # parity.md from parity.tsv

Writes <out>/<matrix>/{summary.tsv, genes.tsv.gz, worst_genes.tsv, size_factors.tsv,
dispersions.tsv.gz},
<out>/parity.tsv (one row per matrix, every figure) and <out>/parity.md (the tables of
docs/benchmarks.md). Needs R with DESeq2 (apt-get install r-bioc-deseq2).
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from bench.parity import matrices, r_reference

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

from painstress.de import deseq2, parity  # noqa: E402
from painstress.files import write_tsv  # noqa: E402


def _analyse(matrix: matrices.Matrix, engine: str):
    start = time.process_time()
    analysis = deseq2.analyse_contrast(matrix.counts, matrix.sheet,
                                       **matrix.run_contrast_kwargs(1, engine))
    return analysis, time.process_time() - start


def versus_stock(ours: dict, stock: dict, analysis) -> dict:
    """Our engine against stock pydeseq2 on the same matrix: dispersions (relative
    difference), shrunk log2FC (Spearman, max abs. difference), and where the gene-wise
    dispersions differ by > 1e-5, on how many genes each engine has the lower loss."""
    from painstress.de import pydeseq2_adapter
    from painstress.de.engine import dispersion_loss

    out = parity.compare_fits(ours, stock)
    out = {k: v for k, v in out.items() if k.startswith("disp_")}
    a = ours["results"]["log2FoldChange_shrunk"]
    b = stock["results"]["log2FoldChange_shrunk"].reindex(a.index)
    ok = a.notna() & b.notna()
    out["shrunk_spearman"] = float(stats.spearmanr(a[ok], b[ok])[0])
    out["shrunk_absdiff_max"] = float((a[ok] - b[ok]).abs().max())
    dds = analysis.fitted.dds
    genes = ours["dispersions"].index.intersection(stock["dispersions"].index)
    mine = ours["dispersions"].loc[genes, "genewise"].to_numpy(float)
    theirs = stock["dispersions"].loc[genes, "genewise"].to_numpy(float)
    differ = np.abs(mine - theirs) > 1e-5 * theirs
    columns = dds.var_names.astype(np.int64).get_indexer(genes[differ])
    X = dds.obsm["design_matrix"].to_numpy(float)
    counts = np.asarray(dds.X[:, columns], float)
    mu = pydeseq2_adapter.mu_hat(dds)[:, columns]
    loss_mine = dispersion_loss(np.log(mine[differ]), counts, mu, X)
    loss_theirs = dispersion_loss(np.log(theirs[differ]), counts, mu, X)
    out["genewise_differ"] = int(differ.sum())
    out["genewise_lower_loss_ours"] = int((loss_mine < loss_theirs).sum())
    out["genewise_lower_loss_stock"] = int((loss_theirs < loss_mine).sum())
    return out


def run_one(matrix: matrices.Matrix, outdir: Path, stock: bool) -> dict:
    analysis, seconds_ours = _analyse(matrix, "painstress")
    ours = parity.ours(analysis)
    thresholds = matrix.settings("painstress").thresholds
    parity.write_model_input(analysis.model, outdir / "model")
    start = time.perf_counter()
    r = r_reference.run(outdir / "model", outdir / "R", matrix.test, matrix.reference)
    seconds_r = time.perf_counter() - start
    figures = {"matrix": matrix.name, "description": matrix.description,
               "samples": analysis.model.counts.shape[0], "genes_in_counts": len(matrix.counts),
               "design": analysis.model.design, "engine": ours["fit"]["engine"],
               "cpu_seconds_ours": round(seconds_ours, 2), "seconds_R": round(seconds_r, 1),
               **parity.compare_all(ours, r, thresholds)}
    if stock:
        stock_analysis, seconds_stock = _analyse(matrix, "pydeseq2")
        stock_fit = parity.ours(stock_analysis)
        figures["cpu_seconds_stock"] = round(seconds_stock, 1)
        figures.update({f"stock_{k}": v
                        for k, v in parity.compare_all(stock_fit, r, thresholds).items()})
        figures.update({f"vs_stock_{k}": v
                        for k, v in versus_stock(ours, stock_fit, analysis).items()})

    r_default = parity.r_results_at(r, "default")
    write_tsv(pd.DataFrame({"figure": list(figures), "value": list(figures.values())}),
              outdir / "summary.tsv")
    table = parity.gene_table_vs_r(ours["results"], r)
    write_tsv(table, outdir / "genes.tsv.gz", index=True)
    write_tsv(parity.worst_genes(ours["results"], r_default, n=20), outdir / "worst_genes.tsv",
              index=True)
    write_tsv(pd.DataFrame({"ours": ours["size_factors"], "R": r["size_factors"]})
              .rename_axis("sample"), outdir / "size_factors.tsv", index=True)
    write_tsv(ours["dispersions"].add_suffix("_ours")
              .join(r["dispersions"].add_suffix("_R"), how="outer").rename_axis("GeneID"),
              outdir / "dispersions.tsv.gz", index=True)
    return figures


def _fmt(value, digits=3) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        if value.is_integer() and abs(value) < 1e7:
            return str(int(value))
        if 0.99 <= value < 1:  # correlations, Jaccard: show how far from 1
            return f"1 − {1 - value:.0e}" if 1 - value < 1e-6 else f"{value:.6f}".rstrip("0")
        if abs(value) < 1e-3 or abs(value) >= 1e4:
            return f"{value:.1e}"
        return f"{value:.{digits}g}" if abs(value) < 1 else f"{value:.{digits + 1}g}"
    return str(value)


def markdown(table: pd.DataFrame) -> str:
    """The parity tables of docs/benchmarks.md."""
    def block(title, columns, prefix=""):
        rows = [f"**{title}**", "",
                "| matrix | " + " | ".join(label for label, _ in columns) + " |",
                "|---|" + "---:|" * len(columns)]
        for _, row in table.iterrows():
            cells = [_fmt(row.get(prefix + key, row.get(key))) if not callable(key)
                     else key(row, prefix) for _, key in columns]
            rows.append(f"| {row['matrix']} | " + " | ".join(cells) + " |")
        return "\n".join(rows) + "\n"

    def joined(*keys, digits=3, prefixed=True):
        """A cell of several figures, ' / '-separated (e.g. median / max, ours / R)."""
        def cell(row, prefix):
            return " / ".join(_fmt(row[(prefix if prefixed else "") + key], digits)
                              for key in keys)
        return cell

    def sets(definition):
        counts = joined(*(f"{definition}_{who}" for who in ("ours", "R", "both")))

        def cell(row, prefix):
            return f"{counts(row, prefix)} ({_fmt(row[prefix + definition + '_jaccard'])})"
        return cell

    def median_max(stem, prefixed=True):
        return joined(f"{stem}_median", f"{stem}_max", prefixed=prefixed)

    def ours_r(stem, alt="ours", digits=4):
        return joined(f"{stem}_{alt}", f"{stem}_R", digits=digits, prefixed=False)

    agreement = [("samples", "samples"), ("genes", "genes_common"),
                 ("log2FC Pearson", "log2fc_pearson"), ("log2FC Spearman", "log2fc_spearman"),
                 ("−log10 p Pearson", "mlog10p_pearson"),
                 ("−log10 p Spearman", "mlog10p_spearman"), ("focus genes", "focus_genes"),
                 ("log2FC rel. diff. median / max", median_max("log2fc_reldiff")),
                 ("lfcSE rel. diff. median / max", median_max("lfcse_reldiff")),
                 ("padj rel. diff. median / max", median_max("padj_reldiff")),
                 ("−log10 padj rel. diff. median / max", median_max("mlog10padj_reldiff")),
                 ("max abs. log2FC diff.", "log2fc_absdiff_max")]
    deg = [("sig_paper ours / R / both (Jaccard)", sets("sig_paper")),
           ("sig_modern ours / R / both (Jaccard)", sets("sig_modern")),
           ("p NA ours only / R only", joined("pvalue_na_ours_only", "pvalue_na_R_only")),
           ("padj NA ours only / R only", joined("padj_na_ours_only", "padj_na_R_only"))]
    fits = [("size factors max rel. diff.", "size_factors_reldiff_max"),
            ("genewise disp. median / max", median_max("disp_genewise_reldiff", False)),
            ("trend median / max", median_max("disp_fitted_reldiff", False)),
            ("MAP median / max", median_max("disp_MAP_reldiff", False)),
            ("final median / max", median_max("disp_final_reldiff", False)),
            ("trend a0 ours / R", ours_r("trend_asymptDisp")),
            ("trend a1 ours / R", ours_r("trend_extraPois")),
            ("prior var ours / R", ours_r("prior_disp_var")),
            ("outlier genes refitted ours / R", ours_r("replaced_genes"))]
    def both(key, digits=3):
        """ours / stock pydeseq2, each against R with the workflow's alpha."""
        def cell(row, prefix):
            stock = row.get(f"stock_same_alpha_{key}", float("nan"))
            return f"{_fmt(row[f'same_alpha_{key}'], digits)} / {_fmt(stock, digits)}"
        return cell

    engines = [("log2FC Spearman", both("log2fc_spearman")),
               ("log2FC max rel. diff.", both("log2fc_reldiff_max")),
               ("−log10 p Spearman", both("mlog10p_spearman")),
               ("DEG Jaccard, paper", both("sig_paper_jaccard")),
               ("DEG Jaccard, modern", both("sig_modern_jaccard"))]
    versus = [("gene-wise disp. median / max", median_max("vs_stock_disp_genewise_reldiff",
                                                          False)),
              ("MAP disp. median / max", median_max("vs_stock_disp_MAP_reldiff", False)),
              ("final disp. median / max", median_max("vs_stock_disp_final_reldiff", False)),
              ("gene-wise differ > 1e-5: lower loss ours / stock",
               joined("vs_stock_genewise_differ", "vs_stock_genewise_lower_loss_ours",
                      "vs_stock_genewise_lower_loss_stock", prefixed=False)),
              ("shrunk log2FC Spearman", "vs_stock_shrunk_spearman"),
              ("shrunk log2FC max abs. diff.", "vs_stock_shrunk_absdiff_max")]
    has_stock = "stock_same_alpha_log2fc_spearman" in table
    return "\n".join([
        *([block("Ours / stock pydeseq2, each against R DESeq2 with results(alpha = 0.05)",
                 engines),
           block("Ours against stock pydeseq2 (dispersions: relative difference; gene-wise "
                 "genes that differ, and on how many each engine has the lower Cox–Reid "
                 "adjusted loss)", versus)] if has_stock else []),
        block("Agreement with R DESeq2 (R's default results(), alpha = 0.1)", agreement),
        block("DEG sets and NA, R's default results() (alpha = 0.1)", deg),
        block("Agreement with R results(alpha = 0.05), the workflow's alpha", agreement,
              prefix="same_alpha_"),
        block("DEG sets and NA, R results(alpha = 0.05)", deg, prefix="same_alpha_"),
        block("Size factors and dispersions (relative difference to R)", fits),
    ])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", default=matrices.ALL,
                        help=f"matrices to run (default: all of {matrices.ALL})")
    parser.add_argument("--out", type=Path, default=REPO / "results" / "bench" / "parity")
    parser.add_argument("--no-stock", dest="stock", action="store_false",
                        help="leave out stock pydeseq2 (its fits take minutes per matrix)")
    parser.add_argument("--tables", action="store_true",
                        help="only rewrite <out>/parity.md from <out>/parity.tsv")
    args = parser.parse_args(argv)
    if args.tables:
        names = pd.read_csv(args.out / "parity.tsv", sep="\t")["matrix"]
        rows = []
        for name in names:
            summary = pd.read_csv(args.out / name / "summary.tsv", sep="\t", dtype=str)
            rows.append(dict(zip(summary["figure"], pd.to_numeric(summary["value"],
                                                                  errors="coerce")
                                 .fillna(summary["value"]))))
        write_table(pd.DataFrame(rows), args.out)
        return
    version = r_reference.deseq2_version()
    if version is None:
        sys.exit(parity.R_INSTALL_HINT)
    print(f"R DESeq2 {version}; {platform.platform()}", flush=True)
    rows = []
    for matrix in matrices.matrices(args.only):
        print(f"{matrix.name}: {matrix.description}", flush=True)
        figures = run_one(matrix, args.out / matrix.name, args.stock)
        print("  " + ", ".join(f"{k}={_fmt(figures.get(k, float('nan')))}" for k in (
            "genes_common", "same_alpha_log2fc_spearman", "same_alpha_log2fc_reldiff_max",
            "same_alpha_mlog10p_spearman", "same_alpha_sig_modern_jaccard",
            "same_alpha_sig_paper_jaccard", "stock_same_alpha_log2fc_reldiff_max",
            "vs_stock_disp_genewise_reldiff_median", "vs_stock_disp_MAP_reldiff_median",
            "vs_stock_shrunk_spearman", "cpu_seconds_ours", "seconds_R")), flush=True)
        rows.append(figures)
        write_table(pd.DataFrame(rows), args.out)


def write_table(table: pd.DataFrame, out: Path) -> None:
    table.to_csv(out / "parity.tsv", sep="\t", index=False, float_format="%.10g")
    (out / "parity.md").write_text(markdown(table))
    print(f"wrote {out / 'parity.tsv'} and {out / 'parity.md'}", flush=True)


if __name__ == "__main__":
    main()
