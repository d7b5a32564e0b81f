"""The real study's arms come from the data: the paper's own CUS samples first, another
study's (GSE102556) only as a fallback, region by region.

Three ways GEO may hold Descalzi et al. 2017 (PMID 28325815), served from a GEO on 127.0.0.1
(tests/geo_server.py) with small series in GEO's and NCBI's real formats (layout of the series
matrix as in ../shared/fixtures/geo/series_matrix/GSE99709_series_matrix.txt.gz, counts as in
../shared/fixtures/geo/ncbi_counts/, e-utilities JSON from ../shared/fixtures/geo/eutils/):

(a) one series with SNI, sham, CUS and control in NAc, mPFC and PAG;
(b) two series linked to the PMID, one SNI/sham, one CUS/control;
(c) one series with SNI/sham only; the stress arm is then GSE102556-like CUS/control in PFC
    and NAc (another study), and PAG has no stress arm.

Each case goes through resolution, the sample sheet and the choice of every contrast's
samples with the real config's datasets, factor patterns and contrasts. Case (c), the one
that changes the plan of the run, also runs the whole workflow (`make run`'s steps); case
(b), the one that pools two series' counts, runs the workflow up to its PAG fits.
"""
from __future__ import annotations

import gzip
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO, snakemake
from geo_server import FakeNcbi, Server, ncbi_config
from painstress import InputError
from painstress.config import validate_config
from painstress.data import ncbi_fetch, ncbi_files
from painstress.samples import (
    contrast_arms,
    contrast_samples,
    infer_sample_sheet,
    validate_sample_sheet,
)

SCHEMA = REPO / "src/painstress/schemas/config.schema.yaml"
REAL = validate_config(yaml.safe_load((REPO / "config" / "config.yaml").read_text()), SCHEMA)
PMID = REAL["study"]["pmid"]
STRESS_SERIES = "GSE000302"  # stands in for GSE102556 (pinned in the real config)
STRESS_PLATFORM = REAL["datasets"]["labonte"]["platform"]
N_GENES, REPLICATES = 120, 3

# How the paper's own series may describe its samples (a sham is a "sham-operated
# control": the real config's control pattern must not take it), and GSE102556's mouse part
# (SRA run table in ../shared/fixtures/geo/real_counts_GSE102556_mouse_NAc/: source
# "prefrontal cortex (PFC)", "nucleus accumbens (NAc)"; Phenotype Stress / Control).
PAPER_REGIONS = {"NAc": "Nucleus Accumbens", "mPFC": "medial prefrontal cortex",
                 "PAG": "periaqueductal gray"}
PAPER_GROUPS = {"SNI": "spared nerve injury (SNI)", "sham": "sham-operated control",
                "CUS": "chronic unpredictable stress (CUS)", "control": "control"}
LABONTE_REGIONS = {"mPFC": "prefrontal cortex (PFC)", "NAc": "nucleus accumbens (NAc)"}
LABONTE_GROUPS = {"CUS": "Stress", "control": "Control"}


def design(first_gsm: int, groups, regions, style: str) -> pd.DataFrame:
    """One row per sample: GSM, region, group and the characteristics GEO would show."""
    rows, gsm = [], first_gsm
    for region in regions:
        for group in groups:
            for rep in range(1, REPLICATES + 1):
                if style == "paper":
                    chars = [f"tissue: {PAPER_REGIONS[region]}",
                             f"treatment: {PAPER_GROUPS[group]}", "strain: C57BL/6J"]
                else:
                    chars = [f"tissue: {LABONTE_REGIONS[region]}",
                             f"gender: {'male' if rep % 2 else 'female'}",
                             f"phenotype: {LABONTE_GROUPS[group]}"]
                rows.append({"sample": f"GSM{gsm}", "region": region, "group": group,
                             "title": f"{region}_{group}_{rep}", "chars": chars})
                gsm += 1
    return pd.DataFrame(rows)


def matrix_text(series: str, samples: pd.DataFrame, platform: str) -> str:
    """A GEO series matrix for RNA-seq: metadata lines and an empty data table."""
    def quoted(values):
        return "\t".join(f'"{v}"' for v in values)

    n = len(samples)
    lines = [f'!Series_title\t"Loopback series {series}"',
             f'!Series_geo_accession\t"{series}"',
             '!Series_type\t"Expression profiling by high throughput sequencing"',
             f'!Series_sample_id\t"{" ".join(samples["sample"])} "',
             f'!Series_platform_id\t"{platform}"', "",
             f"!Sample_title\t{quoted(samples['title'])}",
             f"!Sample_geo_accession\t{quoted(samples['sample'])}",
             f"!Sample_source_name_ch1\t{quoted(['mouse brain'] * n)}",
             f"!Sample_organism_ch1\t{quoted(['Mus musculus'] * n)}"]
    for i in range(len(samples["chars"].iloc[0])):
        lines.append(f"!Sample_characteristics_ch1\t{quoted(c[i] for c in samples['chars'])}")
    lines += [f"!Sample_platform_id\t{quoted([platform] * n)}",
              "!series_matrix_table_begin", f'"ID_REF"\t{quoted(samples["sample"])}',
              "!series_matrix_table_end", ""]
    return "\n".join(lines)


GENE_IDS = np.arange(100_001, 100_001 + N_GENES)


def counts_text(samples: pd.DataFrame, seed: int) -> str:
    """NCBI raw counts (GeneID, one column per GSM): negative binomial counts, the first
    10 genes 4-fold up in SNI and CUS samples."""
    rng = np.random.default_rng(seed)
    mean = rng.uniform(50, 500, N_GENES)
    table = {}
    for row in samples.itertuples():
        mu = mean * np.where((np.arange(N_GENES) < 10) & (row.group in ("SNI", "CUS")), 4, 1)
        table[row.sample] = rng.negative_binomial(10, 10 / (10 + mu))
    frame = pd.DataFrame(table, index=pd.Index(GENE_IDS, name="GeneID"))
    return frame.to_csv(sep="\t", lineterminator="\n")


def annotation_text() -> str:
    """NCBI's annotation table (*.annot.tsv): its first columns, synthetic genes."""
    table = pd.DataFrame({"GeneID": GENE_IDS, "Symbol": [f"Gene{i}" for i in range(N_GENES)],
                          "Description": "loopback test gene", "TaxID": 10090})
    return table.to_csv(sep="\t", index=False, lineterminator="\n")


def serve(world: FakeNcbi, series: str, samples: pd.DataFrame, platform: str = "",
          seed: int = 1):
    gpl = platform or "GPL13112"
    world.add_series(series, title=f"loopback {series}", gpl=gpl[3:],
                     n_samples=len(samples))
    world.serve_series(series, gzip.compress(counts_text(samples, seed).encode()),
                       gzip.compress(annotation_text().encode()),
                       gzip.compress(matrix_text(series, samples, gpl).encode()),
                       counts_name=ncbi_files.counts_filename(series),
                       annotation_name=ncbi_files.annotation_filename(),
                       matrix_name=ncbi_files.series_matrix_filename(series, platform or None),
                       folder="GSE000nnn")


GROUPS = ("SNI", "sham", "CUS", "control")


def make_world(case: str) -> tuple[FakeNcbi, dict[str, pd.DataFrame]]:
    """The loopback GEO of a case, and each served series' design."""
    world, served = FakeNcbi(), {}
    if case == "a":
        served["GSE000101"] = design(1001, GROUPS, PAPER_REGIONS, "paper")
    elif case == "b":
        served["GSE000201"] = design(2001, GROUPS[:2], PAPER_REGIONS, "paper")
        served["GSE000202"] = design(2101, GROUPS[2:], PAPER_REGIONS, "paper")
    else:
        served["GSE000301"] = design(3001, GROUPS[:2], PAPER_REGIONS, "paper")
    for seed, (series, samples) in enumerate(served.items()):
        serve(world, series, samples, seed=seed)
    world.add_series("GSE000999", taxon="Homo sapiens")  # linked too, not mouse: not taken
    world.link(PMID, *served, "GSE000999")
    served[STRESS_SERIES] = design(9001, GROUPS[2:], LABONTE_REGIONS, "labonte")
    serve(world, STRESS_SERIES, served[STRESS_SERIES], STRESS_PLATFORM, seed=9)
    return world, served


def study_config() -> dict:
    """The real config's datasets (stress arm pinned to the loopback GSE102556), factor
    patterns, pain and stress contrasts and overlap; no other study."""
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    keep = {REAL["overlap"]["pain"], REAL["overlap"]["stress"]}
    config["contrasts"] = [c for c in config["contrasts"] if c["name"] in keep]
    config["datasets"] = {"descalzi": config["datasets"]["descalzi"],
                          "labonte": {**config["datasets"]["labonte"], "geo": STRESS_SERIES}}
    config["signatures"] = {"sets": []}  # other studies' and curated sources: not this test's
    config["pathways"] = {"collections": []}
    return config


# ------------------------------------------------ resolution, sample sheet, arms per case

EXPECTED = {  # case -> contrast -> region -> series the samples must come from ("": no arm)
    "a": {"SNI_vs_sham": dict.fromkeys(PAPER_REGIONS, "GSE000101"),
          "CUS_vs_control": dict.fromkeys(PAPER_REGIONS, "GSE000101")},
    "b": {"SNI_vs_sham": dict.fromkeys(PAPER_REGIONS, "GSE000201"),
          "CUS_vs_control": dict.fromkeys(PAPER_REGIONS, "GSE000202")},
    "c": {"SNI_vs_sham": dict.fromkeys(PAPER_REGIONS, "GSE000301"),
          "CUS_vs_control": {"NAc": STRESS_SERIES, "mPFC": STRESS_SERIES, "PAG": ""}},
}


def sheet_and_arms(case: str, tmp_path):
    """Resolve the case's datasets from the loopback PMID, download the series, infer and
    check the sample sheet, and choose every contrast's samples, as the workflow does."""
    world, served = make_world(case)
    config = validate_config(study_config(), SCHEMA)
    with Server(world) as url:
        client, endpoints = ncbi_fetch.connect(ncbi_config(url))
        chosen, considered = ncbi_fetch.resolve(config["datasets"], PMID, "Mus musculus",
                                                client, endpoints)
        matrices, counts = {}, {}
        for row in chosen.itertuples():
            matrix = tmp_path / ncbi_files.series_matrix_filename(row.series, row.platform or None)
            ncbi_fetch.fetch_series_matrix(client, endpoints, row.series, row.platform or None,
                                           matrix)
            path = tmp_path / ncbi_files.counts_filename(row.series)
            ncbi_fetch.fetch_counts(client, endpoints, row.series, "Mus musculus", matrix, path)
            matrices.setdefault(row.dataset, []).append(ncbi_files.read_series_matrix(matrix))
            counts.setdefault(row.dataset, {})[row.series] = ncbi_files.read_ncbi_counts(path)
    joined = {d: ncbi_fetch.join_series_counts(tables)[0] for d, tables in counts.items()}
    sheet = infer_sample_sheet(matrices, config["samples"]["factors"],
                               config["samples"]["match_fields"], config["datasets"])
    sheet = validate_sample_sheet(sheet, source="inferred", factors=config["samples"]["factors"],
                                  contrasts=config["contrasts"],
                                  dataset_samples={d: list(c.columns) for d, c in joined.items()},
                                  datasets=config["datasets"])
    sheet.insert(sheet.shape[1], "series", sheet["sample"].map(
        {s: m.accession for found in matrices.values() for m in found for s in m.samples.index}))
    origins = dict(zip(chosen["dataset"], chosen["origin"]))
    return chosen, considered, sheet, contrast_arms(sheet, config["contrasts"], origins), served


@pytest.mark.parametrize("case", ["a", "b", "c"])
def test_each_contrast_takes_the_papers_samples_first(case, tmp_path):
    chosen, considered, sheet, arms, served = sheet_and_arms(case, tmp_path)
    # every mouse RNA-seq series of the PMID is one dataset; the human one is not taken
    paper = [s for s in served if s != STRESS_SERIES]
    assert list(chosen.loc[chosen["dataset"] == "descalzi", "series"]) == paper
    assert not considered.set_index("series").at["GSE000999", "kept"]
    assert chosen.set_index("series").at[STRESS_SERIES, "origin"].startswith(
        "another study: Labonte et al. 2017")
    assert set(chosen.loc[chosen["dataset"] == "descalzi", "origin"]) == {
        f"this study (PMID {PMID})"}
    # the sheet: every served sample, with its series, region and group as served
    truth = pd.concat([d.assign(series=s) for s, d in served.items()]).set_index("sample")
    got = sheet.set_index("sample")
    assert sorted(got.index) == sorted(truth.index)
    for column in ("series", "region", "group"):
        assert (got[column] == truth.loc[got.index, column]).all(), column
    # each contrast and region: the right series, and exactly its samples of both groups
    config = validate_config(study_config(), SCHEMA)
    for contrast in config["contrasts"]:
        for region, series in EXPECTED[case][contrast["name"]].items():
            row = arms.set_index(["contrast", "region"]).loc[(contrast["name"], region)]
            assert row["series"] == series, (contrast["name"], region)
            used = contrast_samples(sheet, contrast, region)
            wanted = truth[(truth["series"] == series) & (truth["region"] == region)
                           & truth["group"].isin([contrast["test"], contrast["reference"]])]
            assert sorted(used["sample"]) == sorted(wanted.index)
            assert (row["n_test"], row["n_reference"]) == (
                (REPLICATES, REPLICATES) if series else (0, 0))
    stress = arms[arms["contrast"] == "CUS_vs_control"].set_index("region")
    if case == "c":
        assert stress.loc[["NAc", "mPFC"], "origin"].str.startswith("another study").all()
        assert stress.loc[["NAc", "mPFC"], "note"].str.startswith("fallback: descalzi").all()
        assert stress.at["PAG", "dataset"] == "" and "no arm" in stress.at["PAG", "note"]
    else:  # the paper's own CUS mice in all three regions; GSE102556 not used
        assert (stress["dataset"] == "descalzi").all() and (stress["note"] == "").all()
        assert (stress["origin"] == f"this study (PMID {PMID})").all()


def test_sham_described_as_a_control_is_sham():
    """The real config's patterns: "sham-operated control" is sham, "control" is control."""
    from painstress.samples import _compile
    groups = _compile({"group": REAL["samples"]["factors"]["group"]})["group"]

    def levels(text):
        return [level for level, regex in groups.items() if regex.search(text)]

    assert levels("tissue: PAG; treatment: sham-operated control") == ["sham"]
    assert levels("tissue: PAG; treatment: Sham control") == ["sham"]
    assert levels("tissue: PAG; treatment: control") == ["control"]
    assert levels("tissue: NAc; phenotype: Control") == ["control"]
    assert levels("tissue: NAc; phenotype: Stress") == ["CUS"]
    assert levels("treatment: chronic unpredictable mild stress") == ["CUS"]


def test_a_list_contrast_with_no_arm_anywhere_is_refused():
    sheet = pd.DataFrame({"sample": ["GSM1", "GSM2", "GSM3", "GSM4"], "dataset": "x",
                          "region": "NAc", "group": ["SNI", "SNI", "sham", "sham"]})
    contrast = {"name": "CUS_vs_control", "test": "CUS", "reference": "control",
                "dataset": ["x"], "regions": ["NAc"]}
    with pytest.raises(InputError, match=r"none of the datasets x holds >= 2 CUS"):
        validate_sample_sheet(sheet, source="s", contrasts=[contrast],
                              factors={"region": {"NAc": "NAc"},
                                       "group": {g: g for g in ("SNI", "sham", "CUS",
                                                                "control")}},
                              dataset_samples={"x": list(sheet["sample"])})


def test_pooled_counts_keep_the_genes_every_series_has():
    """Inner join on GeneID: a gene one series lacks has no count there (not zero)."""
    one = pd.DataFrame({"GSM1": [1, 2, 3]}, index=pd.Index([11, 12, 13], name="GeneID"))
    two = pd.DataFrame({"GSM2": [4, 5]}, index=pd.Index([12, 11], name="GeneID"))
    joined, left_out = ncbi_fetch.join_series_counts({"GSE1": one, "GSE2": two})
    assert left_out == 1 and list(joined.index) == [11, 12]
    assert joined.loc[11].tolist() == [1, 5] and joined.loc[12].tolist() == [2, 4]
    with pytest.raises(InputError, match="GSM1 is in the counts of both GSE1 and GSE3"):
        ncbi_fetch.join_series_counts({"GSE1": one, "GSE3": one.copy()})


def test_two_unpinned_datasets_of_one_pmid_the_second_gets_a_clear_error():
    table = ncbi_fetch.resolution_table(
        [{"accession": "GSE1", "taxon": "Mus musculus", "via": "PMID 1",
          "gdstype": ncbi_fetch.HTS_EXPRESSION}], "Mus musculus")
    with pytest.raises(ncbi_fetch.FetchError, match=r"0 candidate series for dataset 'b' "
                                                      r"\(GSE1 already used"):
        ncbi_fetch.assign_datasets({"a": {}, "b": {}}, {1: table}, 1)


def test_answer_words_for_another_studys_arm_and_a_missing_one():
    from painstress.summary import arm_warnings, sample_sources

    arms = pd.DataFrame({
        "contrast": ["SNI_vs_sham"] * 3 + ["CUS_vs_control"] * 3,
        "region": ["NAc", "mPFC", "PAG"] * 2,
        "dataset": ["descalzi"] * 3 + ["labonte", "labonte", ""],
        "series": ["GSE1"] * 3 + ["GSE2", "GSE2", ""],
        "n_test": [3, 3, 3, 4, 4, 0], "n_reference": [3, 3, 3, 4, 4, 0],
        "origin": ["this study"] * 3 + ["another study: Lab <b>X</b>"] * 2 + [""],
        "note": ["", "", "", "fallback", "fallback", "no arm"]})
    lines = arm_warnings(arms, ["SNI_vs_sham", "CUS_vs_control"])
    assert lines == [
        "CUS_vs_control in NAc, mPFC takes its samples from another study: Lab <b>X</b> "
        "(series GSE2), not from this study's own samples: its paradigm, laboratory and batch "
        "differ from the paper's.",
        "CUS_vs_control has no arm in PAG: no dataset holds enough samples of both groups "
        "there, so it is not fitted and pain and stress are not compared there."]
    table = sample_sources(arms, ["SNI_vs_sham", "CUS_vs_control"])
    assert table[["contrast", "regions", "series"]].values.tolist() == [
        ["SNI_vs_sham", "NAc, mPFC, PAG", "GSE1"], ["CUS_vs_control", "NAc, mPFC", "GSE2"],
        ["CUS_vs_control", "PAG", "none"]]
    assert arm_warnings(arms[arms["contrast"] == "SNI_vs_sham"], ["SNI_vs_sham"]) == []


# ------------------------------------------------------------ the whole workflow, case (c)

def test_real_config_dag_leaves_out_a_region_without_arm(tmp_path):
    """With arms.tsv saying PAG has no stress arm, the plan fits CUS_vs_control in NAc and
    mPFC only and compares pain and stress there; without it, all three are planned."""
    config = study_config()
    config["datasets"]["descalzi"] = {"geo": "GSE000301"}
    configfile = tmp_path / "config.yaml"
    configfile.write_text(yaml.safe_dump(config, sort_keys=False))
    out = tmp_path / "results" / "descalzi2017"
    out.mkdir(parents=True)
    (out / "datasets.tsv").write_text(
        "dataset\tseries\tplatform\torganism\thow\torigin\n"
        "descalzi\tGSE000301\t\tMus musculus\tpinned\tthis study\n"
        f"labonte\t{STRESS_SERIES}\t{STRESS_PLATFORM}\tMus musculus\tpinned\tanother study\n")
    (out / "resolution.tsv").write_text("series\n")

    def planned():
        done = snakemake(tmp_path, configfile, "--dry-run", "--quiet", "rules", timeout=300)
        assert done.returncode == 0, done.output[-3000:]
        return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", done.output, re.M)}

    plan = planned()
    assert plan["deseq2"] == 6 and plan["rrho2"] == 3
    (out / "arms.tsv").write_text(
        "contrast\tregion\tdataset\tseries\tn_test\tn_reference\torigin\tnote\n"
        "CUS_vs_control\tPAG\t\t\t0\t0\t\tno arm\n")
    plan = planned()
    assert plan["deseq2"] == 5 and plan["rrho2"] == 2


@pytest.mark.workflow
def test_case_c_runs_end_to_end_and_says_where_the_stress_arm_comes_from(tmp_path):
    """`make run`'s steps on case (c): the stress arm is GSE102556's in NAc and mPFC, PAG has
    none and is fitted for pain only; datasets.tsv, arms.tsv, the DE summary, the answer
    page and the methods say so."""
    world, _ = make_world("c")
    config = study_config()
    # one gene-set signature (the signature step needs one): the planted genes, mouse
    (tmp_path / "planted.tsv").write_text(
        "# source: painstress loopback test (invented)\n# name: planted\ngene\tdirection\n"
        + "".join(f"Gene{i}\tup\n" for i in range(10)))
    config["signatures"] = {"sets": [{"name": "planted", "file": "planted.tsv"}]}
    for name in ncbi_fetch.NCBI_GENE_FILES:  # from the small copies in tests/data
        world.files[f"/gene/DATA/{ncbi_fetch.NCBI_GENE_FILES[name]}"] = (
            REPO / "tests" / "data" / "ncbi_gene" / name).read_bytes()
    with Server(world) as url:
        config["ncbi"] = ncbi_config(url)
        configfile = tmp_path / "config.yaml"
        configfile.write_text(yaml.safe_dump(config, sort_keys=False))
        first = snakemake(tmp_path, configfile, "--until", "contrast_arms", timeout=600)
        assert first.returncode == 0, first.output[-5000:]
        done = snakemake(tmp_path, configfile, timeout=1200)
        assert done.returncode == 0, done.output[-5000:]
    out = tmp_path / "results" / "descalzi2017"
    datasets = pd.read_csv(out / "datasets.tsv", sep="\t", keep_default_na=False)
    assert list(datasets["series"]) == ["GSE000301", STRESS_SERIES]
    assert datasets["origin"].iloc[1].startswith("another study: Labonte et al. 2017")
    summary = pd.read_csv(out / "de" / "summary.tsv", sep="\t", keep_default_na=False)
    fits = summary.set_index(["contrast", "region"])
    assert set(fits.index) == {("SNI_vs_sham", r) for r in PAPER_REGIONS} | {
        ("CUS_vs_control", "NAc"), ("CUS_vs_control", "mPFC")}
    assert (fits.loc["SNI_vs_sham", "series"] == "GSE000301").all()
    stress = fits.loc["CUS_vs_control"]
    assert (stress["series"] == STRESS_SERIES).all()
    assert stress["origin"].str.startswith("another study").all()
    assert stress["note"].str.startswith("fallback").all()
    assert not (out / "de" / "PAG" / "CUS_vs_control.tsv").exists()
    stats = pd.read_csv(out / "overlap" / "overlap_stats.tsv", sep="\t")
    assert set(stats["region"]) == {"NAc", "mPFC", "pooled"}
    answer = (out / "answer.html").read_text()
    assert "CUS_vs_control in NAc, mPFC takes its samples from another study: Labonte" in answer
    assert "CUS_vs_control has no arm in PAG" in answer
    methods = (out / "methods.md").read_text()
    assert f"CUS_vs_control in NAc, mPFC: {STRESS_SERIES} (another study: Labonte" in methods
    assert "CUS_vs_control in PAG: no samples (no arm; not fitted)" in methods
    assert "SNI_vs_sham in NAc, mPFC, PAG: GSE000301 (this study (PMID 28325815))" in methods


@pytest.mark.workflow
def test_case_b_pools_both_series_and_fits_each_contrast_from_its_own(tmp_path):
    """Case (b) through the workflow's rules up to two fits: the PMID's two series are one
    dataset (counts joined by rule pool_counts), and each contrast's fit in PAG takes the
    samples of its own series."""
    world, served = make_world("b")
    with Server(world) as url:
        config = study_config()
        config["ncbi"] = ncbi_config(url)
        configfile = tmp_path / "config.yaml"
        configfile.write_text(yaml.safe_dump(config, sort_keys=False))
        out = tmp_path / "results" / "descalzi2017"
        fits = [f"results/descalzi2017/de/PAG/{c}.summary.tsv"
                for c in ("SNI_vs_sham", "CUS_vs_control")]
        done = snakemake(tmp_path, configfile, *fits, "results/descalzi2017/arms.tsv",
                         timeout=900)
        assert done.returncode == 0, done.output[-5000:]
    pooled = ncbi_files.read_ncbi_counts(out / "counts" / "descalzi.pooled_series.tsv.gz")
    assert list(pooled.columns) == list(served["GSE000201"]["sample"]) + list(
        served["GSE000202"]["sample"])
    assert len(pooled) == N_GENES
    for contrast, series in (("SNI_vs_sham", "GSE000201"), ("CUS_vs_control", "GSE000202")):
        summary = pd.read_csv(out / "de" / "PAG" / f"{contrast}.summary.tsv", sep="\t").iloc[0]
        assert (summary["dataset"], summary["series"]) == ("descalzi", series)
        assert (summary["n_test"], summary["n_reference"]) == (REPLICATES, REPLICATES)
        samples = set(summary["samples"].split(","))
        assert samples <= set(served[series]["sample"])
    arms = pd.read_csv(out / "arms.tsv", sep="\t", keep_default_na=False)
    assert (arms["dataset"] == "descalzi").all() and (arms["note"] == "").all()
