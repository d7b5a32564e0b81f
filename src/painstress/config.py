"""Validate the workflow configuration and fill in its defaults.

The JSON Schema (``workflow/schemas/config.schema.yaml``) checks shapes and types and
holds the defaults; :func:`validate_config` adds the checks a schema cannot express
(names that must refer to each other) and turns every failure into one
:class:`painstress.InputError` that names the config file(s) and the key.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import yaml

from painstress import InputError
from painstress.samples import all_factors, dataset_factors


def _with_defaults(validator_class):
    """jsonschema validator that also fills in ``default`` values (the documented recipe)."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def _key(path) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def organism_of(config: dict, dataset: str) -> str:
    """A dataset's organism: ``datasets.<name>.organism``, default ``study.organism``."""
    return config["datasets"][dataset].get("organism") or config["study"]["organism"]


def validate_config(config: dict, schema_path: str | Path, source: str = "config") -> dict:
    """Return a validated copy of ``config`` with defaults filled in and derived values
    completed (:func:`complete_config`); every problem is reported at once, as one
    :class:`InputError`. ``source`` names the config file(s) in error messages."""
    config = complete_config(_schema_checked(config, schema_path, source))
    problems = config_problems(config)
    if problems:
        raise InputError(f"{source}: invalid configuration:\n  - " + "\n  - ".join(problems)
                         + "\nSee config/README.md for every key and its meaning.")
    return config


def _schema_checked(config: dict, schema_path: str | Path, source: str) -> dict:
    """A copy of ``config`` checked against the JSON Schema, with the schema's defaults."""
    schema = yaml.safe_load(Path(schema_path).read_text())
    config = copy.deepcopy(dict(config))
    validator = _with_defaults(jsonschema.Draft202012Validator)(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for error in errors:
            if error.validator == "required":
                missing = error.message.split("'")[1]
                lines.append(f"key '{_key([*error.absolute_path, missing])}' is missing")
            elif error.validator == "oneOf":
                lines.append(f"key '{_key(error.absolute_path)}': give exactly one of "
                             + " or ".join(f"'{o['required'][0]}'" for o in error.validator_value))
            elif error.validator == "additionalProperties":
                lines.append(f"under '{_key(error.absolute_path)}': {error.message} "
                             "(misspelt key?)")
            else:
                lines.append(f"key '{_key(error.absolute_path)}': {error.message}")
        raise InputError(f"{source}: invalid configuration:\n  - " + "\n  - ".join(lines)
                         + "\nSee config/README.md for every key and its meaning.")
    return config


def complete_config(config: dict) -> dict:
    """Fill in what the config leaves implicit (in place; returns ``config``): a contrast's
    regions (default: every region of its dataset), and ``{resources}`` in signature file
    paths (files a rule writes, such as the demo's, live under resources/<study>/)."""
    factors, datasets = config["samples"]["factors"], config["datasets"]
    for contrast in config["contrasts"]:
        dataset = contrast.get("dataset")
        if "regions" not in contrast:
            if dataset in datasets:
                contrast["regions"] = list(dataset_factors(factors, datasets[dataset])["region"])
            else:
                contrast["regions"] = list(factors["region"])
    for spec in config["signatures"]["sets"]:
        if "file" in spec:
            spec["file"] = spec["file"].replace("{resources}",
                                                f"resources/{config['study']['name']}")
    return config


def config_problems(config: dict) -> list[str]:
    """What a schema cannot check: names that must refer to each other, files that must
    exist, combinations that cannot work. One line per problem, naming the key."""
    problems = []
    factors = config["samples"]["factors"]
    datasets = config["datasets"]
    every = all_factors(factors, datasets)
    names = [c["name"] for c in config["contrasts"]]
    if len(set(names)) != len(names):
        problems.append("contrast names must be unique")
    for i, contrast in enumerate(config["contrasts"]):
        # A contrast of one dataset knows that dataset's levels; one without 'dataset' may
        # use any dataset's (the sample sheet check then refuses a mix of datasets).
        dataset = contrast.get("dataset")
        if dataset is not None and dataset not in datasets:
            problems.append(f"contrasts[{i}].dataset = {dataset!r} names no dataset "
                            f"({', '.join(datasets)})")
            continue
        levels = dataset_factors(factors, datasets[dataset]) if dataset else every

        def key(factor, dataset=dataset):  # where the levels of ``factor`` come from
            if dataset:
                own = factor in (datasets[dataset].get("factors") or {})
                return f"datasets.{dataset}.factors.{factor}" if own else \
                    f"samples.factors.{factor}"
            more = any(factor in (d.get("factors") or {}) for d in datasets.values())
            return f"samples.factors.{factor}" + (" or datasets.*.factors" if more else "")

        groups, regions = list(levels["group"]), list(levels["region"])
        for role in ("test", "reference"):
            if contrast[role] not in groups:
                problems.append(f"contrasts[{i}].{role} = {contrast[role]!r} is not a level of "
                                f"{key('group')} ({', '.join(groups)})")
        if contrast["test"] == contrast["reference"]:
            problems.append(f"contrasts[{i}]: test and reference are the same group")
        unknown = [r for r in contrast["regions"] if r not in regions]
        if unknown:
            problems.append(f"contrasts[{i}].regions: {', '.join(unknown)} not in "
                            f"{key('region')} ({', '.join(regions)})")
        for factor, level in (contrast.get("where") or {}).items():
            if factor in ("region", "group"):
                problems.append(f"contrasts[{i}].where.{factor}: use 'regions' or "
                                "'test'/'reference' for region and group")
            elif factor not in levels:
                problems.append(f"contrasts[{i}].where.{factor}: no factor {factor!r} for "
                                f"{'dataset ' + dataset if dataset else 'any dataset'} "
                                f"({', '.join(levels)})")
            elif level not in levels[factor]:
                problems.append(f"contrasts[{i}].where.{factor} = {level!r} is not a level of "
                                f"{key(factor)} ({', '.join(levels[factor])})")
    problems += _overlap_problems(config, names)
    signature_names = []
    for i, spec in enumerate(config["signatures"]["sets"]):
        if spec["name"] in signature_names:
            problems.append(f"signatures.sets[{i}].name = {spec['name']!r} is used twice")
        signature_names.append(spec["name"])
        if "contrast" in spec and spec["contrast"] not in names:
            problems.append(f"signatures.sets[{i}].contrast = {spec['contrast']!r} names no "
                            f"contrast ({', '.join(names)})")
        if ("file" in spec and not spec["file"].startswith("resources/")
                and not Path(spec["file"]).is_file()):
            problems.append(f"signatures.sets[{i}].file: {spec['file']} does not exist")
    for covariate in config["de"]["covariates"]:  # every dataset has the global factors
        if covariate not in factors or covariate in ("region", "group"):
            problems.append(f"de.covariates: {covariate!r} must be a factor in samples.factors "
                            "other than region and group")
    if config["source"] == "simulate":
        if sorted(config["datasets"]) != ["pain", "stress"]:
            problems.append("with source 'simulate', datasets must be exactly 'pain' and 'stress'")
        problems += [f"datasets.{name}.geo is required with source 'simulate'"
                     for name, spec in config["datasets"].items() if not spec.get("geo")]
    for name, spec in config["datasets"].items():
        if not spec.get("geo") and not spec.get("pmid", config["study"].get("pmid")):
            problems.append(f"datasets.{name}: give geo: GSE… or a PMID (study.pmid or "
                            f"datasets.{name}.pmid) to find it from")
        if config["offline"] and not spec.get("geo"):
            problems.append(f"datasets.{name}.geo is required with offline: true "
                            "(resolving a PMID needs the network)")
    sim = config["simulate"]
    if sim["min_replicates"] > sim["max_replicates"]:
        problems.append("simulate.min_replicates is larger than simulate.max_replicates")
    return problems


def _overlap_problems(config: dict, names: list[str]) -> list[str]:
    """The pain and stress contrasts must exist, differ, and share a region."""
    overlap = config["overlap"]
    problems = [f"overlap.{role} = {overlap[role]!r} names no contrast ({', '.join(names)})"
                for role in ("pain", "stress") if overlap[role] not in names]
    if problems:
        return problems
    if overlap["pain"] == overlap["stress"]:
        return [f"overlap.pain and overlap.stress are the same contrast ({overlap['pain']!r}): "
                "the overlap compares two different contrasts"]
    regions = {c["name"]: c["regions"] for c in config["contrasts"]}
    if not set(regions[overlap["pain"]]) & set(regions[overlap["stress"]]):
        return [f"overlap: contrasts {overlap['pain']!r} (regions "
                f"{', '.join(regions[overlap['pain']])}) and {overlap['stress']!r} (regions "
                f"{', '.join(regions[overlap['stress']])}) share no region to compare in"]
    return []
