"""Tests for painstress.samples: inferring, reading and validating the sample sheet.

Inference runs on series matrices written by painstress.demo.simulate (small demo study),
with the default factor patterns from the config schema, and is checked against the
planted truth in truth/samples.tsv.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import FIXTURES
from painstress import InputError
from painstress.config import validate_config
from painstress.data import ncbi_files
from painstress.demo.simulate import DemoParameters, write_demo_study
from painstress.samples import infer_sample_sheet, read_sample_sheet, validate_sample_sheet

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "src/painstress/schemas/config.schema.yaml"
DEMO_CONFIG = REPO / "config" / "demo.yaml"


@pytest.fixture(scope="module")
def config() -> dict:
    """config/demo.yaml, validated: default factor patterns, match fields, contrasts."""
    return validate_config(yaml.safe_load(DEMO_CONFIG.read_text()), SCHEMA, str(DEMO_CONFIG))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    """A small simulated study: parsed series matrices and the planted sample truth."""
    outdir = tmp_path_factory.mktemp("demo")
    written = write_demo_study(outdir, "GSE000001", "GSE000002",
                               DemoParameters(n_genes=1000, de_genes=20, shared_genes=10))
    matrices = {"pain": ncbi_files.read_series_matrix(written["pain_series_matrix"]),
                "stress": ncbi_files.read_series_matrix(written["stress_series_matrix"])}
    truth = pd.read_csv(written["samples"], sep="\t", dtype=str)
    return {"matrices": matrices, "truth": truth}


def with_characteristics(matrix: ncbi_files.SeriesMatrix, sample: str,
                         text: str) -> ncbi_files.SeriesMatrix:
    """A copy of ``matrix`` whose ``sample`` has ``text`` as its characteristics."""
    samples = matrix.samples.copy()
    samples.loc[sample, "characteristics_ch1"] = text
    return dataclasses.replace(matrix, samples=samples)


def line_with(message: str, needle: str) -> str:
    """The single line of ``message`` that contains ``needle``."""
    lines = [line for line in message.splitlines() if needle in line]
    assert len(lines) == 1, f"{needle!r} on {len(lines)} lines of:\n{message}"
    return lines[0]


# --------------------------------------------------------------------------- inference


def test_infer_recovers_planted_regions_and_groups(demo, config):
    """Default patterns give every simulated sample the region, group and dataset of the truth."""
    sheet = infer_sample_sheet(demo["matrices"], config["samples"]["factors"],
                               config["samples"]["match_fields"])
    truth = demo["truth"]
    assert len(sheet) == len(truth) > 0
    assert sheet["sample"].is_unique
    merged = truth.merge(sheet, on="sample", how="outer", suffixes=("_truth", ""),
                         indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["dataset"] == merged["model"]).all()
    assert (merged["region"] == merged["region_truth"]).all()
    assert (merged["group"] == merged["group_truth"]).all()
    assert (merged["title"] == merged["title_truth"]).all()
    # both series and every level are represented
    assert set(sheet["region"]) == {"NAc", "mPFC", "PAG"}
    assert set(sheet.loc[sheet["dataset"] == "pain", "group"]) == {"SNI", "sham"}
    assert set(sheet.loc[sheet["dataset"] == "stress", "group"]) == {"CUS", "control"}


def test_infer_column_order(demo, config):
    """Sheet columns: sample, dataset, one per factor in config order, then title."""
    sheet = infer_sample_sheet(demo["matrices"], config["samples"]["factors"],
                               config["samples"]["match_fields"])
    assert list(sheet.columns) == ["sample", "dataset", "region", "group", "title"]


def test_infer_sample_matching_no_level(demo, config):
    """A sample whose text matches no group level: InputError with a table row naming it."""
    truth = demo["truth"]
    sample = truth.loc[(truth["model"] == "pain") & (truth["group"] == "sham"), "sample"].iloc[0]
    text = "strain: C57BL/6J; tissue: nucleus accumbens; treatment: vehicle"
    matrices = dict(demo["matrices"])
    matrices["pain"] = with_characteristics(matrices["pain"], sample, text)
    with pytest.raises(InputError) as err:
        infer_sample_sheet(matrices, config["samples"]["factors"],
                           config["samples"]["match_fields"])
    msg = str(err.value)
    assert msg.startswith("1 sample/factor pair(s)")
    assert "searched text" in msg                       # the table header
    row = line_with(msg, sample)
    assert "pain" in row and "group" in row and "(none)" in row
    assert f"{text} | mouse brain" in row               # the text that was searched
    assert "samples.sheet" in msg                       # tells the user the way out


def test_infer_sample_matching_two_levels(demo, config):
    """A pattern that matches too much: every ambiguous sample is listed with its hits."""
    factors = {name: dict(levels) for name, levels in config["samples"]["factors"].items()}
    factors["group"]["control"] = r"\bcontrol\b|C57BL"   # matches every simulated sample
    with pytest.raises(InputError) as err:
        infer_sample_sheet(demo["matrices"], factors, config["samples"]["match_fields"])
    msg = str(err.value)
    truth = demo["truth"]
    ambiguous = truth[truth["group"] != "control"]
    assert msg.startswith(f"{len(ambiguous)} sample/factor pair(s)")
    first = ambiguous.iloc[0]
    row = line_with(msg, first["sample"])
    assert f"{first['group']}, control" in row
    assert "strain: C57BL/6J" in row
    # samples that matched exactly one level are not in the table
    clean = truth.loc[truth["group"] == "control", "sample"].iloc[0]
    assert clean not in msg


def test_infer_problem_table_shows_whole_searched_text(demo, config):
    """The full searched text, even when long as on real GEO records, is in the message."""
    truth = demo["truth"]
    sample = truth.loc[truth["model"] == "pain", "sample"].iloc[0]
    text = ("strain: C57BL/6J; Sex: male; age: 10 weeks; tissue: medial prefrontal cortex; "
            "treatment: vehicle injection")
    matrices = dict(demo["matrices"])
    matrices["pain"] = with_characteristics(matrices["pain"], sample, text)
    with pytest.raises(InputError) as err:
        infer_sample_sheet(matrices, config["samples"]["factors"],
                           config["samples"]["match_fields"])
    assert "treatment: vehicle injection" in line_with(str(err.value), sample)


# --------------------------------------------------------------------------- validation


def make_sheet(reps: int = 2) -> pd.DataFrame:
    """A valid sheet: every region x group with ``reps`` samples; pain and stress datasets."""
    rows, n = [], 0
    for dataset, groups in (("pain", ("SNI", "sham")), ("stress", ("CUS", "control"))):
        for group in groups:
            for rep in range(1, reps + 1):
                for region in ("NAc", "mPFC", "PAG"):
                    n += 1
                    rows.append({"sample": f"GSM{n}", "dataset": dataset, "region": region,
                                 "group": group, "title": f"{region}_{group}_{rep}"})
    return pd.DataFrame(rows)


def samples_of(sheet: pd.DataFrame) -> dict[str, list[str]]:
    """dataset -> GSM columns of its counts table, as the sheet says."""
    return {d: list(s) for d, s in sheet.groupby("dataset", sort=False)["sample"]}


def validate(sheet, config, dataset_samples=None, **kwargs):
    """validate_sample_sheet with the demo config's factors and contrasts."""
    return validate_sample_sheet(
        sheet, source="samples.tsv", factors=config["samples"]["factors"],
        contrasts=config["contrasts"],
        dataset_samples=samples_of(sheet) if dataset_samples is None else dataset_samples,
        **kwargs)


def test_validate_accepts_valid_sheet(config):
    """A complete sheet passes unchanged, in canonical column order with extras kept last."""
    sheet = make_sheet()[["title", "group", "region", "dataset", "sample"]]
    out = validate(sheet, config)
    assert list(out.columns) == ["sample", "dataset", "region", "group", "title"]
    pd.testing.assert_frame_equal(out, make_sheet())


def test_validate_accepts_inferred_demo_sheet(demo, config):
    """The sheet inferred from the demo series matrices passes validation."""
    sheet = infer_sample_sheet(demo["matrices"], config["samples"]["factors"],
                               config["samples"]["match_fields"])
    out = validate(sheet, config, min_replicates=config["de"]["min_replicates"])
    assert len(out) == len(demo["truth"])


def test_validate_fills_dataset_from_counts(config):
    """Without a 'dataset' column, each sample's dataset comes from dataset_samples."""
    full = make_sheet()
    out = validate(full.drop(columns="dataset"), config, dataset_samples=samples_of(full))
    assert list(out.columns[:2]) == ["sample", "dataset"]
    assert list(out["dataset"]) == list(full["dataset"])


def test_validate_unknown_group(config):
    """An unknown group: message names the source, line, sample, bad value and allowed levels."""
    sheet = make_sheet()
    sheet.loc[3, "group"] = "SNl"
    with pytest.raises(InputError) as err:
        validate(sheet, config)
    msg = str(err.value)
    assert msg.startswith("samples.tsv: ")
    assert "row 4" in msg                   # in-memory sheet: row index 3 -> row 4
    assert sheet.loc[3, "sample"] in msg
    assert "'SNl'" in msg
    assert "(SNI, sham, CUS, control)" in msg
    assert "samples.factors.group" in msg


def test_validate_unknown_region(config):
    """An unknown region is refused the same way, listing the region levels."""
    sheet = make_sheet()
    sheet.loc[0, "region"] = "VTA"
    with pytest.raises(InputError, match=r"row 1: .*region 'VTA'.*\(NAc, mPFC, PAG\)"):
        validate(sheet, config)


@pytest.mark.parametrize("column", ["sample", "region", "group"])
def test_validate_missing_column(config, column):
    """A required column that is absent is named in the message."""
    sheet = make_sheet()
    with pytest.raises(InputError, match=rf"^samples.tsv: missing column\(s\): {column} "):
        validate(sheet.drop(columns=column), config, dataset_samples=samples_of(sheet))


def test_validate_duplicated_sample(config):
    """A sample listed twice is refused, naming it and the line of the repeat."""
    sheet = make_sheet()
    sheet.loc[5, "sample"] = sheet.loc[0, "sample"]
    with pytest.raises(InputError) as err:
        validate(sheet, config, dataset_samples=samples_of(make_sheet()))
    msg = str(err.value)
    assert f"sample {sheet.loc[0, 'sample']} is listed more than once" in msg
    assert "row 6" in msg


def test_validate_sample_not_in_counts(config):
    """A sample absent from every counts table is refused, naming it and its line."""
    sheet = make_sheet()
    counts = samples_of(sheet)
    missing = counts["stress"].pop()
    with pytest.raises(InputError) as err:
        validate(sheet, config, dataset_samples=counts)
    msg = str(err.value)
    row = int(sheet.index[sheet["sample"] == missing][0]) + 1
    assert f"row {row}: sample {missing} is in no counts table" in msg
    assert "datasets: pain, stress" in msg


def test_validate_dataset_disagrees_with_counts(config):
    """A 'dataset' value that contradicts where the counts are is refused."""
    sheet = make_sheet()
    counts = samples_of(sheet)
    sheet.loc[0, "dataset"] = "stress"
    with pytest.raises(InputError, match=r"row 1: sample GSM1 is said to be in dataset "
                                         r"'stress' but its counts are in 'pain'"):
        validate(sheet, config, dataset_samples=counts)


def test_validate_single_replicate(config):
    """One sample of a group in a region of a contrast: message names region, group, contrast."""
    sheet = make_sheet()
    drop = sheet.index[(sheet["region"] == "PAG") & (sheet["group"] == "SNI")][0]
    sheet = sheet.drop(index=drop).reset_index(drop=True)
    with pytest.raises(InputError) as err:
        validate(sheet, config)
    msg = str(err.value)
    assert "region PAG, group SNI (contrast SNI_vs_sham) has 1 sample(s)" in msg
    assert "at least 2" in msg


def test_validate_min_replicates_parameter(config):
    """min_replicates is honoured: 2 replicates fail when 3 are required."""
    with pytest.raises(InputError, match=r"has 2 sample\(s\); at least 3"):
        validate(make_sheet(reps=2), config, min_replicates=3)
    assert len(validate(make_sheet(reps=3), config, min_replicates=3)) == 36


def test_validate_only_checks_contrast_regions(config):
    """A contrast restricted to some regions does not need samples elsewhere."""
    sheet = make_sheet()
    sheet = sheet[~((sheet["dataset"] == "stress") & (sheet["region"] == "PAG"))]
    sheet = sheet.reset_index(drop=True)
    contrasts = [dict(c) for c in config["contrasts"]]
    with pytest.raises(InputError, match="region PAG, group CUS"):
        validate_sample_sheet(sheet, source="samples.tsv", factors=config["samples"]["factors"],
                              contrasts=contrasts, dataset_samples=samples_of(sheet))
    contrasts[1]["regions"] = ["NAc", "mPFC"]
    out = validate_sample_sheet(sheet, source="samples.tsv",
                                factors=config["samples"]["factors"],
                                contrasts=contrasts, dataset_samples=samples_of(sheet))
    assert len(out) == len(sheet)


def test_validate_contrast_mixing_datasets(config):
    """Test and reference from different series: refused, naming contrast, region, datasets."""
    sheet = make_sheet()
    sheet.loc[sheet["group"] == "sham", "dataset"] = "stress"
    with pytest.raises(InputError) as err:
        validate(sheet, config)
    msg = str(err.value)
    assert "contrast SNI_vs_sham in region NAc mixes datasets (pain, stress)" in msg


# --------------------------------------------------------------------------- reading


SHEET_TEXT = (
    "# Sample sheet for the demo, written by hand\n"
    "# columns: sample, dataset, region, group\n"
    " sample \tdataset\tregion\t group\n"
    "GSM1 \tpain\t NAc\tSNI\n"
    "GSM2\t pain\tNAc \tsham \n"
)


def test_read_sample_sheet_comments_and_spaces(tmp_path):
    """Comment lines are skipped; stray spaces around names and values are removed."""
    path = tmp_path / "samples.tsv"
    path.write_text(SHEET_TEXT)
    sheet = read_sample_sheet(path)
    assert list(sheet.columns) == ["sample", "dataset", "region", "group"]
    assert sheet.to_dict("records") == [
        {"sample": "GSM1", "dataset": "pain", "region": "NAc", "group": "SNI"},
        {"sample": "GSM2", "dataset": "pain", "region": "NAc", "group": "sham"},
    ]


def test_read_sample_sheet_keeps_empty_cells_as_text(tmp_path):
    """Empty cells stay empty strings (not NaN), so validation reports them as values."""
    path = tmp_path / "samples.tsv"
    path.write_text("sample\tregion\tgroup\nGSM1\tNAc\t\n")
    sheet = read_sample_sheet(path)
    assert sheet["group"].iloc[0] == ""


def test_read_then_validate(tmp_path, config):
    """A hand-written sheet read from disk validates; dataset filled from the counts."""
    sheet = make_sheet().drop(columns=["dataset", "title"])
    path = tmp_path / "samples.tsv"
    path.write_text("# my sheet\n" + sheet.to_csv(sep="\t", index=False).replace("\t", " \t"))
    out = validate_sample_sheet(read_sample_sheet(path), source=str(path),
                                factors=config["samples"]["factors"],
                                contrasts=config["contrasts"],
                                dataset_samples=samples_of(make_sheet()))
    assert list(out["dataset"]) == list(make_sheet()["dataset"])


def test_line_numbers_count_comment_lines(tmp_path, config):
    """The line number in a message is the line of the bad row in the user's file."""
    path = tmp_path / "samples.tsv"
    path.write_text(SHEET_TEXT.replace("sham \n", "shame\n"))   # bad group on file line 5
    sheet = read_sample_sheet(path)
    with pytest.raises(InputError) as err:
        validate_sample_sheet(sheet, source=str(path), factors=config["samples"]["factors"],
                              contrasts=[], dataset_samples={"pain": ["GSM1", "GSM2"]})
    assert "'shame'" in str(err.value)
    assert "line 5:" in str(err.value)


def test_read_sample_sheet_keeps_hash_inside_values(tmp_path):
    """A '#' inside a value (e.g. a title 'mouse #3') is data, not a comment."""
    path = tmp_path / "samples.tsv"
    path.write_text("sample\ttitle\tregion\tgroup\nGSM1\tmouse #3\tNAc\tSNI\n")
    sheet = read_sample_sheet(path)
    assert sheet["title"].iloc[0] == "mouse #3"
    assert sheet["group"].iloc[0] == "SNI"


# ------------------------------------------- per-dataset factors, exclude, dataset, where
# On the REAL human series matrix of GSE102556 (263 postmortem samples, 6 tissues), with the
# patterns of config/config.yaml (dataset mdd_human), read from the file.

LABONTE = FIXTURES / "series_matrix" / "GSE102556-GPL11154_series_matrix.txt"
REAL_CONFIG = REPO / "config" / "config.yaml"


@pytest.fixture(scope="module")
def real_config() -> dict:
    return validate_config(yaml.safe_load(REAL_CONFIG.read_text()), SCHEMA, str(REAL_CONFIG))


@pytest.fixture(scope="module")
def labonte(real_config, fixtures_dir):
    """The human sheet inferred from the real series matrix, and that matrix."""
    matrix = ncbi_files.read_series_matrix(LABONTE)
    assert len(matrix.samples) == 263
    datasets = {"mdd_human": real_config["datasets"]["mdd_human"]}
    sheet = infer_sample_sheet({"mdd_human": matrix}, real_config["samples"]["factors"],
                               real_config["samples"]["match_fields"], datasets)
    return sheet, matrix


def test_labonte_human_counts_per_region_group_sex(labonte):
    """Only NAc and Cg25 (as mPFC) stay; exact counts per region x group x sex."""
    sheet, _ = labonte
    assert len(sheet) == 76  # 263 minus OFC 48, dlPFC 48, aINS 48, subiculum 43
    counts = sheet.groupby(["region", "group", "sex"]).size().to_dict()
    assert counts == {("NAc", "MDD", "male"): 13, ("NAc", "MDD", "female"): 13,
                      ("NAc", "human_control", "male"): 13,
                      ("NAc", "human_control", "female"): 9,
                      ("mPFC", "MDD", "male"): 3, ("mPFC", "MDD", "female"): 10,
                      ("mPFC", "human_control", "male"): 8,
                      ("mPFC", "human_control", "female"): 7}
    assert list(sheet.columns) == ["sample", "dataset", "region", "group", "sex", "title"]


def test_labonte_exclusion_is_logged_and_leaves_out_the_other_tissues(real_config, caplog,
                                                                     fixtures_dir):
    matrix = ncbi_files.read_series_matrix(LABONTE)
    with caplog.at_level("INFO", logger="painstress.samples"):
        sheet = infer_sample_sheet({"mdd_human": matrix}, real_config["samples"]["factors"],
                                   real_config["samples"]["match_fields"],
                                   {"mdd_human": real_config["datasets"]["mdd_human"]})
    kept_tissues = set(matrix.samples.loc[sheet["sample"], "char_tissue"])
    assert kept_tissues == {"Nucleus Accumbens (Nac)", "Cingulate gyrus 25 (Cg25)"}
    assert "dataset mdd_human: 187 sample(s) left out by datasets.mdd_human.exclude" \
        in caplog.text


def test_labonte_without_exclude_stops_on_the_unassigned_tissues(real_config, fixtures_dir):
    """Without exclude, OFC/dlPFC/aINS/subiculum match no region: an error, not a guess."""
    spec = dict(real_config["datasets"]["mdd_human"])
    spec.pop("exclude")
    with pytest.raises(InputError, match=r"187 sample/factor pair\(s\) matched no level"):
        infer_sample_sheet({"mdd_human": ncbi_files.read_series_matrix(LABONTE)},
                           real_config["samples"]["factors"],
                           real_config["samples"]["match_fields"], {"mdd_human": spec})


def test_labonte_contrast_with_where_picks_exactly_the_male_cg25_samples(labonte, real_config):
    from painstress.samples import contrast_samples

    sheet, matrix = labonte
    contrast = next(c for c in real_config["contrasts"] if c["name"] == "MDD_vs_control_male")
    chosen = contrast_samples(sheet, contrast, "mPFC")
    meta = matrix.samples
    expected = meta[(meta["char_tissue"] == "Cingulate gyrus 25 (Cg25)")
                    & (meta["char_gender"] == "Male")].index
    assert sorted(chosen["sample"]) == sorted(expected) and len(expected) == 11
    assert chosen.groupby("group").size().to_dict() == {"MDD": 3, "human_control": 8}
    # and the validation accepts the sheet with every human contrast of the config
    human = [c for c in real_config["contrasts"] if c.get("dataset") == "mdd_human"]
    out = validate_sample_sheet(sheet, source="inferred", factors=real_config["samples"]["factors"],
                                contrasts=human, datasets=real_config["datasets"],
                                dataset_samples={"mdd_human": list(meta.index)})
    assert len(out) == 76


def two_datasets_sheet() -> pd.DataFrame:
    """Mouse 'stress' (CUS/control, no sex) and human 'mdd' (MDD/control, with sex)."""
    rows = [{"sample": f"GSM{i}", "dataset": "stress", "region": "NAc",
             "group": "CUS" if i % 2 else "control", "sex": ""} for i in range(1, 7)]
    rows += [{"sample": f"GSM{i}", "dataset": "mdd", "region": "NAc",
              "group": "MDD" if i % 2 else "control", "sex": "male" if i < 16 else "female"}
             for i in range(11, 21)]
    return pd.DataFrame(rows)


MDD_DATASETS = {"stress": {}, "mdd": {"factors": {
    "group": {"MDD": "MDD", "control": "CTRL"}, "sex": {"male": "M", "female": "F"}}}}


def test_contrast_dataset_and_where_keep_a_shared_group_name_apart(config):
    """'control' exists in both datasets: without 'dataset' the contrast mixes them (refused);
    with dataset and where it uses exactly that dataset's samples of that sex."""
    sheet = two_datasets_sheet()
    factors = config["samples"]["factors"]
    mixed = {"name": "MDD_vs_control", "test": "MDD", "reference": "control",
             "regions": ["NAc"]}
    kwargs = dict(source="s.tsv", factors=factors, dataset_samples=samples_of(sheet),
                  datasets=MDD_DATASETS)
    with pytest.raises(InputError, match="contrast MDD_vs_control in region NAc mixes "
                                         r"datasets \(mdd, stress\)"):
        validate_sample_sheet(sheet, contrasts=[mixed], **kwargs)
    from painstress.samples import contrast_samples

    picked = {**mixed, "dataset": "mdd", "where": {"sex": "male"}}
    out = validate_sample_sheet(sheet, contrasts=[picked], **kwargs)
    assert sorted(contrast_samples(out, picked, "NAc")["sample"]) == \
        [f"GSM{i}" for i in range(11, 16)]
    female = {**picked, "where": {"sex": "female"}}
    assert len(contrast_samples(out, female, "NAc")) == 5
    # too few samples once 'where' restricts them: named like any other shortfall
    tiny = sheet[~sheet["sample"].isin(["GSM11", "GSM13"])]
    with pytest.raises(InputError, match=r"region NAc, group MDD \(contrast MDD_vs_control\) "
                                         r"has 1 sample\(s\)"):
        validate_sample_sheet(tiny, contrasts=[picked],
                              **{**kwargs, "dataset_samples": samples_of(tiny)})


def test_per_dataset_levels_are_checked_per_dataset(config):
    """A human sample may not use a mouse-only level; a mouse sample may not have a sex."""
    factors = config["samples"]["factors"]
    sheet = two_datasets_sheet()
    sheet.loc[sheet["sample"] == "GSM11", "group"] = "CUS"
    with pytest.raises(InputError, match=r"row 7: sample GSM11 has group 'CUS'.*"
                                         r"'datasets.mdd.factors.group'"):
        validate_sample_sheet(sheet, source="s", factors=factors, contrasts=[],
                              dataset_samples=samples_of(sheet), datasets=MDD_DATASETS)
    sheet = two_datasets_sheet()
    sheet.loc[0, "sex"] = "male"
    with pytest.raises(InputError, match=r"row 1: sample GSM1 of dataset stress has sex "
                                         r"'male', but that dataset has no factor sex"):
        validate_sample_sheet(sheet, source="s", factors=factors, contrasts=[],
                              dataset_samples=samples_of(sheet), datasets=MDD_DATASETS)
