"""Validate the workflow configuration and fill in its defaults.

The JSON Schema (``schemas/config.schema.yaml`` in this package, where the workflow reads it
too) checks shapes and types and holds the defaults; :func:`validate_config` adds the checks
a schema cannot express (names that must refer to each other) and turns every failure into
one :class:`painstress.InputError` that names the config file(s) and the key.

:func:`check_config_file` reads a config FILE strictly before any of that: YAML's silent
surprises (a key given twice, whose first value is dropped; tags that build Python objects;
anchors and aliases, whose expansion can make a small file enormous) are refused with the
line to fix. ``python -m painstress.config FILE…`` runs the same check from the shell.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from painstress import InputError
from painstress.samples import all_factors, contrast_datasets, dataset_factors


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


def schema_file(name: str = "config") -> Path:
    """The JSON Schema ``<name>.schema.yaml`` (config, samples) shipped in this package."""
    return Path(str(resources.files("painstress").joinpath("schemas", f"{name}.schema.yaml")))


# libyaml's loader where PyYAML was built with it (its wheels are): the config schema loads
# in 4 ms instead of 30, and every Snakemake start (each dry run, each cluster job) loads it
_SCHEMA_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_schema(path: str | Path) -> dict:
    """The JSON Schema in YAML file ``path``."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_SCHEMA_LOADER)


def validate_config(config: dict, schema_path: str | Path | None = None,
                    source: str = "config") -> dict:
    """Return a validated copy of ``config`` with defaults filled in and derived values
    completed (:func:`complete_config`); every problem is reported at once, as one
    :class:`InputError`. ``source`` names the config file(s) in error messages; the schema
    is the package's (:func:`schema_file`) unless ``schema_path`` is given."""
    config = complete_config(_schema_checked(config, schema_path, source))
    problems = config_problems(config)
    if problems:
        raise InputError(f"{source}: invalid configuration:\n  - " + "\n  - ".join(problems)
                         + "\nSee config/README.md for every key and its meaning.")
    return config


def _schema_checked(config: dict, schema_path: str | Path | None, source: str) -> dict:
    """A copy of ``config`` checked against the JSON Schema, with the schema's defaults."""
    path = Path(schema_path) if schema_path is not None else schema_file("config")
    try:
        schema = read_schema(path)
    except FileNotFoundError:  # never skip the checks: say what is missing
        raise InputError(f"{source}: cannot be checked: the config schema {path} is missing "
                         "(the painstress package was installed without its schemas/ folder; "
                         "reinstall it: pip install . in the workflow's folder)") from None
    config = copy.deepcopy(dict(config))
    validator = _with_defaults(jsonschema.Draft202012Validator)(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for error in errors:
            if "propertyNames" in error.absolute_schema_path:
                lines.append(_name_error(error))
            elif error.validator == "required":
                missing = error.message.split("'")[1]
                lines.append(f"key '{_key([*error.absolute_path, missing])}' is missing")
            elif error.validator == "anyOf" and "x-hint" in error.schema:
                # the alternative of the value's own kind says what is wrong inside it
                inner = [e.message for e in error.context
                         if isinstance(error.instance, dict) and e.validator != "type"]
                lines.append(f"key '{_key(error.absolute_path)}' = {error.instance!r}: "
                             + "; ".join(inner or [error.schema["x-hint"]]))
            elif error.validator == "oneOf":
                lines.append(f"key '{_key(error.absolute_path)}': give exactly one of "
                             + " or ".join(f"'{o['required'][0]}'" for o in error.validator_value))
            elif error.validator == "additionalProperties":
                lines.append(f"under '{_key(error.absolute_path)}': {error.message} "
                             "(misspelt key?)")
            elif error.validator == "pattern" and "x-hint" in error.schema:
                lines.append(f"key '{_key(error.absolute_path)}' = {error.instance!r}: "
                             f"{error.schema['x-hint']}")
            else:
                lines.append(f"key '{_key(error.absolute_path)}': {error.message}"
                             + _yaml_type_hint(error))
        raise InputError(f"{source}: invalid configuration:\n  - " + "\n  - ".join(lines)
                         + "\nSee config/README.md for every key and its meaning.")
    return config


# What YAML 1.1 turns into something other than text when left unquoted.
_UNQUOTED = ("YAML reads unquoted yes/no/on/off/true/false as true/false and null/~ as "
             "nothing; put it in quotes")


def _name_error(error) -> str:
    """A name (mapping key) the schema's ``propertyNames`` refused, in words."""
    where, name = _key(error.absolute_path), error.instance
    if not isinstance(name, str):
        return f"under '{where}': the name {name!r} is not text ({_UNQUOTED}, e.g. 'yes':)"
    return (f"under '{where}': the name {name!r} is not allowed: names become folder, file "
            "and column names, so use only letters, digits and _ (no '/', '.', spaces)")


def _yaml_type_hint(error) -> str:
    """Why a value has the wrong type, when YAML's reading of it is the likely cause."""
    if error.validator != "type":
        return ""
    wanted = error.validator_value if isinstance(error.validator_value, list) \
        else [error.validator_value]
    value = error.instance
    if "string" in wanted and (isinstance(value, bool) or value is None):
        return f" ({_UNQUOTED})"
    if "string" in wanted and not isinstance(value, (dict, list, int, float)):
        return " (YAML reads an unquoted date as a date; put it in quotes)"
    if "number" in wanted and isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return ""
        return (" (YAML 1.1 reads a number like 5e-8 without a '.' as text; "
                "write 5.0e-8)")
    return ""


def complete_config(config: dict) -> dict:
    """Fill in what the config leaves implicit (in place; returns ``config``): a contrast's
    regions (default: every region of its dataset), and ``{resources}`` in signature file
    paths (files a rule writes, such as the demo's, live under resources/<study>/)."""
    factors, datasets = config["samples"]["factors"], config["datasets"]
    for contrast in config["contrasts"]:
        named = [d for d in contrast_datasets(contrast) if d in datasets]
        if "regions" not in contrast:
            if named:  # every region of its dataset(s)
                contrast["regions"] = list(all_factors(
                    {}, {d: {"factors": dataset_factors(factors, datasets[d])}
                         for d in named})["region"])
            else:
                contrast["regions"] = list(factors["region"])
    for spec in config["signatures"]["sets"]:
        if "file" in spec:
            spec["file"] = spec["file"].replace("{resources}",
                                                f"resources/{config['study']['name']}")
    return config


def config_problems(config: dict) -> list[str]:
    """What a schema cannot check: names that must refer to each other, files that must
    exist, combinations that cannot work. One line per problem, naming the key.

    Names that become folder, file or column names are checked first; when one is unsafe,
    only those problems are returned (the other checks would repeat the bad names)."""
    problems = _name_problems(config) + _markup_problems(config)
    if problems:
        return problems
    sheet = config["samples"].get("sheet")
    if sheet is not None and not Path(sheet).is_file():
        problems.append(f"samples.sheet: {sheet} does not exist (looked for from {Path.cwd()}). "
                        "Write your sample sheet there, or leave samples.sheet out to infer "
                        "the sheet from the series matrices")
    factors = config["samples"]["factors"]
    datasets = config["datasets"]
    every = all_factors(factors, datasets)
    names = [c["name"] for c in config["contrasts"]]
    if len(set(names)) != len(names):
        problems.append("contrast names must be unique")
    for i, contrast in enumerate(config["contrasts"]):
        # A contrast of one dataset knows that dataset's levels; one without 'dataset' may
        # use any dataset's (the sample sheet check then refuses a mix of datasets).
        named = contrast_datasets(contrast)
        unknown = [d for d in named if d not in datasets]
        if unknown:
            which = "" if isinstance(contrast["dataset"], str) else \
                f" {', '.join(map(repr, unknown))}"
            problems.append(f"contrasts[{i}].dataset = {contrast['dataset']!r} names no "
                            f"dataset{which} ({', '.join(datasets)})")
            continue
        # a list of datasets: a level of any of them (each region takes one of them)
        dataset = named[0] if len(named) == 1 else None
        levels = dataset_factors(factors, datasets[dataset]) if dataset else (all_factors(
            {}, {d: {"factors": dataset_factors(factors, datasets[d])} for d in named})
            if named else every)

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
    problems += _count_problems(config)
    for name, spec in config["datasets"].items():
        if own_counts_only(spec):  # the user's counts and sample table: no GEO series
            continue
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


def own_counts_only(spec: dict) -> bool:
    """A dataset given as the user's count file and sample table, without a GEO series."""
    return isinstance(spec.get("counts"), dict) and bool(spec.get("metadata")) \
        and not spec.get("geo")


def _count_problems(config: dict) -> list[str]:
    """datasets.<name>.counts and .metadata: the files exist, and what each source needs."""
    import glob

    problems = []
    for name, spec in config["datasets"].items():
        counts, metadata = spec.get("counts", "auto"), spec.get("metadata")
        paths = [(f"datasets.{name}.metadata.file", metadata["file"])] if metadata else []
        if isinstance(counts, dict):
            paths += [(f"datasets.{name}.counts.{key}", counts[key])
                      for key in ("file", "tx2gene", "gtf") if counts.get(key)]
            if counts.get("format") in ("salmon", "kallisto") and not (
                    counts.get("tx2gene") or counts.get("gtf")):
                problems.append(f"datasets.{name}.counts: {counts['format']} output needs "
                                "tx2gene: PATH (transcript-to-gene table) or gtf: PATH")
            if not metadata and not spec.get("geo"):
                problems.append(f"datasets.{name}: your own counts need a sample table "
                                f"(datasets.{name}.metadata: {{file: …, id_column: …}}) or "
                                "the GEO series their columns are samples of (geo: GSE…)")
        for key, path in paths:
            found = glob.glob(path) if any(c in path for c in "*?[") else \
                ([path] if Path(path).exists() else [])
            if not found:
                problems.append(f"{key}: {path} does not exist (looked for from {Path.cwd()})")
        if counts == "supplementary" and config["source"] == "simulate":
            problems.append(f"datasets.{name}.counts: the simulated demo has no supplementary "
                            "files; use auto, ncbi or a file")
    return problems


# What pandas' table readers read back as a missing value by default (its STR_NA_VALUES):
# a level, dataset or contrast of that name would silently vanish from the tables.
NA_WORDS = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                      "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
                      "nan", "null"})


def path_name_problem(label: str, name, example: str = "descalzi2017") -> str | None:
    """The problem with ``name`` as a folder or file name (it must stay inside its folder),
    or None. ``label`` starts the message: the config key, and the name when it is a key."""
    if not isinstance(name, str):
        return f"{label}: {name!r} is not text ({_UNQUOTED})"
    if (not name or "/" in name or "\\" in name or ".." in name or name.startswith(".")
            or name != name.strip()):
        return (f"{label}: this name becomes a folder or file name and must stay inside its "
                "folder: no '/', no '..', not starting with '.' or a space "
                f"(e.g. {example!r})")
    return None


def _name_problems(config: dict) -> list[str]:
    """Names from the config that become folder, file or column names: each stays inside
    its folder, and none reads back as a missing value."""
    found = [path_name_problem(f"study.name = {config['study']['name']!r}",
                               config["study"]["name"])]

    def check(label, name, example):
        found.append(path_name_problem(label, name, example))
        if isinstance(name, str) and name in NA_WORDS:
            found.append(f"{label}: table readers read {name!r} back as a missing value, so "
                         "it would silently vanish from the result tables; rename it "
                         "(e.g. 'not_available')")

    factor_sets = [("samples.factors", config["samples"]["factors"])]
    for dataset, spec in config["datasets"].items():
        check(f"datasets: dataset name {dataset!r}", dataset, "pain")
        factor_sets.append((f"datasets.{dataset}.factors", (spec or {}).get("factors") or {}))
    for key, factors in factor_sets:
        for factor, levels in factors.items():
            check(f"{key}: factor name {factor!r}", factor, "sex")
            for level in levels or {}:
                check(f"{key}.{factor}: level {level!r}", level, "NAc")
    for i, contrast in enumerate(config["contrasts"]):
        check(f"contrasts[{i}].name = {contrast['name']!r}", contrast["name"], "SNI_vs_sham")
    for i, spec in enumerate(config["signatures"]["sets"]):
        check(f"signatures.sets[{i}].name = {spec['name']!r}", spec["name"], "MDD_male")
    for key, url in config.get("genesets", {}).items():
        name = url.rsplit("/", 1)[-1]  # the file name under resources/<study>/genesets/
        if path_name_problem(key, name):
            found.append(f"genesets.{key} = {url!r}: the download is saved under "
                         "resources/<study>/genesets/ as the last part of its address "
                         f"({name!r}), which must be a file name: give the address of the "
                         "file itself")
    return [problem for problem in found if problem]


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


# --------------------------------------------------------------------------- config files

MAX_CONFIG_BYTES = 1_000_000  # a config file is a few kilobytes
MAX_DEPTH = 40  # lists and mappings within each other; the schema needs six
_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(_YAML + name for name in ("str", "int", "float", "bool", "null",
                                                  "seq", "map"))
_NO_REFERENCES = ("anchors (&name) and aliases (*name) are not allowed in config files "
                  "(nested aliases make a few lines expand into billions of values): write "
                  "each value out where it is used")


class _DuplicateJSONKey(Exception):
    pass


def check_config_file(path: str | Path) -> None:
    """Read config file ``path`` strictly, without building a single value from it;
    raise :class:`InputError` naming the file and each line to fix.

    Refused: a key given twice in one mapping (YAML keeps the last value and drops the first
    silently), tags other than the plain ones (``!!python/…`` and the like build Python
    objects), anchors and aliases (config files need none, and nested aliases expand a few
    lines into billions of values: the "billion laughs"), nesting deeper than
    :data:`MAX_DEPTH`, more than one YAML document, ``__use_yte__`` (YTE templating runs
    the file's ``?`` expressions as Python code), and files larger than
    :data:`MAX_CONFIG_BYTES`. The work is bounded: YAML events are read one at a time
    (aliases are never expanded), and the key check runs only on a file without aliases.
    A file that is valid JSON is checked as JSON, as Snakemake reads it.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: config file not found (looked for from {Path.cwd()}). "
                         "Check the path, or start from a copy of config/config.yaml.") \
            from None
    except OSError as exc:
        raise InputError(f"{path}: config file cannot be read: {exc}.") from exc
    if len(data) > MAX_CONFIG_BYTES:
        raise InputError(f"{path}: is {len(data):,} bytes; a config file is a few kilobytes "
                         f"(at most {MAX_CONFIG_BYTES:,} accepted). Is this the right file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: is not UTF-8 text ({exc}); save it as UTF-8.") from exc
    problems = _json_problems(text)
    if problems is None:  # not JSON: YAML
        problems = _yaml_event_problems(text) or _yaml_mapping_problems(text)
    if problems:
        raise InputError(f"{path}: cannot be used as a config file:\n  - "
                         + "\n  - ".join(problems)
                         + "\nSee config/README.md for every key and its meaning.")


def _json_problems(text: str) -> list[str] | None:
    """Problems of a JSON config (keys given twice), or None when ``text`` is not JSON."""
    def refuse_duplicates(pairs):
        keys = [key for key, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise _DuplicateJSONKey(key)
        return dict(pairs)

    try:
        json.loads(text, object_pairs_hook=refuse_duplicates)
    except _DuplicateJSONKey as dup:
        key = dup.args[0]
        lines = [str(n) for n, line in enumerate(text.splitlines(), start=1)
                 if re.search(rf'"{re.escape(json.dumps(key)[1:-1])}"\s*:', line)]
        return [f"key {key!r} is given twice in one object (lines {' and '.join(lines)}); only "
                "the last value would be kept, without a word. Keep one."]
    except ValueError:
        return None
    return []


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_YAML):] if tag.startswith(_YAML) else tag


def _syntax_problem(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    return (f"{where}not valid YAML ({exc.problem or exc.context}). Indent with spaces, not "
            "tabs, and put a value that contains ': ' or starts with one of [ ] { } & * ! "
            "| > ' \" % @ ` in quotes.")


def _yaml_event_problems(text: str, limit: int = 10) -> list[str]:
    """Tags, anchors, aliases, depth and documents, from the YAML events (nothing is built;
    reading stops at ``limit`` problems)."""
    problems: list[str] = []
    depth = documents = 0
    references = False
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = f"line {event.start_mark.line + 1}"
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    problems.append(f"{line}: a second YAML document ('---'); a config file "
                                    "holds one mapping of keys. Remove the '---' line or "
                                    "split the file")
            elif isinstance(event, yaml.AliasEvent):
                references = True
                problem = f"{line}: alias *{event.anchor}"
                if problem not in problems:  # a line of ten aliases is one problem
                    problems.append(problem)
            elif isinstance(event, yaml.NodeEvent):
                if event.anchor is not None:
                    references = True
                    problems.append(f"{line}: anchor &{event.anchor}")
                if event.tag not in (None, "!") and event.tag not in _PLAIN_TAGS:
                    problems.append(f"{line}: tag {_tag_name(event.tag)}: config values are "
                                    "plain text, numbers, true/false, lists and mappings; "
                                    "remove the tag (a Python tag would build a Python object "
                                    "from the config)")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.append(f"{line}: lists and mappings nested more than "
                                    f"{MAX_DEPTH} deep; no config key needs that")
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if len(problems) >= limit:
                problems.append("(reading stopped here)")
                break
    except yaml.MarkedYAMLError as exc:
        problems.append(_syntax_problem(exc))
    return problems + ([_NO_REFERENCES] if references else [])


def _yaml_mapping_problems(text: str) -> list[str]:
    """Keys given twice, keys that are not names, YTE; on the node tree of a file that
    has no aliases (so the tree is as large as the file)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return [_syntax_problem(exc)]
    if root is None:
        return ["the file is empty; a config file needs at least study, source, datasets, "
                "contrasts and overlap"]
    if not isinstance(root, yaml.MappingNode):
        return [f"line {root.start_mark.line + 1}: the top level must be a mapping of keys "
                "(study:, source:, …), not a list or a single value"]
    constructor = yaml.constructor.SafeConstructor()
    problems: list[tuple[int, str]] = []
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack += [(item, f"{where}[{i}]") for i, item in enumerate(node.value)]
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        seen: dict = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _YAML + "merge":
                problems.append((line, f"line {line}: under '{where or '(top level)'}': a key "
                                       "must be a plain name (not a list, a mapping or '<<')"))
                continue
            key = constructor.construct_object(key_node)
            name = f"{where}.{key_node.value}" if where else key_node.value
            if key in seen:
                first, text = seen[key]
                same = "" if text == key_node.value else \
                    f"; YAML reads {text!r} and {key_node.value!r} as the same key"
                problems.append((line, f"line {line}: key '{name}' is given twice (lines "
                                       f"{first} and {line}{same}); YAML would keep the value "
                                       f"of line {line} and drop the other without a word. "
                                       "Keep one"))
            else:
                seen[key] = (line, key_node.value)
            if not where and key == "__use_yte__":
                problems.append((line, f"line {line}: '__use_yte__' turns on YTE templating, "
                                       "which runs the file's '?' expressions as Python code; "
                                       "config files of this workflow are plain data. Remove "
                                       "the key"))
            stack.append((value_node, name))
    return [message for _, message in sorted(problems)]


def _strings(value, path=()):
    """(key path, text) of every string in a config value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def _markup_problems(config: dict) -> list[str]:
    """Config text reaches HTML (report captions, the parameters the report lists inside a
    <script> block): '</' or '<!--' there could end a script and run what follows, so no
    config value may hold them."""
    return [f"key '{_key(path)}': holds {marker!r}, which the HTML report would read as "
            "markup (it could end a script block); remove it"
            for path, text in _strings(config)
            for marker in ("</", "<!--") if marker in text]


# The config keys no output depends on, each with why: changing one reruns nothing. Every
# other key reaches its rules as params or an input file (tests/test_config_reruns.py
# checks both, on the demo). Not `offline`: datasets.tsv says whether a PMID link was checked.
_NETWORK = "how NCBI is reached, not what it serves"
NO_OUTPUT_KEYS = {
    "ncbi.email": "a contact address sent with requests",
    "ncbi.eutils_url": _NETWORK,
    "ncbi.geo_url": _NETWORK,
    "ncbi.geo_ftp_url": _NETWORK,
    "ncbi.gene_url": _NETWORK,
    "ncbi.connect_timeout": _NETWORK,
    "ncbi.read_timeout": _NETWORK,
    "ncbi.retries": _NETWORK,
    "ncbi.backoff": _NETWORK,
    "reads.ena_url": "how ENA is reached, not the runs it lists",
    "reads.fastq_url": "where ENA's FASTQ files are served, not their content (checked by MD5)",
    "reads.threads": "the threads of a salmon job, not what it computes",
    "reads.mem_mb": "the memory of a salmon job, not what it computes",
    "reads.index_mem_mb": "the memory of the salmon index job, not what it computes",
}


def without_no_output_keys(config: dict) -> dict:
    """A copy of ``config`` without NO_OUTPUT_KEYS: what a rule that describes the whole
    analysis (the methods text) takes as params, so that those keys rerun nothing."""
    import copy

    kept = copy.deepcopy(config)
    for key in NO_OUTPUT_KEYS:
        *parents, leaf = key.split(".")
        section = kept
        for name in parents:
            section = section.get(name) if isinstance(section, dict) else None
        if isinstance(section, dict):
            section.pop(leaf, None)
    # Snakemake compares params as text: adding a no-output key to the config file (a new
    # `ncbi:` section, say) must not reorder what is left. Sections in name order; those
    # that held no-output keys sorted throughout. The others keep their order (datasets and
    # contrasts are described in the order the config gives them).
    touched = {key.split(".")[0] for key in NO_OUTPUT_KEYS}
    return {name: _sorted_keys(kept[name]) if name in touched else kept[name]
            for name in sorted(kept)}


def _sorted_keys(value):
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    return value


class NoOutputSettings(Mapping):
    """Read-only settings of NO_OUTPUT_KEYS (config ``ncbi``) for a rule's params: Snakemake
    records only params of plain types (dict, str, …) to decide reruns, so a change of these
    reruns nothing, while the job still reads them like a dict."""

    def __init__(self, settings: dict):
        self._settings = dict(settings)

    def __getitem__(self, key):
        return self._settings[key]

    def __iter__(self):
        return iter(self._settings)

    def __len__(self) -> int:
        return len(self._settings)

    def __repr__(self) -> str:
        return f"NoOutputSettings({self._settings!r})"


def main(argv: list[str] | None = None) -> int:
    """``python -m painstress.config FILE…``: check config files as the workflow does
    (file, then schema and cross-references); print ``FILE: ok`` or what is wrong, and exit
    non-zero when any is wrong. Useful when Snakemake itself stops on a config file ("Config
    file is not valid JSON or YAML", or a traceback for a missing file) or seems to hang
    reading it (nested aliases): it names the line.

    ``python -m painstress.config --results-dir FILE``: check FILE the same way and print
    only its results folder (``results/<study.name>``), for scripts such as the Makefile."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m painstress.config",
                                     description="Check workflow config files.")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="config files (default: config/config.yaml)")
    parser.add_argument("--results-dir", action="store_true",
                        help="print only the results folder of the one FILE")
    args = parser.parse_args(argv)
    files = args.files or ["config/config.yaml"]
    if args.results_dir and len(files) != 1:
        parser.error("--results-dir takes exactly one FILE")
    failed = 0
    for name in files:
        try:
            check_config_file(name)
            config = yaml.safe_load(Path(name).read_text(encoding="utf-8-sig"))
            config = validate_config(config, source=name)
        except InputError as error:
            print(error, file=sys.stderr)
            failed += 1
        else:
            print(f"results/{config['study']['name']}" if args.results_dir else f"{name}: ok")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
