"""The sample sheet: which GSM is which region and group.

Inferred from the series matrices' sample metadata with per-level regular expressions
from the config (``samples.factors``), or read from a user's override sheet; validated
either way against the counts and the contrasts before any model is fitted.

A sample sheet is a TSV with one row per sample and at least the columns
``sample`` (GSM), ``dataset``, ``region`` and ``group``; every further factor in the
config (e.g. ``sex``) is a column too, and ``title`` is kept for people to read.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from painstress import InputError
from painstress.data.ncbi_files import SeriesMatrix

REQUIRED_FACTORS = ("region", "group")
log = logging.getLogger(__name__)


def dataset_factors(factors: dict[str, dict[str, str]], spec: dict | None) -> dict:
    """The factors of one dataset: config ``samples.factors`` with the levels of every
    factor in the dataset's own ``factors`` replaced (or that factor added)."""
    return {**factors, **((spec or {}).get("factors") or {})}


def all_factors(factors: dict[str, dict[str, str]], datasets: dict | None) -> dict:
    """Every factor of any dataset -> the union of its levels (global levels first)."""
    merged = {factor: dict(levels) for factor, levels in factors.items()}
    for spec in (datasets or {}).values():
        for factor, levels in (spec.get("factors") or {}).items():
            merged.setdefault(factor, {}).update(levels)
    return merged


def contrast_samples(sheet: pd.DataFrame, contrast: dict, region: str) -> pd.DataFrame:
    """Rows of ``sheet`` a contrast uses in ``region``: its two groups, only its dataset
    (``contrast["dataset"]``) and only the levels in ``contrast["where"]``, when given."""
    keep = (sheet["region"] == region) & sheet["group"].isin([contrast["test"],
                                                              contrast["reference"]])
    if contrast.get("dataset"):
        keep &= sheet["dataset"] == contrast["dataset"]
    for factor, level in (contrast.get("where") or {}).items():
        keep &= sheet[factor] == level if factor in sheet.columns else False
    return sheet[keep]


def _describe(sample: pd.Series, fields: list[str]) -> str:
    return " | ".join(str(sample[f]) for f in fields if f in sample and str(sample[f]))


def _compile(factors: dict[str, dict[str, str]]) -> dict:
    return {factor: {level: re.compile(pattern, re.IGNORECASE)
                     for level, pattern in levels.items()}
            for factor, levels in factors.items()}


def infer_sample_sheet(matrices: dict[str, SeriesMatrix],
                       factors: dict[str, dict[str, str]],
                       fields: list[str],
                       datasets: dict | None = None) -> pd.DataFrame:
    """Assign every sample of every dataset one level of every factor.

    ``matrices`` maps dataset name -> parsed series matrix. ``factors`` maps factor ->
    {level: regex}; a level matches when its regex is found (case-insensitive) in the
    sample's ``fields`` (series-matrix columns such as ``characteristics_ch1``).
    ``datasets`` (config ``datasets``, optional): a dataset's ``factors`` replace (or add)
    factors for its samples (see :func:`dataset_factors`); a factor that a dataset lacks
    is left empty (""); its ``exclude`` regex leaves out (and logs) the samples whose
    searched text matches it.
    Exactly one level per factor must match, else InputError with a table of every
    sample that matched none or several, and the text that was searched.
    """
    datasets = datasets or {}
    columns = list(all_factors(factors, datasets))
    rows, problems = [], []
    for dataset, matrix in matrices.items():
        spec = datasets.get(dataset) or {}
        compiled = _compile(dataset_factors(factors, spec))
        exclude = re.compile(spec["exclude"], re.IGNORECASE) if spec.get("exclude") else None
        excluded = []
        for sample, meta in matrix.samples.iterrows():
            text = _describe(meta, fields)
            if exclude and exclude.search(text):
                excluded.append(sample)
                continue
            row = {"sample": sample, "dataset": dataset,
                   **{factor: "" for factor in columns if factor not in compiled}}
            for factor, levels in compiled.items():
                hits = [level for level, regex in levels.items() if regex.search(text)]
                if len(hits) == 1:
                    row[factor] = hits[0]
                else:
                    problems.append((sample, dataset, factor,
                                     ", ".join(hits) if hits else "(none)", text))
            row["title"] = meta.get("title", "")
            rows.append(row)
        if excluded:
            log.info("dataset %s: %d sample(s) left out by datasets.%s.exclude (%s): %s",
                     dataset, len(excluded), dataset, spec["exclude"], ", ".join(excluded))
    if problems:
        table = pd.DataFrame(problems, columns=["sample", "dataset", "factor", "matched",
                                                "searched text"])
        raise InputError(
            f"{len(table)} sample/factor pair(s) matched no level or several levels of "
            "config 'samples.factors' or 'datasets.<name>.factors' "
            f"(searched fields: {', '.join(fields)}):\n"
            f"{table.to_string(index=False)}\n"
            "Fix the level patterns in the config, or write the sample sheet yourself "
            "(config key 'samples.sheet') and the run will use it instead.")
    return pd.DataFrame(rows, columns=["sample", "dataset", *columns, "title"])


def read_sample_sheet(path: str | Path) -> pd.DataFrame:
    """Read a user's sample sheet (TSV; lines starting with ``#`` and blank lines ignored).

    The index holds each row's line number in the file (index name ``line``), so that
    :func:`validate_sample_sheet` can point at the line to fix. Every value stays text as
    written (``NA`` is a value, not a missing one); a UTF-8 byte-order mark (as some
    spreadsheets write) is ignored. Columns must be separated by tabs: a line that seems
    separated by spaces or commas is refused with that said.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        why = "UTF-16, as spreadsheets save 'Unicode text'" \
            if data[:2] in (b"\xff\xfe", b"\xfe\xff") else str(exc)
        raise InputError(f"{path}: is not UTF-8 text ({why}). "
                         "Save it as tab-separated UTF-8 text.") from exc
    kept = [(number, line) for number, line in enumerate(lines, start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        raise InputError(f"{path}: is empty (expected a header line and one line per sample).")
    number, first = kept[0]
    header = [c.strip() for c in first.split("\t")]
    if len(header) == 1:
        raise InputError(f"{path}: line {number}: the header {first.strip()!r} has a single "
                         f"column{_separator_hint(first)}. Columns must be separated by tabs "
                         "(header: sample, dataset, region, group, …).")
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise InputError(f"{path}: line {number}: column(s) {', '.join(map(repr, repeated))} "
                         "appear more than once in the header; keep one of each.")
    if len(kept) == 1:
        raise InputError(f"{path}: has a header (line {number}) but no sample lines.")
    rows = []
    for number, line in kept[1:]:
        values = [v.strip() for v in line.split("\t")]
        if len(values) != len(header):
            raise InputError(f"{path}: line {number} has {len(values)} tab-separated fields, "
                             f"the header has {len(header)}{_separator_hint(line)}. Columns "
                             "must be separated by tabs, one value per column.")
        rows.append(values)
    return pd.DataFrame(rows, columns=header,
                        index=pd.Index([n for n, _ in kept[1:]], name="line"))


def _separator_hint(line: str) -> str:
    """Why a line has too few tab-separated fields, when the cause shows."""
    fields = line.split("\t")
    if any(len(field.strip().split()) > 1 for field in fields):
        return " (values are separated by spaces, not tabs?)"
    if any("," in field or ";" in field for field in fields):
        return " (values are separated by commas or semicolons: a CSV file?)"
    return ""


def check_sample_sheet_file(path: str | Path) -> pd.DataFrame:
    """What can be checked of a user's sample sheet before any job runs (without the
    counts): it reads (:func:`read_sample_sheet`) and has the columns sample, region and
    group with a value on every line. The full check is :func:`validate_sample_sheet`."""
    sheet = read_sample_sheet(path)
    missing = [c for c in ("sample", "region", "group") if c not in sheet.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; a sample sheet "
                         "has the columns sample, region, group (and dataset, other factors).")
    for column in ("sample", "region", "group"):
        empty = sheet.index[sheet[column].astype(str).str.strip() == ""]
        if len(empty):
            raise InputError(f"{path}: line {empty[0]}: no {column}; every sample needs one.")
    return sheet


def validate_sample_sheet(sheet: pd.DataFrame, *, source: str,
                          factors: dict[str, dict[str, str]],
                          contrasts: list[dict],
                          dataset_samples: dict[str, list[str]],
                          min_replicates: int = 2,
                          datasets: dict | None = None) -> pd.DataFrame:
    """Check a sample sheet against the config and the counts; return it in canonical form.

    ``source`` names the sheet in messages (a file path, or "inferred from …").
    ``dataset_samples`` maps dataset -> GSM columns of its counts table. A sheet
    without a ``dataset`` column gets one from those columns. Checks: required columns;
    unique samples; every factor value a configured level; every sample present in
    exactly one dataset's counts; at least ``min_replicates`` samples per group in every
    region and contrast that will be fitted; both groups of a contrast in one dataset.
    ``datasets`` (config ``datasets``, optional): per-dataset factors (see
    :func:`dataset_factors`); a factor a dataset lacks must be empty for its samples.
    A contrast's samples are those of :func:`contrast_samples` (its ``dataset`` and
    ``where``, when given).
    """
    def fail(msg: str) -> None:
        raise InputError(f"{source}: {msg}")

    def line(idx) -> str:  # file line when read from a file, else the row number
        return f"line {idx}" if sheet.index.name == "line" else f"row {int(idx) + 1}"

    sheet = sheet.copy()
    datasets = datasets or {}
    every = all_factors(factors, datasets)
    missing = [c for c in ("sample", *every) if c not in sheet.columns]
    if missing:
        fail(f"missing column(s): {', '.join(missing)} "
             f"(expected: sample, dataset, {', '.join(every)}).")
    duplicated = sheet["sample"][sheet["sample"].duplicated()]
    if len(duplicated):
        fail(f"sample {duplicated.iloc[0]} is listed more than once "
             f"({line(duplicated.index[0])}).")
    per_dataset = any((spec or {}).get("factors") for spec in datasets.values())
    if not per_dataset:  # one set of levels for all: checked first, as it always was
        _check_levels(sheet, factors, None, fail, line)

    where = {s: d for d, samples in dataset_samples.items() for s in samples}
    for idx, sample in sheet["sample"].items():
        if sample not in where:
            fail(f"{line(idx)}: sample {sample} is in no counts table "
                 f"(datasets: {', '.join(dataset_samples)}).")
    if "dataset" not in sheet.columns:
        sheet.insert(1, "dataset", sheet["sample"].map(where))
    wrong = sheet[sheet["dataset"] != sheet["sample"].map(where)]
    if len(wrong):
        idx = wrong.index[0]
        fail(f"{line(idx)}: sample {sheet.at[idx, 'sample']} is said to be in dataset "
             f"{sheet.at[idx, 'dataset']!r} but its counts are in "
             f"{where[sheet.at[idx, 'sample']]!r}.")

    if per_dataset:
        for dataset, rows in sheet.groupby("dataset", sort=False):
            own = dataset_factors(factors, datasets.get(dataset))
            _check_levels(rows, own, datasets.get(dataset), fail, line)
            lacking = [f for f in every if f not in own]
            for factor in lacking:
                filled = rows[rows[factor].fillna("") != ""]
                if len(filled):
                    idx = filled.index[0]
                    fail(f"{line(idx)}: sample {sheet.at[idx, 'sample']} of dataset {dataset} "
                         f"has {factor} {sheet.at[idx, factor]!r}, but that dataset has no "
                         f"factor {factor} (leave it empty, or add it to config "
                         f"'datasets.{dataset}.factors').")

    for contrast in contrasts:
        for region in contrast["regions"]:
            used = contrast_samples(sheet, contrast, region)
            for group in (contrast["test"], contrast["reference"]):
                n = int((used["group"] == group).sum())
                if n < min_replicates:
                    fail(f"region {region}, group {group} (contrast {contrast['name']}) has "
                         f"{n} sample(s); at least {min_replicates} are needed to estimate "
                         "dispersion. Add samples, or drop the region from the contrast "
                         f"(config 'contrasts' -> {contrast['name']} -> regions).")
            if used["dataset"].nunique() > 1:
                fail(f"contrast {contrast['name']} in region {region} mixes datasets "
                     f"({', '.join(sorted(used['dataset'].unique()))}); test and reference "
                     "must come from the same series, or the contrast is confounded with batch "
                     f"(config 'contrasts' -> {contrast['name']} -> dataset picks one).")

    columns = ["sample", "dataset", *every]
    rest = [c for c in sheet.columns if c not in columns]
    return sheet[columns + rest].reset_index(drop=True)


def _check_levels(rows: pd.DataFrame, factors: dict, own: dict | None, fail, line) -> None:
    """Every value of every factor of ``rows`` is one of its configured levels; ``own``:
    the dataset's spec, to name the config key the levels come from."""
    for factor, levels in factors.items():
        for idx, value in rows[factor].items():
            if value not in levels:
                where = (f"'datasets.{rows.at[idx, 'dataset']}.factors.{factor}'"
                         if factor in ((own or {}).get("factors") or {}) else
                         f"'samples.factors.{factor}'")
                fail(f"{line(idx)}: sample {rows.at[idx, 'sample']} has "
                     f"{factor} {value!r}, which is not one of the configured levels "
                     f"({', '.join(levels)}). Use one of those, or add the level to "
                     f"config {where}.")
