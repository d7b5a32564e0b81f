"""Tests for painstress.config.validate_config: schema checks, cross-references, defaults."""

from __future__ import annotations

import copy
import fcntl
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from painstress import InputError
from painstress.config import read_schema, schema_file, validate_config

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "src/painstress/schemas/config.schema.yaml"
SOURCE = "config/demo.yaml"


def load(name: str) -> dict:
    """A config file of the repository, as YAML."""
    return yaml.safe_load((REPO / "config" / name).read_text())


@pytest.fixture
def demo() -> dict:
    """A fresh copy of config/demo.yaml, to be broken by each test."""
    return load("demo.yaml")


def error_of(config: dict) -> str:
    """The InputError message validate_config gives for ``config``."""
    with pytest.raises(InputError) as err:
        validate_config(config, SCHEMA, source=SOURCE)
    msg = str(err.value)
    assert msg.startswith(f"{SOURCE}: invalid configuration:")
    return msg


# --------------------------------------------------------------------------- valid configs


@pytest.mark.parametrize("name", ["demo.yaml", "config.yaml"])
def test_repository_configs_validate(name):
    """Both shipped configs are valid and come back with every top-level section."""
    config = validate_config(load(name), SCHEMA, source=f"config/{name}")
    for key in ("study", "source", "offline", "simulate", "datasets", "samples",
                "contrasts", "de", "overlap"):
        assert key in config


def test_defaults_filled_for_demo(demo):
    """Left-out keys get the schema defaults, including nested ones."""
    config = validate_config(demo, SCHEMA)
    assert config["de"]["thresholds"]["paper_fold_change"] == 1.3
    assert config["de"]["thresholds"]["paper_pvalue"] == 0.05
    assert config["de"]["thresholds"]["modern_padj"] == 0.05
    assert config["de"]["min_replicates"] == 2
    assert config["de"]["covariates"] == []
    assert config["offline"] is False
    assert config["samples"]["match_fields"] == ["characteristics_ch1", "source_name_ch1"]
    factors = config["samples"]["factors"]
    assert set(factors) == {"region", "group"}
    assert list(factors["region"]) == ["NAc", "mPFC", "PAG"]
    assert list(factors["group"]) == ["SNI", "sham", "CUS", "control"]
    assert re.search(factors["group"]["SNI"], "spared nerve injury")


def test_contrasts_get_all_regions_by_default(demo):
    """A contrast without 'regions' gets every region level."""
    config = validate_config(demo, SCHEMA)
    for contrast in config["contrasts"]:
        assert contrast["regions"] == ["NAc", "mPFC", "PAG"]


def test_explicit_values_are_kept():
    """config/config.yaml: explicit regions and factor patterns are not overwritten."""
    config = validate_config(load("config.yaml"), SCHEMA)
    regions = {c["name"]: c["regions"] for c in config["contrasts"]}
    assert regions == {"SNI_vs_sham": ["NAc", "mPFC", "PAG"],
                       # the regions of its two datasets; arms.tsv drops those without
                       "CUS_vs_control": ["NAc", "mPFC", "PAG"],
                       "MDD_vs_control_male": ["NAc", "mPFC"],
                       "MDD_vs_control_female": ["NAc", "mPFC"],
                       "susceptible_vs_control": ["NAc", "mPFC"]}
    assert "phenotype: stress" in config["samples"]["factors"]["group"]["CUS"]
    assert config["samples"]["sheet"] is None  # no sheet named: inferred
    assert config["samples"]["match_fields"] == ["characteristics_ch1", "source_name_ch1"]
    stress = config["datasets"]["labonte"]
    assert {k: stress[k] for k in ("geo", "platform", "pmid")} == {
        "geo": "GSE102556", "platform": "GPL13112", "pmid": None}
    assert "geo" not in config["datasets"]["descalzi"]  # resolved from study.pmid
    cus = next(c for c in config["contrasts"] if c["name"] == "CUS_vs_control")
    assert cus["dataset"] == ["descalzi", "labonte"]  # the paper's own CUS mice first


def test_partial_section_gets_remaining_defaults(demo):
    """A user value inside a section is kept; its siblings still get their defaults."""
    demo["de"] = {"thresholds": {"paper_pvalue": 0.01}}
    config = validate_config(demo, SCHEMA)
    assert config["de"]["thresholds"] == {"paper_pvalue": 0.01, "paper_fold_change": 1.3,
                                          "modern_padj": 0.05}
    assert config["de"]["min_count"] == 10


def test_input_not_mutated(demo):
    """validate_config returns a new dict and leaves its argument (deeply) unchanged."""
    before = copy.deepcopy(demo)
    config = validate_config(demo, SCHEMA)
    assert demo == before
    assert "de" not in demo and "regions" not in demo["contrasts"][0]
    config["contrasts"][0]["name"] = "changed"
    assert demo["contrasts"][0]["name"] == "SNI_vs_sham"


def test_defaults_not_shared_between_calls(demo):
    """Filled defaults are copies: changing one result does not change the next."""
    first = validate_config(copy.deepcopy(demo), SCHEMA)
    first["samples"]["factors"]["group"]["SNI"] = "changed"
    first["de"]["covariates"].append("sex")
    second = validate_config(copy.deepcopy(demo), SCHEMA)
    assert second["samples"]["factors"]["group"]["SNI"] == r"spared nerve|\bSNI\b"
    assert second["de"]["covariates"] == []


# --------------------------------------------------------------------------- errors


def test_missing_study(demo):
    """A missing required key is named."""
    del demo["study"]
    assert "key 'study' is missing" in error_of(demo)


def test_missing_nested_key(demo):
    """A missing nested required key is named with its full path."""
    del demo["overlap"]["stress"]
    assert "key 'overlap.stress' is missing" in error_of(demo)


def test_misspelt_top_level_key(demo):
    """An unknown key (additional property) is named and flagged as a likely typo."""
    demo["contrast"] = demo.pop("contrasts")
    msg = error_of(demo)
    assert "'contrast' was unexpected" in msg
    assert "misspelt key?" in msg


def test_misspelt_nested_key(demo):
    """A typo inside a section names the section it is under."""
    demo["de"] = {"thresholds": {"paper_pval": 0.05}}
    msg = error_of(demo)
    assert "under 'de.thresholds'" in msg
    assert "'paper_pval' was unexpected" in msg


def test_pvalue_out_of_range(demo):
    """paper_pvalue 1.5 is refused, naming the key and the bound."""
    demo["de"] = {"thresholds": {"paper_pvalue": 1.5}}
    msg = error_of(demo)
    assert "key 'de.thresholds.paper_pvalue'" in msg
    assert "1.5" in msg and "maximum of 1" in msg


def test_bad_geo_accession(demo):
    """A dataset accession that is not GSE<digits> is refused with its key."""
    demo["datasets"]["pain"]["geo"] = "GDS1234"
    assert "key 'datasets.pain.geo'" in error_of(demo)


def test_several_errors_reported_together(demo):
    """All schema errors come in one message, not one per run."""
    del demo["study"]
    demo["de"] = {"thresholds": {"paper_pvalue": 1.5}}
    demo["typo"] = 1
    msg = error_of(demo)
    assert "key 'study' is missing" in msg
    assert "key 'de.thresholds.paper_pvalue'" in msg
    assert "'typo' was unexpected" in msg


def test_contrast_test_not_a_group(demo):
    """A contrast test that is no group level is named with its index and the levels."""
    demo["contrasts"][0]["test"] = "SNl"
    msg = error_of(demo)
    assert "contrasts[0].test = 'SNl' is not a level of samples.factors.group" in msg
    assert "(SNI, sham, CUS, control)" in msg


def test_contrast_reference_not_a_group(demo):
    """The same check applies to the reference group."""
    demo["contrasts"][1]["reference"] = "naive"
    assert "contrasts[1].reference = 'naive'" in error_of(demo)


def test_contrast_region_unknown(demo):
    """A contrast region that is no region level is refused."""
    demo["contrasts"][1]["regions"] = ["NAc", "VTA"]
    assert "contrasts[1].regions: VTA not in samples.factors.region" in error_of(demo)


def test_duplicate_contrast_names(demo):
    """Two contrasts with the same name are refused."""
    demo["contrasts"][1]["name"] = "SNI_vs_sham"
    assert "contrast names must be unique" in error_of(demo)


def test_overlap_names_no_contrast(demo):
    """overlap.pain must name a contrast; the message lists the contrast names."""
    demo["overlap"]["pain"] = "SNI_vs_control"
    msg = error_of(demo)
    assert "overlap.pain = 'SNI_vs_control' names no contrast" in msg
    assert "(SNI_vs_sham, CUS_vs_control)" in msg


def test_pain_and_stress_must_be_different_contrasts(demo):
    demo["overlap"]["stress"] = demo["overlap"]["pain"]
    assert "overlap.pain and overlap.stress are the same contrast" in error_of(demo)


def test_pain_and_stress_must_share_a_region(demo):
    for contrast in demo["contrasts"]:
        contrast["regions"] = ["PAG"] if contrast["name"] == demo["overlap"]["pain"] else ["NAc"]
    message = error_of(demo)
    assert "share no region to compare in" in message and "regions PAG" in message


def test_simulate_needs_pain_and_stress_datasets(demo):
    """With source 'simulate', datasets other than exactly pain and stress are refused."""
    demo["datasets"] = {"pain": {"geo": "GSE000001"}, "depression": {"geo": "GSE000002"}}
    msg = error_of(demo)
    assert "source 'simulate'" in msg
    assert "datasets must be exactly 'pain' and 'stress'" in msg


def test_geo_source_allows_other_dataset_names(demo):
    """The pain/stress dataset rule applies to simulate only, not to real GEO data."""
    demo["source"] = "geo"
    demo["datasets"] = {"sni": {"geo": "GSE91396"}, "cus": {"geo": "GSE102556"}}
    assert set(validate_config(demo, SCHEMA)["datasets"]) == {"sni", "cus"}


def test_covariate_must_be_extra_factor(demo):
    """de.covariates must name a configured factor other than region and group."""
    demo["de"] = {"covariates": ["sex"]}
    assert "de.covariates: 'sex'" in error_of(demo)


def test_simulate_replicate_bounds(demo):
    """simulate.min_replicates larger than max_replicates is refused."""
    demo["simulate"]["min_replicates"] = 7
    assert "simulate.min_replicates is larger than simulate.max_replicates" in error_of(demo)


def test_invalid_regex_in_factor_pattern(demo):
    """The schema's format: regex is enforced: an unbalanced pattern is refused with its key."""
    config = validate_config(copy.deepcopy(demo), SCHEMA)
    demo["samples"] = {"factors": copy.deepcopy(config["samples"]["factors"])}
    demo["samples"]["factors"]["region"]["NAc"] = r"nucleus accumbens|(NAc"
    msg = error_of(demo)
    assert "key 'samples.factors.region.NAc'" in msg
    assert "is not a 'regex'" in msg


def test_factors_must_include_region_and_group(demo):
    """A factors mapping without 'group' is refused (it is required)."""
    demo["samples"] = {"factors": {"region": {"NAc": "NAc"}}}
    assert "key 'samples.factors.group' is missing" in error_of(demo)


# ------------------------------------- per-dataset organism, factors, exclude; contrasts

def with_human_dataset(demo: dict) -> dict:
    """demo.yaml with a human dataset of its own groups and a sex factor (source geo)."""
    demo["source"] = "geo"
    demo["datasets"]["mdd"] = {"geo": "GSE102556", "platform": "GPL11154", "pmid": None,
                               "organism": "Homo sapiens", "exclude": "tissue: OFC",
                               "factors": {"region": {"NAc": "Nac"},
                                           "group": {"MDD": "MDD", "human_control": "CTRL"},
                                           "sex": {"male": "Male", "female": "Female"}}}
    demo["contrasts"].append({"name": "MDD_male", "dataset": "mdd", "test": "MDD",
                              "reference": "human_control", "where": {"sex": "male"}})
    return demo


def test_dataset_settings_are_accepted_and_defaults_follow_the_dataset(demo):
    from painstress.config import organism_of

    config = validate_config(with_human_dataset(demo), SCHEMA)
    contrast = config["contrasts"][-1]
    assert contrast["regions"] == ["NAc"]  # the dataset's regions, not the global three
    assert config["contrasts"][0]["regions"] == ["NAc", "mPFC", "PAG"]  # unchanged
    assert organism_of(config, "mdd") == "Homo sapiens"
    assert organism_of(config, "pain") == "Mus musculus"  # study.organism
    assert "organism" not in config["datasets"]["pain"]  # the config is not rewritten


def test_dataset_organism_must_be_known(demo):
    demo = with_human_dataset(demo)
    demo["datasets"]["mdd"]["organism"] = "Rattus norvegicus"
    assert "key 'datasets.mdd.organism': 'Rattus norvegicus' is not one of" in error_of(demo)


@pytest.mark.parametrize("key", ["exclude", "factors"])
def test_dataset_patterns_must_be_regular_expressions(demo, key):
    demo = with_human_dataset(demo)
    if key == "exclude":
        demo["datasets"]["mdd"]["exclude"] = "tissue: (OFC"
        expected = "key 'datasets.mdd.exclude'"
    else:
        demo["datasets"]["mdd"]["factors"]["sex"]["male"] = "[Male"
        expected = "key 'datasets.mdd.factors.sex.male'"
    assert expected in error_of(demo)


def test_contrast_dataset_must_name_a_dataset(demo):
    demo = with_human_dataset(demo)
    demo["contrasts"][-1]["dataset"] = "mdd_typo"
    assert "contrasts[2].dataset = 'mdd_typo' names no dataset (pain, stress, mdd)" \
        in error_of(demo)


def test_contrast_groups_come_from_its_dataset(demo):
    """CUS is a global level, but not one of dataset mdd's own group levels."""
    demo = with_human_dataset(demo)
    demo["contrasts"][-1]["test"] = "CUS"
    assert ("contrasts[2].test = 'CUS' is not a level of datasets.mdd.factors.group "
            "(MDD, human_control)") in error_of(demo)
    demo["contrasts"][-1].update(test="MDD", regions=["PAG"])
    assert "contrasts[2].regions: PAG not in datasets.mdd.factors.region (NAc)" \
        in error_of(demo)


def test_contrast_without_dataset_may_use_any_datasets_group(demo):
    """A dataset's own level is known to contrasts without 'dataset' too (the sample sheet
    check then refuses a mix of datasets)."""
    demo = with_human_dataset(demo)
    demo["contrasts"].append({"name": "MDD_any", "test": "MDD", "reference": "human_control",
                              "regions": ["NAc"]})
    validate_config(demo, SCHEMA)
    demo["contrasts"][-1]["test"] = "MDDD"
    assert ("contrasts[3].test = 'MDDD' is not a level of samples.factors.group or "
            "datasets.*.factors") in error_of(demo)


@pytest.mark.parametrize("where, expected", [
    ({"sex": "unknown"}, "contrasts[2].where.sex = 'unknown' is not a level of "
                         "datasets.mdd.factors.sex (male, female)"),
    ({"age": "old"}, "contrasts[2].where.age: no factor 'age' for dataset mdd "
                     "(region, group, sex)"),
    ({"region": "NAc"}, "contrasts[2].where.region: use 'regions' or 'test'/'reference'"),
])
def test_contrast_where_is_checked(demo, where, expected):
    demo = with_human_dataset(demo)
    demo["contrasts"][-1]["where"] = where
    assert expected in error_of(demo)


def test_contrast_where_must_map_factors_to_text(demo):
    demo = with_human_dataset(demo)
    demo["contrasts"][-1]["where"] = {"sex": 1}
    assert "key 'contrasts.2.where.sex': 1 is not of type 'string'" in error_of(demo)


# ------------------------------------------------- the command-line check and the Makefile

def check_command(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``python -m painstress.config ARGS`` as a user runs it, from ``cwd``."""
    return subprocess.run([sys.executable, "-m", "painstress.config", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("path", sorted((REPO / "config").glob("*.yaml")), ids=lambda p: p.name)
def test_command_line_check_accepts_every_shipped_config(path):
    done = check_command(str(path.relative_to(REPO)))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"config/{path.name}: ok\n"


@pytest.mark.parametrize("text, expected", [
    ("study:\n\tname: x\n", "line 2, column 1: not valid YAML (found character '\\t' that "
                            "cannot start any token). Indent with spaces, not tabs"),
    ("study: !!python/object/apply:os.system ['true']\n",
     "line 1: tag !!python/object/apply:os.system: config values are plain text"),
    ("study: {name: a}\nsource: simulate\nstudy: {name: b}\n",
     "line 3: key 'study' is given twice (lines 1 and 3); YAML would keep the value of line 3"
     " and drop the other without a word. Keep one"),
], ids=["tab", "python-tag", "duplicate-key"])
def test_command_line_check_names_file_line_and_fix(tmp_path, text, expected):
    path = tmp_path / "my config.yaml"
    path.write_text(text)
    done = check_command(str(path))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"{path}: cannot be used as a config file:\n"), done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_command_line_check_of_a_missing_file(tmp_path):
    done = check_command("nosuch.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (f"nosuch.yaml: config file not found (looked for from {tmp_path}). "
                           "Check the path, or start from a copy of config/config.yaml.\n")


def test_command_line_check_reports_every_file_and_fails_if_one_fails(tmp_path):
    done = check_command("config/demo.yaml", str(tmp_path / "gone.yaml"))
    assert done.returncode == 1
    assert done.stdout == "config/demo.yaml: ok\n"
    assert "gone.yaml: config file not found" in done.stderr


def test_command_line_results_dir_comes_from_the_study_name(tmp_path):
    config = load("demo.yaml")
    config["study"]["name"] = "my_study"
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    done = check_command("--results-dir", str(path))
    assert (done.returncode, done.stdout) == (0, "results/my_study\n"), done.stderr
    done = check_command("--results-dir", str(tmp_path / "gone.yaml"))
    assert done.returncode == 1 and done.stdout == ""
    assert "gone.yaml: config file not found" in done.stderr


@pytest.fixture
def project(tmp_path) -> Path:
    """A folder with the Makefile and the repository's .venv (linked): `make` runs there
    as in the project, without touching the repository's results or lock."""
    shutil.copy(REPO / "Makefile", tmp_path)
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    return tmp_path


def make(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`make ARGS` in ``project``, the .venv taken as built (-o: not rebuilt)."""
    return subprocess.run(["make", "-o", ".venv/.installed", *args], cwd=project,
                          capture_output=True, text=True, timeout=120)


def test_make_run_checks_the_config_before_snakemake(project):
    (project / "tabs.yaml").write_text("study:\n\tname: x\n")
    done = make(project, "run", "CONFIG=tabs.yaml")
    assert done.returncode != 0
    assert "tabs.yaml: cannot be used as a config file:\n  - line 2, column 1" in done.stderr
    assert "snakemake" not in done.stdout  # stopped before Snakemake


def test_make_run_uses_config_and_its_study_folder(project):
    config = load("demo.yaml")
    config["study"]["name"] = "my_study"
    (project / "my.yaml").write_text(yaml.safe_dump(config))
    done = make(project, "-n", "run", "CONFIG=my.yaml")
    assert done.returncode == 0, done.stderr
    assert '--configfile "my.yaml" --report results/my_study/report.html' in done.stdout
    assert "config/config.yaml" not in done.stdout


def test_make_refuses_a_second_run_in_the_same_folder(project):
    lock = project / ".snakemake" / "make-run.lock"
    lock.parent.mkdir()
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the first run
        done = make(project, "demo")
    assert done.returncode != 0
    assert "another make run is running in this folder" in done.stderr
    assert "painstress.config" not in done.stdout  # nothing of the run was started


@pytest.mark.parametrize("name", ["config", "samples"])
def test_schemas_read_by_libyaml_equal_pure_python_yaml(name):
    """The schemas are read with libyaml's loader where PyYAML has it; it must give what
    PyYAML's own safe loader gives."""
    path = schema_file(name)
    assert read_schema(path) == yaml.load(path.read_text(encoding="utf-8"),
                                          Loader=yaml.SafeLoader)
