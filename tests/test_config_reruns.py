"""Every config value an output depends on reaches its rule as params or an input file, so
changing it makes Snakemake rerun something (DESIGN: reliability rules).

Each leaf key of the config schema (painstress/schemas/config.schema.yaml) is changed to
another valid value on the finished CI run (conftest.ci_run) and ``snakemake --dry-run``
must plan a job beyond the methods text (which shows the whole config), except the keys
of painstress.config.NO_OUTPUT_KEYS, which must plan none (so that list cannot hide a real
dependency). All dry runs share this one Python process (Snakemake's API: a Snakemake
start costs seconds) and the run's own folder: a dry run writes no output.
"""
from __future__ import annotations

import copy
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from snakemake.api import SnakemakeApi
from snakemake.settings.types import (
    ConfigSettings,
    OutputSettings,
    Quietness,
    ResourceSettings,
)

from painstress.config import NO_OUTPUT_KEYS, schema_file, validate_config

REPO = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load(schema_file("config").read_text(encoding="utf-8"))

# Keys the CI demo cannot exercise, with why (the reads path needs salmon and a
# `counts: reads` dataset; own count files and sample tables need files the demo has not).
NOT_ON_DEMO = {
    **{f"datasets.*.counts.{k}": "the CI demo's counts are NCBI-style, not the user's own files"
       for k in ("file", "format", "tx2gene", "gtf")},
    **{f"datasets.*.metadata.{k}": "the CI demo's samples are described by its series matrix"
       for k in ("file", "id_column")},
    **{f"reads.{k}": "the CI demo has no `counts: reads` dataset (config/demo_reads.yaml has)"
       for k in ("download", "trim", "min_mapping_rate", "on_fail", "reference.name",
                 "reference.transcriptome", "reference.gtf", "reference.transcriptome_sha256",
                 "reference.gtf_sha256", "reference.kmer", "simulate.genes",
                 "simulate.reads_per_sample")},
    **{key: "the CI demo's samples have no factor besides region and group"
       for key in ("contrasts.*.where", "de.covariates")},
}


def _swap(section, first, second):
    """Two keys changed together: their values swapped (a contrast's groups, the overlap's
    contrasts)."""
    def change(config):
        item = config[section][0] if section == "contrasts" else config[section]
        item[first], item[second] = item[second], item[first]
    return change


def _rename_contrast(config):
    old = config["contrasts"][0]["name"]
    config["contrasts"][0]["name"] = f"{old}_2"
    for role in ("pain", "stress"):
        if config["overlap"][role] == old:
            config["overlap"][role] = f"{old}_2"


def _file_set_to_contrast(config):
    spec = next(s for s in config["signatures"]["sets"] if "file" in s)
    del spec["file"]
    spec["contrast"] = config["overlap"]["stress"]


_FACTORS = copy.deepcopy(SCHEMA["properties"]["samples"]["properties"]["factors"]["default"])
_FACTORS["group"]["SNI"] += "|SNI"  # the default, one pattern widened

# Another valid value for keys the generic rule (_other_value) cannot change validly: a value,
# or a function changing the config (keys that must change together).
CHANGES = {
    "study.name": "ci_renamed",
    "study.pmid": 28246255,
    "study.organism": "Homo sapiens",
    "datasets.*.geo": "GSE000003",
    "datasets.*.platform": "GPL1",
    "datasets.*.pmid": 28246255,
    "datasets.*.organism": "Homo sapiens",
    "datasets.*.factors": {"group": {"SNI": r"spared nerve|\bSNI\b|SNI", "sham": r"\bsham\b"}},
    "datasets.*.exclude": "GSM9999999",
    "samples.match_fields": ["characteristics_ch1"],
    "samples.factors": _FACTORS,
    "contrasts.*.name": _rename_contrast,
    "contrasts.*.test": _swap("contrasts", "test", "reference"),
    "contrasts.*.reference": _swap("contrasts", "test", "reference"),
    "contrasts.*.regions": ["NAc", "mPFC"],
    "contrasts.*.dataset": "pain",
    "overlap.pain": _swap("overlap", "pain", "stress"),
    "overlap.stress": _swap("overlap", "pain", "stress"),
    "signatures.rrho_step": 25,
    "signatures.sets.*.name": "depression_human_2",
    "signatures.sets.*.contrast": _file_set_to_contrast,
    "signatures.sets.*.file": "{resources}/signatures/random_control.gmt",
    "signatures.sets.*.gwas_catalog.traits": ["EFO_0003761"],
    "signatures.sets.*.mgi.terms": ["MP:0001363"],
    "signatures.sets.*.diseases.doid": "DOID:1596",
    "pathways.collections": ["GO_BP", "hallmark"],
    "pathways.themes": {"immune": ["immune"]},
}
# The methods text describes the whole analysis and takes the whole config (rule methods),
# so every change reruns it: a key must rerun something else too, unless only that text
# shows it.
METHODS_TEXT = {"methods.md", "methods.html"}
METHODS_ONLY = {
    "signatures.sets.*.citation": "a signature's citation is for the methods text only",
    "signatures.sets.*.description": "a signature's description is for the methods text only",
}


def leaf_keys(node=SCHEMA, path=()):
    """Dotted keys of the schema's leaves, with ``*`` for an item of a list or mapping of
    objects (contrasts, datasets, signature sets); yields (key, schema of the leaf)."""
    if "properties" in node:
        for name, sub in node["properties"].items():
            yield from leaf_keys(sub, (*path, name))
        for alternative in node.get("anyOf", []):  # datasets.*.counts: {file: …}
            yield from leaf_keys(alternative, path)
        return
    items = node.get("items") if node.get("type") == "array" else node.get("additionalProperties")
    if isinstance(items, dict) and "properties" in items:
        yield from leaf_keys(items, (*path, "*"))
        return
    yield ".".join(path), node
    for alternative in node.get("anyOf", []):
        if "properties" in alternative:
            yield from leaf_keys(alternative, path)


LEAVES = dict(leaf_keys())


def _holder(config, parts):
    """The dict holding the leaf ``parts[-1]`` (created when absent); ``*`` takes the first
    item (of a list or mapping) that has the rest of the path, else the first item."""
    node = config
    for i, part in enumerate(parts[:-1]):
        if part == "*":
            items = list(node.values()) if isinstance(node, dict) else node
            node = next((item for item in items if parts[i + 1] in item), items[0])
        else:
            if not isinstance(node.get(part), (dict, list)):  # absent or null
                node[part] = {}
            node = node[part]
    return node


def _other_value(key, schema, current):
    """Another value the schema allows: a flipped boolean, another enum member, a nudged
    number within the bounds, a changed string; None when this rule cannot tell."""
    enum = schema.get("enum") or next(
        (alt["enum"] for alt in schema.get("anyOf", []) if "enum" in alt), None)
    if enum:
        return next(member for member in enum if member != current)
    if isinstance(current, bool):
        return not current
    if isinstance(current, int):
        return current + 1 if current + 1 <= schema.get("maximum", current + 1) else current - 1
    if isinstance(current, float):
        bigger = current * 1.5 or 0.5
        return bigger if bigger <= schema.get("maximum", bigger) else current / 2
    if current is None and schema.get("type") == "string":  # a key the config leaves out
        current = ""
    if isinstance(current, str) and "pattern" not in schema:
        if current.startswith("http"):  # another file name: a cached copy is named by it
            path = urlsplit(current).path
            changed = re.sub(r"(\.[A-Za-z]+(\.gz)?)?$", r"_v2\1", path, count=1)
            return current.replace(path, changed) if path else f"{current}/v2"
        return f"{current} (changed)" if current else "changed"
    return None


def changed_config(config, defaults, key, changes=CHANGES):
    """``config`` with ``key`` changed to another valid value (``defaults``: the config with
    the schema's defaults filled in, for keys the config leaves out). The workflow checks
    the config, so a value it refuses fails that key's test."""
    config = copy.deepcopy(config)
    change = changes.get(key)
    parts = key.split(".")
    if callable(change):
        change(config)
        return config
    if key not in changes:
        current = _holder(copy.deepcopy(defaults), parts).get(parts[-1])
        change = _other_value(key, LEAVES[key], current)
        assert change is not None, f"{key}: give another valid value in CHANGES"
    _holder(config, parts)[parts[-1]] = copy.deepcopy(change)
    return config


def planned_outputs(workdir, configfile) -> list[str]:
    """The outputs of the jobs ``snakemake --dry-run`` plans in ``workdir``."""
    settings = OutputSettings(dryrun=True, quiet={Quietness.RULES, Quietness.PROGRESS})
    with SnakemakeApi(settings) as api:
        workflow = api.workflow(
            resource_settings=ResourceSettings(cores=1),
            config_settings=ConfigSettings(configfiles=[Path(configfile)]),
            snakefile=REPO / "Snakefile",
            workdir=Path(workdir),
        )
        planned = []
        workflow.dag().execute_workflow(executor="dryrun", updated_files=planned)
    return planned


def _snapshot(workdir):
    """Every file of the run's results, resources and Snakemake records: size, mtime."""
    return {
        str(path): (path.stat().st_size, path.stat().st_mtime_ns)
        for folder in ("results", "resources", ".snakemake/metadata")
        for path in sorted((Path(workdir) / folder).rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def dry_runs(ci_run, tmp_path_factory):
    """key -> outputs planned (or the error) after changing the key on the finished run."""
    workdir, configfile = ci_run
    folder = tmp_path_factory.mktemp("config_reruns")
    config = yaml.safe_load(Path(configfile).read_text())
    defaults = validate_config(config)
    sheet = folder / "samples.tsv"  # a sheet saying what inference said
    sheet.write_bytes((Path(workdir) / "results" / "ci" / "samples.tsv").read_bytes())
    changes = {**CHANGES, "samples.sheet": str(sheet)}
    before = _snapshot(workdir)
    start = time.monotonic()
    runs = {"(unchanged)": planned_outputs(workdir, configfile)}
    for key in LEAVES:
        if key in NOT_ON_DEMO:
            continue
        path = folder / f"{key.replace('*', 'first')}.yaml"
        changed = changed_config(config, defaults, key, changes)
        path.write_text(yaml.safe_dump(changed, sort_keys=False))
        try:
            runs[key] = planned_outputs(workdir, path)
        except Exception as error:  # noqa: BLE001 - reported by the key's test
            runs[key] = error
    runs["(seconds)"] = time.monotonic() - start
    print(f"{len(runs) - 2} dry runs in {runs['(seconds)']:.0f} s")
    runs["(written)"] = {
        path: change for path, change in _snapshot(workdir).items() if before.get(path) != change
    }
    return runs


@pytest.mark.workflow
@pytest.mark.xdist_group("dry_runs")  # the tests reading dry_runs on one worker: made once
def test_dry_runs_write_nothing_and_the_finished_run_plans_nothing(dry_runs):
    assert dry_runs["(unchanged)"] == []
    assert dry_runs["(written)"] == {}


def test_every_leaf_key_is_checked_or_listed_with_a_reason():
    lists = [NO_OUTPUT_KEYS, NOT_ON_DEMO, METHODS_ONLY]
    listed = [key for keys in lists for key in keys]
    assert not set(listed) - set(LEAVES), "a listed key the schema does not have"
    assert len(listed) == len(set(listed)), "a key is listed twice"
    assert all(reason.strip() for keys in lists for reason in keys.values())


@pytest.mark.workflow
@pytest.mark.xdist_group("dry_runs")
@pytest.mark.parametrize("key", [key for key in LEAVES if key not in NOT_ON_DEMO])
def test_changing_a_key_reruns_what_depends_on_it(dry_runs, key):
    planned = dry_runs[key]
    assert not isinstance(planned, Exception), f"{key}: the changed config fails: {planned}"
    beyond_methods = [path for path in planned if Path(path).name not in METHODS_TEXT]
    if key in NO_OUTPUT_KEYS:
        assert beyond_methods == [], f"{key} is listed as affecting no output, yet reruns " \
            f"{beyond_methods}"
    elif key in METHODS_ONLY:
        assert planned and not beyond_methods, f"{key}: {planned}"
    else:
        assert beyond_methods, f"{key}: changing it reruns nothing but the methods text " \
            "(no params or input file of a rule carries it)"


@pytest.mark.workflow
@pytest.mark.xdist_group("dry_runs")
def test_keys_affecting_no_output_rerun_not_even_the_methods_text(dry_runs):
    assert {key: dry_runs[key] for key in NO_OUTPUT_KEYS if dry_runs.get(key)} == {}
