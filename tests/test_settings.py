"""The stages' settings: built from the validated config, defaults from the schema only, and
the one sentence that puts the significance definitions in words."""
import dataclasses
import inspect
from pathlib import Path

import pytest
import yaml

from painstress import InputError, settings
from painstress.config import validate_config
from painstress.settings import (
    DESettings,
    LibraryQC,
    OverlapSettings,
    PathwaySettings,
    Thresholds,
    significance_rule,
    significance_sentence,
)

ROOT = Path(__file__).resolve().parents[1]
STAGES = (Thresholds, LibraryQC, DESettings, OverlapSettings, PathwaySettings)


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.__name__)
def test_settings_carry_no_defaults_of_their_own(stage):
    """The schema is the one place of every default: no field of a stage's settings has
    one, so none can drift from the schema's."""
    with_default = [f.name for f in dataclasses.fields(stage)
                    if f.default is not dataclasses.MISSING
                    or f.default_factory is not dataclasses.MISSING]
    assert with_default == []


def test_defaults_are_the_schemas():
    schema = yaml.safe_load((ROOT / "src/painstress/schemas/config.schema.yaml").read_text())
    de = schema["properties"]["de"]["properties"]
    defaults = DESettings.defaults()
    assert defaults.min_count == de["min_count"]["default"]
    assert defaults.inference == de["inference"]["default"]
    assert defaults.thresholds == Thresholds(
        **{k: v["default"] for k, v in de["thresholds"]["properties"].items()})
    assert defaults.library_qc == LibraryQC(
        **{k: v["default"] for k, v in de["library_qc"]["properties"].items()})
    pathways = schema["properties"]["pathways"]["properties"]
    assert PathwaySettings.defaults().max_size == pathways["max_size"]["default"]
    assert PathwaySettings.defaults().collections == tuple(pathways["collections"]["default"])
    overlap = schema["properties"]["overlap"]["properties"]
    assert OverlapSettings.defaults().permutations == overlap["permutations"]["default"]
    # changes apply on top of the defaults; the rest stays the schema's
    looser = Thresholds.defaults(modern_padj=0.1)
    assert looser.modern_padj == 0.1 and looser.paper_pvalue == defaults.thresholds.paper_pvalue


def test_settings_from_the_validated_config_as_rules_pass_them():
    """A rule's params are config sections; each stage reads its own, nested settings
    typed too, keys of other stages ignored."""
    config = yaml.safe_load((ROOT / "config/demo.yaml").read_text())
    config["de"] = {"min_count": 5, "thresholds": {"paper_pvalue": 0.01}}
    config = validate_config(config)
    de = DESettings.from_params(config["de"])
    assert de.min_count == 5 and de.covariates == ()
    assert DESettings.from_params({**config["de"], "covariates": ["sex"]}).covariates == ("sex",)
    assert de.thresholds == Thresholds(paper_pvalue=0.01, paper_fold_change=1.3,
                                       modern_padj=0.05)
    params = {**config["overlap"], "thresholds": config["de"]["thresholds"]}  # rule overlap
    overlap = OverlapSettings.from_params(params)
    assert overlap.thresholds == de.thresholds and overlap.seed == config["overlap"]["seed"]
    assert PathwaySettings.from_params(config["pathways"]) == PathwaySettings.defaults()
    with pytest.raises(InputError, match="DESettings: the setting 'min_count' is missing"):
        DESettings.from_params({k: v for k, v in config["de"].items() if k != "min_count"})


def test_significance_sentence_by_hand():
    strict = Thresholds(paper_pvalue=0.01, paper_fold_change=1.5, modern_padj=0.1)
    assert significance_sentence(strict) == "paper: p < 0.01, |FC| ≥ 1.5; modern: padj < 0.1"
    assert significance_sentence(strict, long=True) == (
        "paper (nominal p < 0.01 and |fold change| ≥ 1.5) and modern (BH padj < 0.1)")
    assert significance_rule(strict, "paper") == "p < 0.01, |FC| ≥ 1.5"
    assert significance_rule(strict, "modern", long=True) == "BH padj < 0.1"
    # a config section (a rule's params) reads the same as the typed thresholds
    section = {"paper_pvalue": 0.01, "paper_fold_change": 1.5, "modern_padj": 0.1}
    assert significance_sentence(section, long=True) == significance_sentence(strict, long=True)
    assert significance_sentence(Thresholds.defaults()) == (
        "paper: p < 0.05, |FC| ≥ 1.3; modern: padj < 0.05")
    with pytest.raises(ValueError, match="unknown significance definition 'nominal'"):
        significance_rule(strict, "nominal")


def test_de_functions_take_their_settings_instead_of_defaults():
    """The DE step's functions have no default for a config value: the caller passes the
    settings (the workflow's, or DESettings.defaults())."""
    from painstress.de import deseq2, parity

    config_parameters = {"min_count", "alpha", "engine", "thresholds", "qc", "settings"}
    for function in (deseq2.model_input, deseq2.fit, deseq2.results_table,
                     deseq2.analyse_contrast, deseq2.analyse_configured, deseq2.vst,
                     deseq2.new_data_set, deseq2.library_qc, parity.compare_results,
                     parity.compare_all):
        defaults = {name for name, p in inspect.signature(function).parameters.items()
                    if p.default is not inspect.Parameter.empty}
        assert not defaults & config_parameters, function.__name__


def _default(function, name):
    return inspect.signature(function).parameters[name].default


def test_defaults_left_in_other_stages_equal_the_schemas():
    """Defaults that remain outside the settings (keyword defaults of library functions,
    the demo generator's parameters) are the schema's."""
    from painstress.compare import orthologs, overlap, pathways, signatures
    from painstress.data.http import NETWORK_FIELDS, HttpSettings
    from painstress.demo.simulate import DemoParameters
    from painstress.figures.pathways import pathway_dotplot
    from painstress.samples import validate_sample_sheet

    path = settings.schema_defaults
    de, pw, sig = path("de"), path("pathways"), path("signatures")
    remaining = {
        (pathways.MIN_SIZE, pw["min_size"]), (pathways.MAX_SIZE, pw["max_size"]),
        (_default(pathways.gsea_prerank, "permutations"), pw["permutations"]),
        (_default(pathways.gsea_prerank, "seed"), pw["seed"]),
        (_default(pathways.gene_pathways, "padj_threshold"), pw["padj"]),
        (_default(pathways.themes_table, "padj_threshold"), pw["padj"]),
        (_default(pathway_dotplot, "padj_threshold"), pw["padj"]),
        (_default(signatures.read_signature_file, "one_to_one"), sig["one_to_one"]),
        (_default(orthologs.map_to_mouse, "one_to_one"), sig["one_to_one"]),
        (_default(orthologs.de_table_to_mouse, "one_to_one"), sig["one_to_one"]),
        (_default(overlap.overlap_tables, "bins"), path("overlap")["expression_bins"]),
        (_default(validate_sample_sheet, "min_replicates"), de["min_replicates"]),
    }
    assert all(ours == schema for ours, schema in remaining), remaining
    network = HttpSettings()  # how NCBI is reached: config ncbi
    assert {key: getattr(network, key) for key in NETWORK_FIELDS} == {
        key: path("ncbi")[key] for key in NETWORK_FIELDS}
    demo = path("simulate")
    generator = DemoParameters()
    assert {key: getattr(generator, key) for key in demo} == demo
