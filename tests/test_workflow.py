"""The whole workflow, run by Snakemake on a CI-sized demo study (a few minutes).

One run in a temporary folder (conftest.ci_run, shared with the SLURM test); then checks of
its outputs, of the planted truth, of
idempotence and determinism, of the linter, and of bad input stopping the run early
with a message that names what is wrong.
"""
from __future__ import annotations

import hashlib
import html
import re
import shutil
import socket
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

import test_fetch
from conftest import (
    RECOVERY_BAR,
    REPO,
    STUDY,
    copy_run,
    demo_study_folder,
    meets_bar,
    snakemake,
    write_config,
)
from geo_server import Server, ncbi_config
from human_series import write_human_series
from painstress.compare import overlap
from painstress.data import ncbi_files
from painstress.de import deseq2
from painstress.demo import simulate
from painstress.demo.recovery import score_recovery

pytestmark = pytest.mark.workflow


def results(workdir):
    return workdir / "results" / STUDY


def test_every_output_exists_with_its_columns(ci_run):
    workdir, _ = ci_run
    out = results(workdir)
    sheet = pd.read_csv(out / "samples.tsv", sep="\t")
    assert list(sheet.columns[:4]) == ["sample", "dataset", "region", "group"]
    assert sheet.groupby(["region", "group"]).size().between(5, 6).all()
    for region in ("NAc", "mPFC", "PAG"):
        for contrast in ("SNI_vs_sham", "CUS_vs_control"):
            table = pd.read_csv(out / "de" / region / f"{contrast}.tsv", sep="\t")
            assert list(table.columns) == deseq2.RESULT_COLUMNS
            assert table["GeneID"].is_unique and len(table) > 2000
            summary = pd.read_csv(out / "de" / region / f"{contrast}.summary.tsv", sep="\t")
            assert summary.loc[0, "genes_tested"] == len(table)
            for kind in ("volcano", "ma", "pvalues"):
                for ext in ("png", "pdf"):
                    figure = out / "figures" / region / f"{kind}_{contrast}.{ext}"
                    assert figure.stat().st_size > 10_000
        for kind in ("pca", "sample_distances", "fold_changes_pain_vs_stress",
                     "shared_genes_heatmap"):
            assert (out / "figures" / region / f"{kind}.png").stat().st_size > 10_000
    assert (out / "figures" / "library_sizes.png").stat().st_size > 10_000
    summary = pd.read_csv(out / "de" / "summary.tsv", sep="\t")
    assert len(summary) == 6 and {"region", "contrast", "genes_tested"} <= set(summary.columns)
    genes = pd.read_csv(out / "overlap" / "shared_genes.tsv", sep="\t")
    stats = pd.read_csv(out / "overlap" / "overlap_stats.tsv", sep="\t")
    assert list(genes.columns) == overlap.GENE_COLUMNS
    assert list(stats.columns) == overlap.STAT_COLUMNS
    assert set(stats["region"]) == {"NAc", "mPFC", "PAG", "pooled"}
    assert (out / "figures" / "overlap_counts.png").stat().st_size > 10_000


def test_table_pages_hold_every_row_and_are_their_data_plus_a_few_kilobytes(ci_run):
    """The report's key-table pages: every row of their table, a search box and a sort
    button per column, and no table library per page (the report stays small to e-mail)."""
    out = results(ci_run[0])
    for page, tsv in (("samples", "samples.tsv"), ("shared_genes", "overlap/shared_genes.tsv"),
                      ("pain_stress_genes", "overlap/pain_stress_genes.tsv"),
                      ("signature_tests", "overlap/signature_tests.tsv")):
        text = (out / "tables" / f"{page}.html").read_text()
        table = pd.read_csv(out / tsv, sep="\t")
        body = text[text.index("<tbody>"):text.index("</tbody>")]
        assert body.count("<tr>") == len(table), page
        assert len(re.findall(r"<th[ >]", text)) == len(table.columns) == \
            text.count("<button"), page
        assert "<input type=search" in text, page
        assert len(text.encode()) < 3.5 * (out / tsv).stat().st_size + 6_000, page


def test_notebooks_ran_without_errors(ci_run):
    """The three teaching notebooks were executed on this run (a failing cell fails the run)."""
    workdir, _ = ci_run
    for name in ("01_data_and_samples", "02_differential_expression", "03_pain_stress_overlap"):
        book = nbformat.read(results(workdir) / "notebooks" / f"{name}.ipynb", as_version=4)
        code = [c for c in book.cells if c.cell_type == "code"]
        assert code and all(c.get("execution_count") for c in code), name
        outputs = [o for c in code for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.get("output_type") == "error"], name
        assert any(o.get("output_type") == "display_data" for o in outputs), name  # figures
        assert (results(workdir) / "notebooks" / f"{name}.html").stat().st_size > 50_000
    overlap_book = (results(workdir) / "notebooks" / "03_pain_stress_overlap.html").read_text()
    assert "precision" in overlap_book  # the demo's truth cell ran


def test_report_holds_every_figure_and_table(ci_run, tmp_path):
    workdir, configfile = ci_run
    report = tmp_path / "report.html"  # not into the shared run, which other tests read
    done = snakemake(workdir, configfile, "--report", str(report))
    assert done.returncode == 0, done.output[-3000:]
    # a caption docutils could not read (e.g. "|fold change|" taken for a substitution)
    # is shown as an error box in the report
    assert "(ERROR/" not in done.output and "(SEVERE/" not in done.output, done.output[-3000:]
    text = report.read_text()
    for name in ("volcano_SNI_vs_sham.png", "pca.png", "sample_distances.png",
                 "fold_changes_pain_vs_stress.png", "shared_genes_heatmap.png",
                 "overlap_counts.png", "library_sizes.png", "shared_genes.tsv",
                 "overlap_stats.tsv", "samples.tsv", "summary.tsv", "truth_recovery.tsv",
                 "03_pain_stress_overlap.html", "rrho2_pain_vs_stress.png",
                 "signature_overlap.png", "shared_genes_upset.png", "signature_tests.tsv",
                 "pain_stress_genes.tsv", "shared_count_summary.tsv", "mapping.tsv"):
        assert name in text, name
    assert "Pain and stress overlap" in text and "one-sided hypergeometric" in text
    for name in ("answer.html", "methods.html", "ora_modern.png", "theme_summary.tsv",
                 "dispersion_SNI_vs_sham.png"):
        assert name in text, name
    assert text.index("0. The answer") < text.index("1. Key tables")


def test_every_report_entry_has_labels():
    """Entries read as "NAc · SNI_vs_sham · volcano", not as raw paths: every report() in
    the rules gives labels."""
    for path in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        text = path.read_text()
        calls = [m.start() for m in re.finditer(r"\breport\(", text)]
        for start in calls:
            call = text[start:text.index("\n        )", start) if "\n        )" in
                        text[start:] else len(text)]
            assert "labels=" in call, f"{path.name}: {call[:120]}"


def _table_rows(page: str) -> list[list[str]]:
    """Cells of every table row of an HTML page (our pages: no nested tables)."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    return [[html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
            for row in rows]


def test_answer_page_and_methods_come_from_the_run(ci_run):
    """The first page's counts are shared_count_summary.tsv's; the methods name every
    accession, the downloads' checksums and the DE engine's versions."""
    out = results(ci_run[0])
    page = (out / "answer.html").read_text()
    summary = pd.read_csv(out / "overlap" / "shared_count_summary.tsv", sep="\t")
    rows = _table_rows(page)
    header = next(r for r in rows if r and r[0] == "definition")
    for _, expected in summary.iterrows():
        row = dict(zip(header, next(r for r in rows if r and r[0] == expected["definition"])))
        for column in [c for c in summary.columns if c.startswith("n_shared_")]:
            assert row[column.removeprefix("n_shared_")] == str(expected[column]), column
        assert row["reported for the paper"] == str(expected["reported_in_paper"])
    modern = summary.set_index("definition").at["modern", "n_shared_pooled"]
    assert f"<b>{modern}</b> genes in the same direction" in page
    methods = (out / "methods.md").read_text()
    for series in pd.read_csv(out / "datasets.tsv", sep="\t")["series"]:
        assert series in methods
    engine = pd.read_csv(out / "de" / "summary.tsv", sep="\t")["engine"].iloc[0]
    assert engine in methods and "| pydeseq2 | 0.5.4 |" in methods
    assert "| gseapy |" in methods and "sha256" in methods


def test_planted_shared_genes_come_back(ci_run):
    """Modern definition, per region: the bar in tests/conftest.py (RECOVERY_BAR)."""
    workdir, _ = ci_run
    scores = pd.read_csv(results(workdir) / "truth_recovery.tsv", sep="\t")
    print(scores.to_string(index=False))
    modern = scores[(scores.definition == "modern") & (scores.scope == "region")].iloc[0]
    assert meets_bar(modern), f"{modern.to_dict()} below {RECOVERY_BAR}"
    # recomputed here from the files, not trusted from the workflow's own table
    truth = pd.read_csv(workdir / "resources" / STUDY / "truth" / "shared_genes.tsv", sep="\t")
    found = pd.read_csv(results(workdir) / "overlap" / "shared_genes.tsv", sep="\t")
    again = score_recovery(truth, found[found.definition == "modern"])
    assert again["precision"] == pytest.approx(modern["precision"])


def test_signatures_find_the_planted_genes(ci_run):
    """Planted signatures are found, the random control is not; the planted shared genes
    lead the shared-gene table and the concordant RRHO2 quadrants."""
    workdir, _ = ci_run
    out = results(workdir)
    tests = pd.read_csv(out / "overlap" / "signature_tests.tsv", sep="\t")
    assert list(tests.columns) == overlap.SIGNATURE_TEST_COLUMNS
    pooled = tests[(tests.region == "pooled") & (tests.definition == "modern")] \
        .set_index("signature")
    # the pain x stress test lives in overlap_stats.tsv only, in its own BH family
    assert list(pooled.index) == ["depression_human", "anxiety_mouse", "random_control",
                                  "depression_gwas", "anxiety_gwas", "anxiety_mgi",
                                  "depression_mgi", "depression_diseases"]
    stats_table = pd.read_csv(out / "overlap" / "overlap_stats.tsv", sep="\t")
    pooled_stress = stats_table[(stats_table.region == "pooled")
                                & (stats_table.definition == "modern")].iloc[0]
    assert pooled_stress["padj"] < 1e-3
    assert set(stats_table["padj_family"]) == {f"BH over the {len(stats_table)} rows of this table"}
    for name in ("depression_human", "anxiety_mouse"):
        assert pooled.at[name, "padj"] < 1e-3, pooled.loc[name].to_dict()
        assert pooled.at[name, "n_same_direction"] > 5 * pooled.at[name, "n_opposite_direction"]
    # signatures built from the (simulated) curated sources in their real formats
    for name in ("depression_gwas", "anxiety_mgi", "depression_mgi", "depression_diseases"):
        assert pooled.at[name, "padj"] < 1e-3, pooled.loc[name].to_dict()
        assert pooled.at[name, "kind"] == "undirected"
    assert pooled.at["random_control", "padj"] > 0.05
    assert pooled.at["random_control", "kind"] == "undirected"
    mapping = pd.read_csv(out / "signatures" / "mapping.tsv", sep="\t").set_index("signature")
    human = mapping.loc["depression_human"]
    assert (human["organism"], human["n_no_ortholog"]) == ("human", 10)
    assert human["mapping_rate"] == pytest.approx(human["n_mapped"] / human["n_input"])

    truth = pd.read_csv(workdir / "resources" / STUDY / "truth" / "shared_genes.tsv", sep="\t")
    planted = set(truth["GeneID"])
    genes = pd.read_csv(out / "overlap" / "pain_stress_genes.tsv", sep="\t")
    top = genes[genes.n_regions_modern > 0].head(20)
    assert top["GeneID"].isin(planted).mean() >= 0.9, top[["GeneID", "symbol"]]
    assert {"signature_depression_human", "signature_anxiety_mouse"} <= set(genes.columns)
    summary = pd.read_csv(out / "overlap" / "shared_count_summary.tsv", sep="\t")
    assert set(summary["definition"]) == {"paper", "modern"}
    assert (summary["reported_in_paper"] == 40).all()

    for region in ("NAc", "mPFC", "PAG"):
        cells = pd.read_csv(out / "overlap" / "rrho2" / f"{region}.tsv", sep="\t")
        best = cells.groupby("quadrant")["neg_log10_p"].first()
        # CI-sized: ~10 shared genes per region, so one concordant quadrant may be weak
        assert max(best["up_up"], best["down_down"]) > max(best["up_down"], best["down_up"])
        strongest = "up_up" if best["up_up"] >= best["down_down"] else "down_down"
        found = cells.loc[cells.quadrant == strongest, "GeneID"]
        assert found.isin(planted).mean() >= 0.5, (region, strongest, found.tolist())
        assert (out / "figures" / region / "rrho2_pain_vs_stress.png").stat().st_size > 10_000
    for name in ("signature_overlap", "shared_genes_upset"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 10_000


def test_pathways_find_the_planted_theme(ci_run):
    """The planted histone-acetylation set among the shared genes is the top ORA term, its
    themes row says so, and the random control sets are not significant."""
    out = results(ci_run[0])
    ora = pd.read_csv(out / "pathways" / "ora.tsv", sep="\t", dtype={"term": str})
    pooled = ora[(ora.definition == "modern") & (ora.region == "pooled")
                 & (ora.direction == "all")].sort_values("pvalue")
    assert "acetyl" in pooled.iloc[0]["name"].lower(), pooled.head(3)[["term", "name", "padj"]]
    assert pooled.iloc[0]["padj"] < 1e-6
    controls = ora[ora.term.isin(["GO:0001501", "HALLMARK_SPERMATOGENESIS"])]
    assert len(controls) and (controls["padj"] > 0.05).all()
    gsea = pd.read_csv(out / "pathways" / "gsea.tsv", sep="\t", dtype={"term": str})
    assert set(gsea["contrast"]) == {"SNI_vs_sham", "CUS_vs_control"}
    assert (gsea.loc[gsea.term.isin(["GO:0001501", "HALLMARK_SPERMATOGENESIS"]), "padj"]
            > 0.05).all()
    themes = pd.read_csv(out / "pathways" / "theme_summary.tsv", sep="\t")
    chromatin = themes[themes.theme.str.contains("histone") & (themes.analysis == "ora")
                       & (themes.definition == "modern") & (themes.region == "pooled")
                       & (themes.direction == "all")]
    assert (chromatin["status"] == "found").all() and len(chromatin) == 1
    genes = pd.read_csv(out / "overlap" / "pain_stress_genes.tsv", sep="\t")
    assert genes["top_pathways"].fillna("").str.contains("acetyl", case=False).sum() >= 5
    for kind in ("ora_modern", "ora_paper"):
        assert (out / "figures" / "pathways" / f"{kind}.png").stat().st_size > 10_000


def test_second_invocation_has_nothing_to_do(ci_run):
    workdir, configfile = ci_run
    done = snakemake(workdir, configfile, "--dry-run")
    assert done.returncode == 0, done.output
    assert "Nothing to be done" in done.output, done.output[-3000:]


def test_tables_are_byte_identical_when_rerun(ci_run, tmp_path):
    """The overlap job run again on the same DE tables writes the same bytes (the DE tables
    themselves: tests/test_de.py; the downloaded or simulated inputs: test_simulate.py).
    In a copy of the finished run: other tests read the original meanwhile."""
    workdir = copy_run(ci_run[0], tmp_path)
    configfile = workdir / "config.yaml"
    files = [results(workdir) / "overlap" / n for n in ("shared_genes.tsv", "overlap_stats.tsv")]
    before = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    done = snakemake(workdir, configfile, "--forcerun", "overlap", "--until", "overlap")
    assert done.returncode == 0, done.output[-3000:]
    assert "rule overlap:" in done.output
    assert before == [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]


def test_lint_reports_nothing(ci_run):
    workdir, configfile = ci_run
    done = snakemake(workdir, configfile, "--lint")
    assert done.returncode == 0 and "Lints for" not in done.output, done.output


# --- bad input: each stops before any model is fitted, naming what is wrong -----------

@pytest.fixture(scope="module")
def demo_files(demo_study):
    """The CI study's resources/ (conftest.demo_study, written once per session), copied
    into each bad-input run."""
    return demo_study_folder(demo_study)


# A bad-input run asks only for what the job that must stop it makes (the sample sheet, or
# the DE fits that read the counts): jobs that need neither are not started beside it.
# (Targets, not --until: after the checkpoint, Snakemake drops --until's jobs.)
UNTIL_SHEET = (f"results/{STUDY}/samples.tsv",)
UNTIL_DE = (f"results/{STUDY}/de/summary.tsv",)


def prepared(tmp_path, demo_files):
    shutil.copytree(demo_files, tmp_path / "resources" / STUDY)
    return tmp_path


def test_missing_config_key_is_named(tmp_path):
    done = snakemake(tmp_path, write_config(tmp_path, contrasts=None), "--dry-run",
                     timeout=120)
    assert done.returncode != 0
    assert "key 'contrasts' is missing" in done.output, done.output[-3000:]
    assert "config.yaml" in done.output


def test_unknown_group_in_user_sample_sheet(tmp_path, demo_files):
    workdir = prepared(tmp_path, demo_files)
    truth = pd.read_csv(demo_files / "truth" / "samples.tsv", sep="\t")
    sheet = truth.rename(columns={"model": "dataset"})[["sample", "dataset", "region", "group"]]
    sheet.loc[3, "group"] = "vehicle"
    (workdir / "my_samples.tsv").write_text(sheet.to_csv(sep="\t", index=False))
    done = snakemake(workdir, write_config(workdir, **{"samples.sheet": "my_samples.tsv"}),
                     *UNTIL_SHEET, timeout=300)
    assert done.returncode != 0
    assert "my_samples.tsv: line 5: sample" in done.output, done.output[-3000:]
    assert "'vehicle', which is not one of the configured levels" in done.output
    assert not list((workdir / "results" / STUDY).glob("de/*/*.tsv"))


def test_region_with_one_replicate(tmp_path, demo_files):
    workdir = prepared(tmp_path, demo_files)
    truth = pd.read_csv(demo_files / "truth" / "samples.tsv", sep="\t")
    sheet = truth.rename(columns={"model": "dataset"})[["sample", "dataset", "region", "group"]]
    pag_sham = sheet[(sheet.region == "PAG") & (sheet.group == "sham")].index
    sheet = sheet.drop(pag_sham[1:])
    (workdir / "one.tsv").write_text(sheet.to_csv(sep="\t", index=False))
    done = snakemake(workdir, write_config(workdir, **{"samples.sheet": "one.tsv"}),
                     *UNTIL_SHEET, timeout=300)
    assert done.returncode != 0
    assert "region PAG, group sham (contrast SNI_vs_sham) has 1 sample(s)" in done.output, \
        done.output[-3000:]


@pytest.mark.parametrize("bad_value, problem", [("-3", "not a raw count"),
                                                ("2.5", "not a raw count")])
def test_counts_with_bad_value(tmp_path, demo_files, bad_value, problem):
    workdir = prepared(tmp_path, demo_files)
    counts = next((workdir / "resources" / STUDY / "GSE000002").glob("*_raw_counts_*"))
    text = simulate.gzip_bytes  # same writer as the generator
    lines = pd.read_csv(counts, sep="\t", dtype=str)
    lines.iloc[9, 4] = bad_value
    counts.write_bytes(text(lines.to_csv(sep="\t", index=False, lineterminator="\n")))
    done = snakemake(workdir, write_config(workdir), *UNTIL_DE, timeout=300)
    assert done.returncode != 0
    assert f"{counts.name}: line 11, column {lines.columns[4]}: '{bad_value}'" in done.output, \
        done.output[-3000:]
    assert problem in done.output


def test_sample_with_an_empty_library_stops_the_run_naming_it(tmp_path, demo_files):
    """An all-zero sample in the stress counts: the DE job of its region stops before
    fitting, naming the sample and what to do; nothing is fitted on it silently. (Only
    that fit is asked for: the other regions' fits do not see the sample.)"""
    workdir = prepared(tmp_path, demo_files)
    counts = next((workdir / "resources" / STUDY / "GSE000002").glob("*_raw_counts_*"))
    table = pd.read_csv(counts, sep="\t", dtype=str)
    empty = table.columns[4]
    table[empty] = "0"
    counts.write_bytes(simulate.gzip_bytes(table.to_csv(sep="\t", index=False,
                                                         lineterminator="\n")))
    truth = pd.read_csv(demo_files / "truth" / "samples.tsv", sep="\t").set_index("sample")
    region = truth.at[empty, "region"]
    done = snakemake(workdir, write_config(workdir),
                     f"results/{STUDY}/de/{region}/CUS_vs_control.tsv", timeout=300)
    assert done.returncode != 0
    assert f"library-size check failed for 1 sample(s): {empty}: 0 reads" in done.output, \
        done.output[-3000:]
    assert "de.library_qc.on_fail" in done.output
    assert not (workdir / "results" / STUDY / "de" / region / "CUS_vs_control.tsv").exists()


def test_real_study_without_network_stops_fast_with_advice(tmp_path):
    """`make run` where NCBI and the gene-set sources are unreachable: a clear error naming
    the host it could not reach (a run that hangs on retries fails by the harness's
    timeout)."""
    try:
        socket.getaddrinfo("eutils.ncbi.nlm.nih.gov", 443)
        pytest.skip("NCBI is reachable from here; this test is about having no network")
    except OSError:
        pass
    done = snakemake(tmp_path, REPO / "config" / "config.yaml", timeout=120)
    assert done.returncode != 0
    # the first download to fail stops the run: E-utilities, or a gene-set source
    hosts = ("eutils.ncbi.nlm.nih.gov", "ftp.ebi.ac.uk", "www.informatics.jax.org",
             "purl.obolibrary.org", "download.jensenlab.org", "current.geneontology.org",
             "data.broadinstitute.org")
    assert any(f"could not reach {host}" in done.output for host in hosts), \
        done.output[-3000:]
    assert "make demo" in done.output and "offline: true" in done.output


# --- the real download path, against a GEO on 127.0.0.1 ------------------------------

def geo_config(folder, base_url, **changes):
    """The CI study as a GEO study: pain resolved from its PMID, stress pinned."""
    return write_config(folder, source="geo",
                        study={"name": STUDY, "pmid": test_fetch.PAIN_PMID},
                        datasets={"pain": {},
                                  "stress": {"geo": "GSE000002", "pmid": test_fetch.STRESS_PMID}},
                        ncbi=ncbi_config(base_url), **changes)


HUMAN_SERIES, HUMAN_PLATFORM = "GSE000003", "GPL11154"


def with_human_study(configfile):
    """Add a third, human dataset (another GEO study, as Labonte et al.'s MDD part of
    GSE102556) with the patterns, contrast and signature of config/config.yaml."""
    real = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config = yaml.safe_load(configfile.read_text())
    config["datasets"]["mdd_human"] = {**real["datasets"]["mdd_human"], "geo": HUMAN_SERIES,
                                       "platform": HUMAN_PLATFORM}
    config["contrasts"].append(next(c for c in real["contrasts"]
                                    if c["name"] == "MDD_vs_control_male"))
    config["signatures"]["sets"].append(next(s for s in real["signatures"]["sets"]
                                             if s["name"] == "MDD_male"))
    configfile.write_text(yaml.safe_dump(config, sort_keys=False))
    return configfile


# What the download-path run is checked on: every download, DE fit, mapping and table the
# demo run is compared on; its figures, notebooks and report pages come from the same code
# as the demo run's (ci_run), so they are not made twice. The pathway collections are
# compared through the ORA (the downloaded files give the demo's table); the GSEA reads the
# same files through the same code. One region's VST shows the human samples kept out.
DOWNLOAD_PATH_TARGETS = [
    f"results/{STUDY}/{name}"
    for name in ("overlap/shared_genes.tsv", "overlap/signature_tests.tsv",
                 "overlap/pain_stress_genes.tsv", "signatures/contrast_mapping.tsv",
                 "pathways/ora.tsv", "qc/NAc.vst.tsv.gz")
]


def test_download_path_gives_the_same_results_as_the_demo(ci_run, tmp_path, demo_files,
                                                         fixtures_dir):
    """The demo's two series from a GEO on 127.0.0.1, plus a human series (third dataset)
    whose MDD contrast becomes a signature through NCBI orthologs: the mouse results are
    the demo's; the human one is fitted, mapped (rate reported) and tested."""
    world = test_fetch.make_world({key: path for key, path in
                                   simulate_paths(demo_files).items()})
    human = write_human_series(tmp_path / "served", HUMAN_SERIES, HUMAN_PLATFORM,
                                        demo_files)
    world.add_series(HUMAN_SERIES, taxon="Homo sapiens", gpl=HUMAN_PLATFORM[3:])
    world.serve_series(HUMAN_SERIES, human["counts"].read_bytes(),
                       human["annotation"].read_bytes(), human["series_matrix"].read_bytes(),
                       counts_name=human["counts"].name, annotation_name=human["annotation"].name,
                       matrix_name=human["series_matrix"].name, folder="GSE000nnn")
    # the demo's gene-set files as a user's config/signatures/; orthologs downloaded
    (tmp_path / "config" / "signatures").mkdir(parents=True)
    sets = []
    for name in ("depression_human.tsv", "anxiety_mouse.gmt", "random_control.gmt"):
        shutil.copy(demo_files / "signatures" / name, tmp_path / "config" / "signatures")
        sets.append({"name": name.split(".")[0], "file": f"config/signatures/{name}"})
    # the curated sources and pathway collections, downloaded from the loopback server
    demo = yaml.safe_load((REPO / "config" / "demo.yaml").read_text())
    sets += [s for s in demo["signatures"]["sets"] if "file" not in s]
    schema = yaml.safe_load((REPO / "src/painstress/schemas/config.schema.yaml").read_text())
    official = schema["properties"]["genesets"]["properties"]
    sources = {key: f"/genesets/{Path(spec['default']).name}" for key, spec in official.items()}
    for path in sources.values():
        world.files[path] = (demo_files / "genesets" / Path(path).name).read_bytes()
    with Server(world) as url:
        configfile = with_human_study(geo_config(
            tmp_path, url, signatures={"sets": sets},
            genesets={key: url + path for key, path in sources.items()}))
        done = snakemake(tmp_path, configfile, *DOWNLOAD_PATH_TARGETS)
        assert done.returncode == 0, done.output[-5000:]
        requests_made = len(world.requests)
        again = snakemake(tmp_path, configfile, *DOWNLOAD_PATH_TARGETS)
        assert again.returncode == 0 and "Nothing to be done" in again.output
        assert len(world.requests) == requests_made  # the cache: nothing downloaded twice
    chosen = pd.read_csv(results(tmp_path) / "datasets.tsv", sep="\t").set_index("dataset")
    assert chosen["series"].to_dict() == {"pain": "GSE000001", "stress": "GSE000002",
                                          "mdd_human": HUMAN_SERIES}
    assert chosen["organism"].to_dict() == {"pain": "Mus musculus", "stress": "Mus musculus",
                                            "mdd_human": "Homo sapiens"}
    assert (results(tmp_path) / "resolution.tsv").is_file()
    for series in ("GSE000001", "GSE000002", HUMAN_SERIES):
        folder = tmp_path / "resources" / STUDY / series
        assert len(list(folder.glob("*.provenance.json"))) == 3, series
    reference = results(ci_run[0])
    for region in ("NAc", "mPFC", "PAG"):
        for contrast in ("SNI_vs_sham", "CUS_vs_control"):
            name = f"de/{region}/{contrast}.tsv"
            assert (results(tmp_path) / name).read_bytes() == (reference / name).read_bytes()
    out = results(tmp_path) / "overlap"
    assert (out / "shared_genes.tsv").read_bytes() == \
        (reference / "overlap" / "shared_genes.tsv").read_bytes()
    # the demo's signature rows are unchanged but for padj (BH now spans one more signature)
    tests = pd.read_csv(out / "signature_tests.tsv", sep="\t")
    before = pd.read_csv(reference / "overlap" / "signature_tests.tsv", sep="\t")
    ours = tests[tests.signature != "MDD_male"].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours.drop(columns="padj"), before.drop(columns="padj"))
    genes = pd.read_csv(out / "pain_stress_genes.tsv", sep="\t")
    genes_before = pd.read_csv(reference / "overlap" / "pain_stress_genes.tsv", sep="\t")
    pd.testing.assert_frame_equal(genes[genes_before.columns], genes_before)
    assert "signature_MDD_male" in genes.columns
    assert (tmp_path / "resources" / STUDY / "ncbi_gene" /
            "gene_orthologs.gz.provenance.json").is_file()
    for path in sources.values():  # each source once, with its provenance
        assert world.requests.count(path) == 1, path
        assert (tmp_path / "resources" / STUDY / "genesets" /
                f"{Path(path).name}.provenance.json").is_file()
    assert (results(tmp_path) / "pathways" / "ora.tsv").read_bytes() == \
        (reference / "pathways" / "ora.tsv").read_bytes()
    check_human_study(tmp_path, demo_files, tests)


def check_human_study(workdir, demo_files, tests):
    """The human dataset of the download test: sheet, DE on human genes, QC without it,
    mapping rate, and its signature found (its MDD genes are the planted shared genes)."""
    out = results(workdir)
    sheet = pd.read_csv(out / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    human = sheet[sheet.dataset == "mdd_human"]
    assert len(human) == 24  # 36 simulated, the 12 OFC samples excluded
    assert human.groupby(["region", "group", "sex"]).size().eq(3).all()
    assert (sheet.loc[sheet.dataset != "mdd_human", "sex"] == "").all()
    human_ids = set(ncbi_files.read_ncbi_counts(
        workdir / "resources" / STUDY / HUMAN_SERIES /
        ncbi_files.counts_filename(HUMAN_SERIES, "Homo sapiens")).index)
    for region in ("NAc", "mPFC"):
        de_table = pd.read_csv(out / "de" / region / "MDD_vs_control_male.tsv", sep="\t")
        assert set(de_table["GeneID"]) <= human_ids and len(de_table) > 1000
        summary = pd.read_csv(out / "de" / region / "MDD_vs_control_male.summary.tsv",
                              sep="\t").iloc[0]
        assert (summary["n_test"], summary["n_reference"], summary["dataset"]) == \
            (3, 3, "mdd_human")
        mapped = pd.read_csv(out / "signatures" / "mouse_de" / region /
                             "MDD_vs_control_male.tsv", sep="\t")
        assert mapped["GeneID"].is_unique and not set(mapped["GeneID"]) & human_ids
    vst = pd.read_csv(out / "qc" / "NAc.vst.tsv.gz", sep="\t", index_col=0)
    assert not set(vst.columns) & set(human["sample"])  # QC: the study organism only
    mapping = pd.read_csv(out / "signatures" / "contrast_mapping.tsv", sep="\t")
    print(mapping.to_string(index=False))
    assert list(mapping["signature"]) == ["MDD_male", "MDD_male"]
    assert list(mapping["region"]) == ["NAc", "mPFC"]
    assert mapping["mapping_rate"].to_numpy() == pytest.approx(
        (mapping["n_mapped"] / mapping["n_genes"]).to_numpy(), abs=1e-6)
    assert mapping["mapping_rate"].between(0.8, 0.99).all()  # 150 without, 2 % one-to-many
    assert (mapping["n_no_ortholog"] > 0).all() and (mapping["n_not_one_to_one"] > 0).all()
    rows = tests[(tests.signature == "MDD_male") & (tests.definition == "modern")]
    assert set(rows["region"]) == {"NAc", "mPFC", "pooled"}  # no PAG in the human series
    pooled = rows.set_index("region").loc["pooled"]
    assert pooled["padj"] < 1e-3 and pooled["n_same_direction"] > pooled["n_opposite_direction"]


def test_offline_mode_uses_files_in_place_and_names_missing_ones(tmp_path, demo_files):
    # signatures=None: the demo's gene-set files are written by simulate_demo, not here
    configfile = write_config(tmp_path, source="geo", offline=True, signatures=None,
                              datasets={"pain": {"geo": "GSE000001"},
                                        "stress": {"geo": "GSE000002"}})
    done = snakemake(tmp_path, configfile, "--until", "sample_sheet", timeout=300)
    assert done.returncode != 0
    assert "offline: true, and these files are not in resources/" in done.output, \
        done.output[-3000:]
    assert f"resources/{STUDY}/GSE000001/GSE000001_series_matrix.txt.gz" in done.output
    prepared(tmp_path, demo_files)
    done = snakemake(tmp_path, configfile, "--until", "sample_sheet", timeout=300)
    assert done.returncode == 0, done.output[-3000:]
    sheet = pd.read_csv(results(tmp_path) / "samples.tsv", sep="\t")
    assert set(sheet["dataset"]) == {"pain", "stress"}


def test_offline_mode_never_removes_a_file_the_user_placed(tmp_path, demo_files):
    """Hand-placed counts whose annotation is missing: the run stops naming the annotation,
    and the counts (and everything else under resources/) are still there, unchanged."""
    configfile = write_config(tmp_path, source="geo", offline=True, signatures=None,
                              pathways={"collections": []},
                              datasets={"pain": {"geo": "GSE000001"},
                                        "stress": {"geo": "GSE000002"}})
    resources = prepared(tmp_path, demo_files) / "resources" / STUDY
    annotation = resources / "GSE000002" / ncbi_files.annotation_filename()
    annotation.unlink()
    before = {p: p.read_bytes() for p in resources.rglob("*") if p.is_file()}
    done = snakemake(tmp_path, configfile, "--until", "sample_sheet", timeout=300)
    assert done.returncode != 0
    assert "offline: true, and these files are not in resources/" in done.output
    assert f"GSE000002/{annotation.name}" in done.output, done.output[-3000:]
    after = {p: p.read_bytes() for p in resources.rglob("*") if p.is_file()}
    assert after == before  # the counts beside it were not touched


def test_broken_user_sheet_stops_before_the_last_good_samples_tsv_is_touched(tmp_path,
                                                                           demo_files):
    """A user's sheet that worked, then broken by an edit (spaces for tabs): the run stops
    before any job, naming the file and line; the last good samples.tsv is still there."""
    prepared(tmp_path, demo_files)
    done = snakemake(tmp_path, write_config(tmp_path), "--until", "sample_sheet", timeout=300)
    assert done.returncode == 0, done.output[-3000:]
    sheet = tmp_path / "my_samples.tsv"
    sheet.write_text((results(tmp_path) / "samples.tsv").read_text())
    configfile = write_config(tmp_path, **{"samples.sheet": str(sheet)})
    done = snakemake(tmp_path, configfile, "--until", "sample_sheet", timeout=300)
    assert done.returncode == 0, done.output[-3000:]
    good = (results(tmp_path) / "samples.tsv").read_bytes()
    lines = sheet.read_text().splitlines()
    lines[2] = lines[2].replace("\t", "   ")
    sheet.write_text("\n".join(lines) + "\n")
    done = snakemake(tmp_path, configfile, "--until", "sample_sheet", timeout=300)
    assert done.returncode != 0
    assert f"{sheet}: line 3" in done.output and "tabs" in done.output, done.output[-3000:]
    assert (results(tmp_path) / "samples.tsv").read_bytes() == good


def simulate_paths(folder):
    """The generator's file keys -> paths in an already generated study folder."""
    paths = {"gene_orthologs": folder / "ncbi_gene" / "gene_orthologs.gz",
             "Homo_sapiens": folder / "ncbi_gene" / "Homo_sapiens.gene_info.gz"}
    for model, series in (("pain", "GSE000001"), ("stress", "GSE000002")):
        paths[f"{model}_counts"] = folder / series / ncbi_files.counts_filename(series)
        paths[f"{model}_annotation"] = folder / series / ncbi_files.annotation_filename()
        matrix = ncbi_files.series_matrix_filename(series)
        paths[f"{model}_series_matrix"] = folder / series / matrix
    return paths


def test_real_config_dag_builds_with_other_studies(tmp_path):
    """config/config.yaml (Descalzi + Labonte human MDD + Bagot CSDS): with the checkpoint's
    datasets.tsv in place, the dry run plans every fetch (human files by their NCBI names),
    every fit and the human signatures' mapping, without touching the network."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["datasets"]["descalzi"] = {"geo": "GSE91396"}  # what resolve_datasets would find
    configfile = tmp_path / "config.yaml"
    configfile.write_text(yaml.safe_dump(config, sort_keys=False))
    out = tmp_path / "results" / "descalzi2017"
    out.mkdir(parents=True)
    (out / "datasets.tsv").write_text(
        "dataset\tseries\tplatform\torganism\thow\n"
        "descalzi\tGSE91396\t\tMus musculus\tpinned\n"
        "labonte\tGSE102556\tGPL13112\tMus musculus\tpinned\n"
        "mdd_human\tGSE102556\tGPL11154\tHomo sapiens\tpinned\n"
        "defeat\tGSE72343\t\tMus musculus\tpinned\n")
    (out / "resolution.tsv").write_text("series\ttitle\ttaxon\ttype\tplatforms\tn_samples\t"
                                        "via\tkept\treason\tpmid\tchosen_for\n")
    done = snakemake(tmp_path, configfile, "--dry-run", "--quiet", "rules", timeout=300)
    assert done.returncode == 0, done.output[-5000:]
    plan = done.output
    for rule, n in (("fetch_series_matrix", 4), ("fetch_counts", 3), ("fetch_counts_human", 1),
                    ("fetch_annotation", 3), ("fetch_annotation_human", 1),
                    ("fetch_ncbi_gene", 2), ("map_signature_contrasts", 1), ("deseq2", 12),
                    ("vst", 3), ("fetch_geneset", 8), ("signature_sets", 1),
                    ("pathway_ora", 1), ("pathway_gsea", 1)):
        assert re.search(rf"^{rule}\s+{n}$", plan, re.M), (rule, plan[-3000:])
    # the checkpoint's output is in place: it is not planned to run
    assert not re.search(r"^resolve_datasets\s+\d+$", plan, re.M)
