"""The run's answer and methods, written from its own tables: the report's first page
(:func:`answer_page`), a methods paragraph with data sources and versions
(:func:`methods_text`) and the software-versions table (:func:`software_versions`).

Nothing here is hard-coded about a result: every number comes from the tables the run
wrote. Everything that reaches HTML is escaped (:func:`html.escape`): config text such as
the paper's wording or a citation is data, never markup.
"""

from __future__ import annotations

import html
import math
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from painstress.compare.overlap import ALPHA
from painstress.settings import significance_sentence

# What the methods and the versions table name, in the order of the data flow.
PACKAGES = ["painstress", "snakemake", "pydeseq2", "numpy", "scipy", "pandas", "gseapy",
            "obonet", "matplotlib", "seaborn", "upsetplot", "adjustText", "papermill",
            "requests"]

PAGE_CSS = """<style>
body { font-family: system-ui, sans-serif; font-size: 14px; margin: 16px; max-width: 1100px; }
h2 { margin-top: 1.4em; } h3 { margin-top: 1.2em; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; white-space: nowrap; }
.lead { font-size: 16px; } .note { color: #555; font-size: 12px; }
</style>"""


def software_versions(extra: dict[str, str] | None = None) -> pd.DataFrame:
    """package, version of :data:`PACKAGES` as installed where this runs (``not installed``
    otherwise), plus ``extra`` (name -> version, e.g. Snakemake's as the workflow saw it)."""
    rows = {}
    for name in PACKAGES:
        try:
            rows[name] = version(name)
        except PackageNotFoundError:
            rows[name] = "not installed"
    rows.update(extra or {})
    return pd.DataFrame(sorted(rows.items(), key=lambda kv: PACKAGES.index(kv[0])
                               if kv[0] in PACKAGES else len(PACKAGES)),
                        columns=["package", "version"])


def _number(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e4):
        return f"{value:.{digits}g}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(frame: pd.DataFrame) -> str:
    """An escaped HTML table (cells formatted, NaN empty)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    def cell(value) -> str:
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        return f"<td{' class=num' if numeric else ''}>{html.escape(_number(value))}</td>"

    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


DIRECTION = "direction: same of significant in both (expected)"
OVERLAP = "co-significance: same direction (expected)"


def shared_counts(summary: pd.DataFrame, stats: pd.DataFrame) -> pd.DataFrame:
    """Per definition: shared genes per region and pooled; the pooled row's verdict, its
    direction test (same-direction genes among those significant in both, against the
    lists' up/down balance) and its co-significance test (same-direction overlap against
    independent lists), each with BH padj and permutation p; and the number reported for
    the paper (from ``shared_count_summary.tsv`` and ``overlap_stats.tsv``)."""
    rows = []
    for _, row in summary.iterrows():
        out = {"definition": row["definition"], "rule": row["rule"]}
        out.update({column.removeprefix("n_shared_"): int(row[column])
                    for column in summary.columns if column.startswith("n_shared_")})
        test = _pooled_test(stats, row["definition"])
        out["verdict"] = test["verdict"]
        out[DIRECTION] = (f"{int(test['n_same_direction'])} of {int(test['n_both'])} "
                          f"({test['expected_same_given_both']:.1f})")
        out["direction padj"] = float(test["direction_padj"])
        out["direction permutation p"] = float(test["direction_pvalue_permutation"])
        out[OVERLAP] = (f"{int(test['n_same_direction'])} "
                        f"({test['expected_same_direction']:.1f})")
        out["odds ratio"] = float(test["odds_ratio"])
        out["co-significance padj"] = float(test["padj"])
        out["co-significance permutation p"] = float(test["pvalue_permutation"])
        if "reported_in_paper" in summary.columns and not pd.isna(row["reported_in_paper"]):
            out["reported for the paper"] = int(row["reported_in_paper"])
        rows.append(out)
    return pd.DataFrame(rows)


def _pooled_test(stats: pd.DataFrame, definition: str) -> pd.Series:
    """The pooled row of ``overlap_stats.tsv`` for ``definition`` (the only region's row
    when there is one region)."""
    rows = stats[stats["definition"] == definition]
    pooled = rows[rows["region"] == "pooled"]
    return (pooled if len(pooled) else rows).iloc[0]


def _test_sentences(test: pd.Series, e) -> str:
    """The direction and co-significance tests of one ``overlap_stats.tsv`` row, in words."""
    def number(column: str) -> str:
        return e(_number(float(test[column]), 2))

    def permutation(column: str) -> str:
        return "" if pd.isna(test[column]) else f", permutation p {number(column)}"

    verdict = str(test["verdict"])
    return (f"<i>Direction test</i> (of the (region, gene) pairs significant in both, do more "
            f"change the same way than each list's up/down balance predicts?): "
            f"{int(test['n_same_direction'])} of {int(test['n_both'])} go the same way "
            f"against {test['expected_same_given_both']:.1f} expected, padj "
            f"{number('direction_padj')}{permutation('direction_pvalue_permutation')}. "
            f"<i>Co-significance test</i> (are more genes significant in both, with the same "
            f"sign, than in independent lists? small whenever many genes are significant in "
            f"both, whichever way they change): {int(test['n_same_direction'])} same-direction "
            f"pairs against {test['expected_same_direction']:.1f} expected, odds ratio "
            f"{e(_number(float(test['odds_ratio'])))}, padj {number('padj')}"
            f"{permutation('pvalue_permutation')}. "
            f"<b>Verdict: {e(verdict)}.</b>")


def top_shared_genes(genes: pd.DataFrame, pain: str, stress: str, n: int = 15
                     ) -> pd.DataFrame:
    """The first ``n`` genes of ``pain_stress_genes.tsv`` (shared in most regions first), with
    the regions, their log2 fold changes in both models where shared, the signatures that
    hold them and their top pathways."""
    rows = []
    signature_columns = [c for c in genes.columns if c.startswith("signature_")]
    for _, gene in genes.head(n).iterrows():
        regions = [r for r in str(gene.get("regions_modern") or "").split(",") if r] or \
            [r for r in str(gene.get("regions_paper") or "").split(",") if r]
        changes = "; ".join(
            f"{r} {gene[f'{r}_{pain}_log2FC']:+.2f} / {gene[f'{r}_{stress}_log2FC']:+.2f}"
            for r in regions if f"{r}_{pain}_log2FC" in gene)
        signatures = ", ".join(c.removeprefix("signature_") for c in signature_columns
                               if isinstance(gene[c], str) and gene[c])
        rows.append({"gene": gene["symbol"],
                     "shared in (modern)": gene.get("regions_modern") or "",
                     "log2FC pain / stress": changes,
                     "depression/anxiety signatures": signatures,
                     "top pathways": gene.get("top_pathways") or ""})
    return pd.DataFrame(rows).fillna("")


def strongest_signatures(tests: pd.DataFrame, n: int = 8) -> pd.DataFrame:
    """The pooled (or single-region) signature tests of the modern definition, strongest
    first."""
    modern = tests[tests["definition"] == "modern"]
    pooled = modern[modern["region"] == "pooled"] if (modern["region"] == "pooled").any() \
        else modern
    pooled = pooled.sort_values(["padj", "pvalue", "signature"], kind="mergesort").head(n)
    return pd.DataFrame({"signature": pooled["signature"], "region": pooled["region"],
                         "kind": pooled["kind"], "overlap": pooled["n_overlap"],
                         "expected": pooled["expected_overlap"],
                         "odds ratio": pooled["odds_ratio"], "padj": pooled["padj"]})


def theme_lines(themes: pd.DataFrame | None) -> pd.DataFrame | None:
    """One row per theme: where ORA of the pooled shared genes (modern definition, all
    directions) finds it, and in how many GSEA contrasts × regions."""
    if themes is None or themes.empty:
        return None
    rows = []
    for theme, group in themes.groupby("theme", sort=False):
        ora = group[(group["analysis"] == "ora") & (group["definition"] == "modern")
                    & (group["direction"] == "all")]
        pooled = ora[ora["region"] == "pooled"] if (ora["region"] == "pooled").any() else ora
        gsea = group[group["analysis"] == "gsea"]
        n_found = len(gsea.loc[gsea["status"] == "found", ["contrast", "region"]]
                      .drop_duplicates())
        n_tested = len(gsea[["contrast", "region"]].drop_duplicates())
        best = pooled.iloc[0] if len(pooled) else None
        rows.append({"theme": theme,
                     "shared genes (ORA)": best["status"] if best is not None else "",
                     "top terms": best["top_terms"] if best is not None else "",
                     "best padj": best["best_padj"] if best is not None else float("nan"),
                     "GSEA: contrasts × regions where found": f"{n_found} of {n_tested}"})
    return pd.DataFrame(rows)


def sample_sources(arms: pd.DataFrame, contrasts: list[str]) -> pd.DataFrame:
    """Where ``contrasts`` take their samples from (``arms.tsv``): one row per contrast and
    run of regions sharing dataset and series, in the contrasts' order."""
    arms = arms.fillna("")
    rows = []
    for contrast in contrasts:
        mine = arms[arms["contrast"] == contrast]
        for key, group in mine.groupby(["dataset", "series", "origin"], sort=False):
            dataset, series, origin = key
            rows.append({"contrast": contrast, "regions": ", ".join(group["region"]),
                         "dataset": dataset or "none", "series": series or "none",
                         "origin": origin if dataset else "no arm: not fitted",
                         "samples (test / reference)": ", ".join(
                             f"{r.n_test} / {r.n_reference}" for r in group.itertuples())})
    return pd.DataFrame(rows)


def arm_warnings(arms: pd.DataFrame, contrasts: list[str]) -> list[str]:
    """Plain sentences for a reader: a contrast whose samples come from another study
    (its citation and paradigm, the regions), and regions where a contrast has no arm."""
    arms = arms.fillna("")
    lines = []
    for contrast in contrasts:
        mine = arms[arms["contrast"] == contrast]
        other = mine[mine["origin"].str.startswith("another study")]
        for (origin, series), group in other.groupby(["origin", "series"], sort=False):
            lines.append(f"{contrast} in {', '.join(group['region'])} takes its samples from "
                         f"{origin} (series {series}), not from this study's own samples: "
                         "its paradigm, laboratory and batch differ from the paper's.")
        missing = mine[mine["dataset"] == ""]
        if len(missing):
            lines.append(f"{contrast} has no arm in {', '.join(missing['region'])}: no dataset "
                         "holds enough samples of both groups there, so it is not fitted and "
                         "pain and stress are not compared there.")
    return lines


def answer_page(*, study: dict, pain: str, stress: str, summary: pd.DataFrame,
                stats: pd.DataFrame, genes: pd.DataFrame, tests: pd.DataFrame,
                themes: pd.DataFrame | None, reported: dict | None,
                arms: pd.DataFrame | None = None) -> str:
    """The report's first page, as one self-contained, escaped HTML document. ``arms``
    (arms.tsv): where the pain and stress contrasts take their samples from, said first when
    an arm comes from another study or is missing in a region."""
    counts = shared_counts(summary, stats)
    modern = counts[counts["definition"] == "modern"].iloc[0] if \
        (counts["definition"] == "modern").any() else counts.iloc[0]
    regions = [c.removeprefix("n_shared_") for c in summary.columns
               if c.startswith("n_shared_")]
    pooled_n = modern["pooled"] if "pooled" in counts.columns else modern[regions[0]]
    e = html.escape
    over = ", ".join(r for r in regions if r != "pooled")
    lead = (f"Chronic pain ({e(pain)}) and chronic stress ({e(stress)}) change "
            f"<b>{int(pooled_n)}</b> genes in the same direction (modern definition: BH padj "
            f"below the threshold in both; unique genes over {e(over)}). "
            + _test_sentences(_pooled_test(stats, modern["definition"]), e))
    for definition in counts["definition"]:
        if definition != modern["definition"]:
            test = _pooled_test(stats, definition)
            lead += (f" Under the {e(definition)} definition: {int(test['n_same_direction'])} "
                     f"of {int(test['n_both'])} pairs significant in both go the same way "
                     f"({test['expected_same_given_both']:.1f} expected), direction padj "
                     f"{e(_number(float(test['direction_padj']), 2))}: "
                     f"{e(str(test['verdict']))}.")
    if reported and reported.get("count") is not None:
        wording, source = str(reported.get("wording", "")), str(reported.get("source", ""))
        lead += (f" Reported for the paper: {e(str(reported['count']))} "
                 f"(“{e(wording)}”; {e(source)}).")
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
             f"{e(study.get('name', ''))}: the answer</title>{PAGE_CSS}</head><body>",
             f"<h2>{e(study.get('title') or study.get('name', ''))}</h2>",
             f"<p class='lead'>{lead}</p>"]
    if arms is not None:
        parts += [f"<p class='lead'><b>Note:</b> {e(line)}</p>"
                  for line in arm_warnings(arms, [pain, stress])]
        parts += ["<h3>Where the samples come from</h3>",
                  _table(sample_sources(arms, [pain, stress])),
                  "<p class='note'>From arms.tsv: per contrast and region, the dataset and GEO "
                  "series of its samples and whose study they are.</p>"]
    parts += ["<h3>Shared genes per region and pooled, both significance definitions</h3>",
              _table(counts),
              "<p class='note'>Pooled: unique genes over regions; the tests count (region, "
              "gene) pairs. Direction: same-direction pairs among those significant in both, "
              "and the number expected from each list's share of up genes (exact binomial). "
              "Co-significance: the same-direction overlap on 2N signed genes and its "
              "expectation for independent lists (Fisher's exact test). padj: BH over the "
              "overlap table (overlap_stats.tsv, every region and both definitions). "
              f"Permutation p: {int(stats['n_permutations'].max())} shuffles of gene labels "
              "within expression bins, the same shuffle in every region, so genes that recur "
              "across regions are not counted as independent (the smallest possible p is "
              f"1 / (shuffles + 1)). Verdict: what the tests show at {ALPHA:g} (padj and "
              "permutation p both below it).</p>",
              "<h3>The strongest shared genes</h3>",
              _table(top_shared_genes(genes, pain, stress)),
              "<p class='note'>From pain_stress_genes.tsv (shared in most regions first); "
              "log2FC of pain / stress in each region where the gene is shared.</p>",
              "<h3>Depression and anxiety signatures (pain genes, pooled)</h3>",
              _table(strongest_signatures(tests)) if len(tests) else
              "<p>No signature is configured.</p>"]
    theme_table = theme_lines(themes)
    if theme_table is not None:
        parts += ["<h3>The paper's themes among the pathways</h3>", _table(theme_table)]
    parts.append("<p class='note'>Every number on this page is read from the run's tables; "
                 "methods and versions: methods.md.</p></body></html>")
    return "\n".join(parts)


def methods_text(*, config: dict, datasets: pd.DataFrame, samples: pd.DataFrame,
                 de_summary: pd.DataFrame, downloads: pd.DataFrame,
                 versions: pd.DataFrame, collections: pd.DataFrame | None = None,
                 signature_mapping: pd.DataFrame | None = None,
                 arms: pd.DataFrame | None = None,
                 count_sources: pd.DataFrame | None = None) -> str:
    """A methods paragraph (Markdown) for this run, and the versions table.

    ``count_sources``: counts/sources.tsv (each dataset's count source, format, gene-ID
    mapping rate and checksums), shown under "Counts".

    ``datasets``: datasets.tsv; ``samples``: samples.tsv; ``de_summary``: de/summary.tsv;
    ``downloads``: file, url, downloaded, sha256 and optionally redirects and server (the
    last remote check; see :func:`painstress.data.http.provenance_summary`), one row per
    downloaded or simulated input; ``versions``: :func:`software_versions`;
    ``collections``: pathways/collections.tsv; ``signature_mapping``: signatures/mapping.tsv
    (both give the gene-set table: genes read and how many are the study's); ``arms``:
    arms.tsv (which series each contrast and region took its samples from).
    """
    v = dict(zip(versions["package"], versions["version"]))
    study = config["study"]
    thresholds = config["de"]["thresholds"]
    series = ", ".join(f"{row['series'] or 'no series (own counts)'}" + (
        f" ({row['platform']})" if row.get("platform")
                                             else "") + f" for {row['dataset']}"
                       for _, row in datasets.fillna("").iterrows())
    per_dataset = samples.groupby("dataset").size()
    n_samples = ", ".join(f"{n} {d}" for d, n in per_dataset.items())
    designs = sorted(set(de_summary["design"]))
    engines = sorted(set(de_summary["engine"]))
    prefilters = sorted(set(de_summary["prefilter"].astype(str)))
    lines = [
        f"# Methods: {study.get('title') or study['name']}",
        "",
        f"**Data.** {('PMID ' + str(study['pmid']) + '. ') if study.get('pmid') else ''}"
        f"NCBI-computed raw counts, gene annotation and series matrices of GEO series "
        f"{series} were "
        + ("simulated with planted truth (the demo study), "
           if config.get("source") == "simulate" else "downloaded ")
        + f"with painstress {v.get('painstress', '')} (a Snakemake {v.get('snakemake', '')} "
        "workflow); every input file is listed below with its address, download date and "
        "SHA-256. Samples were assigned to region and group from the series matrices' "
        f"characteristics: {n_samples} samples.",
        "",
        *([_sources_paragraph(arms, config), ""] if arms is not None else []),
        f"**Differential expression.** One model per region and contrast, on that region's "
        f"samples of the two groups (design {', '.join(designs)}), with DESeq2's method as "
        f"implemented in pydeseq2 {v.get('pydeseq2', '')} ({'; '.join(engines)}): "
        "median-of-ratios size factors, Cox–Reid gene-wise dispersions, parametric trend, "
        "MAP dispersions, Wald test, Cook's distance outlier replacement, independent "
        f"filtering, apeGLM-style shrunk log2 fold changes. Genes were kept with "
        f"{'; '.join(prefilters)} (per fit). Samples passed a library-size gate "
        f"(reads ≥ {config['de']['library_qc']['min_reads_fraction']:g} and detected genes ≥ "
        f"{config['de']['library_qc']['min_genes_fraction']:g} of the fit's median sample). "
        f"Two significance definitions: {significance_sentence(thresholds, long=True)}.",
        "",
        f"**Overlap of pain ({config['overlap']['pain']}) and stress "
        f"({config['overlap']['stress']}).** Per region and pooled: genes significant in both "
        "with the same sign; one-sided Fisher's exact (hypergeometric) test of the "
        "same-direction overlap on 2N signed slots over the genes tested in both contrasts, "
        "odds ratio, Jaccard index, binomial sign-concordance test; BH over the overlap table "
        f"(scipy {v.get('scipy', '')}). Threshold-free concordance: RRHO2 (Cahill et al. "
        "2018).",
        "",
        "**Depression and anxiety signatures.** "
        + ("; ".join(_signature_description(s) for s in config["signatures"]["sets"])
           or "none configured")
        + ". Human genes were mapped to mouse genes through NCBI Gene's one-to-one "
        "orthologs. Each signature was tested against the pain genes (signed: 2N slots; "
        "undirected: Fisher's exact test on genes), BH over the signature table.",
    ]
    pathways = config.get("pathways", {})
    if pathways.get("collections"):
        lines += ["", f"**Pathways.** Collections {', '.join(pathways['collections'])} (Gene "
                  "Ontology biological process from go-basic.obo and the MGI GAF, annotations "
                  "propagated to ancestors; MSigDB mouse hallmark and Reactome). ORA of the "
                  "shared genes: one-sided hypergeometric test against the genes tested in "
                  f"both contrasts, sets of {pathways['min_size']}–{pathways['max_size']} "
                  "genes; preranked GSEA of every pain and stress table with gseapy "
                  f"{v.get('gseapy', '')} (multilevel, Wald statistic ranking, "
                  f"{pathways['permutations']} permutations, seed {pathways['seed']}); BH "
                  "within each collection."]
    gene_sets = _gene_set_table(collections, signature_mapping)
    if gene_sets is not None:
        limits = [f"signatures.min_mapped {config['signatures']['min_mapped']:g}"
                  if signature_mapping is not None else "",
                  f"pathways.min_mapped {pathways['min_mapped']:g}"
                  if collections is not None else ""]
        lines += ["", "## Gene sets and the study's genes", "",
                  "Genes of each gene set and how many of them are genes of this study (for "
                  "human signatures: mapped through orthologs; the share leaves out human "
                  "genes without any mouse ortholog). A set below its threshold ("
                  + ", ".join(x for x in limits if x) + ") would have stopped the run.", "",
                  _markdown(gene_sets)]
    changed = downloads["server"].str.startswith("changed") if "server" in downloads else []
    if count_sources is not None and len(count_sources):
        lines += ["", "## Counts", "", "Where each dataset's counts come from (ncbi: NCBI's "
                  "computed counts; supplementary: the authors' GEO files; file: given by the "
                  "user), their format, how many gene IDs mapped to NCBI GeneIDs (rows mapped "
                  "to one gene summed) and the files' SHA-256.", "",
                  _markdown(count_sources.drop(columns=[c for c in count_sources
                                                        if c.startswith("reads_")]))]
        lines += _reads_lines(count_sources)
    lines += ["", "## Data files", ""]
    if any(changed):
        lines += [f"**{int(sum(changed))} file(s) changed on the server since they were "
                  "downloaded** (see `server`); this run used the cached copies.", ""]
    lines += [_markdown(downloads), "", "## Software", "", _markdown(versions), ""]
    return "\n".join(lines)


def _reads_lines(count_sources: pd.DataFrame) -> list[str]:
    """The "Reads" section: per dataset counted from its reads, the ``reads_*`` columns
    of its count-source row (painstress.data.reads.methods_fields); none without such."""
    if "reads_runs" not in count_sources:
        return []
    lines = ["", "## Reads", ""]
    for row in count_sources.fillna("").to_dict("records"):
        if row["reads_runs"]:
            lines += [f"**{row['dataset']}.** Runs: {row['reads_runs']}. Reference: "
                      f"{row['reads_reference']}. Quantified with {row['reads_salmon']}; "
                      f"library types detected: {row['reads_library_types']}. Mapping rate "
                      f"per run: {row['reads_mapping']}.", ""]
    return lines


def _sources_paragraph(arms: pd.DataFrame, config: dict) -> str:
    """Which series each contrast took its samples from, region by region, and a plain
    warning where an arm is another study's or missing (from arms.tsv)."""
    names = [c["name"] for c in config["contrasts"]]
    parts = []
    for row in sample_sources(arms, names).itertuples(index=False):
        where = (f"{row.series} ({row.origin})" if row.dataset != "none"
                 else "no samples (no arm; not fitted)")
        parts.append(f"{row.contrast} in {row.regions}: {where}")
    warnings = arm_warnings(arms, [config["overlap"]["pain"], config["overlap"]["stress"]])
    return ("**Samples per contrast and region.** " + "; ".join(parts) + "."
            + "".join(f" **{line}**" for line in warnings))


def _gene_set_table(collections: pd.DataFrame | None,
                    signature_mapping: pd.DataFrame | None) -> pd.DataFrame | None:
    """One row per pathway collection and gene-set signature: files, genes, genes of the
    study, share; None when there are neither."""
    parts = []
    if collections is not None and len(collections):
        parts.append(pd.DataFrame({
            "gene set": collections["collection"], "kind": "pathway collection",
            "files": collections["files"], "read": collections["detail"].fillna(""),
            "sets": collections["n_sets"],
            "genes": collections["n_genes"], "of the study": collections["n_mapped"],
            "share": collections["mapping_rate"].map(lambda x: f"{x:.1%}")}))
    if signature_mapping is not None and len(signature_mapping):
        m = signature_mapping
        parts.append(pd.DataFrame({
            "gene set": m["signature"], "kind": m["organism"] + " signature",
            "files": m["file"].map(lambda f: str(f).rsplit("/", 1)[-1]), "read": "",
            "sets": 1,
            "genes": m["n_input"], "of the study": m["n_mapped"],
            "share": m["mapped_share"].map(lambda x: f"{x:.1%}")}))
    return pd.concat(parts, ignore_index=True) if parts else None


def _signature_description(spec: dict) -> str:
    name = spec["name"]
    if "gwas_catalog" in spec:
        g = spec["gwas_catalog"]
        return (f"{name}: NHGRI-EBI GWAS Catalog associations of {', '.join(g['traits'])} "
                f"with p ≤ {g.get('p_max', 5e-8):g}, mapped genes")
    if "mgi" in spec:
        return (f"{name}: MGI genotypes with Mammalian Phenotype "
                f"{', '.join(spec['mgi']['terms'])} or a descendant")
    if "diseases" in spec:
        d = spec["diseases"]
        return (f"{name}: JensenLab DISEASES experiments channel, {d['doid']}, score ≥ "
                f"{d.get('min_score', 2.0):g}")
    if "contrast" in spec:
        return f"{name}: the contrast {spec['contrast']} of this workflow"
    return f"{name}: gene-set file {spec['file']}" + (f" ({spec['citation']})"
                                                       if spec.get("citation") else "")


def _markdown(frame: pd.DataFrame) -> str:
    def cell(value) -> str:
        return _number(value).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(cell(v) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def methods_html(markdown_text: str) -> str:
    """The methods Markdown as a self-contained HTML page for the report (raw HTML in the
    text is escaped, not rendered)."""
    import mistune

    render = mistune.create_markdown(escape=True, plugins=["table"])
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Methods</title>"
            f"{PAGE_CSS}</head><body>{render(markdown_text)}</body></html>")
