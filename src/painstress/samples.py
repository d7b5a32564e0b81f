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

from painstress import InputError, lazy_module
from painstress.data.ncbi_files import SeriesMatrix

pd = lazy_module("pandas")

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


def contrast_datasets(contrast: dict) -> list[str]:
    """A contrast's ``dataset``: one name, or names in order of preference, as a list
    ([] when the contrast names none)."""
    dataset = contrast.get("dataset")
    if not dataset:
        return []
    return [dataset] if isinstance(dataset, str) else list(dataset)


# A dataset can give a contrast's arm in a region when it holds this many samples of each
# group there: the fewest with which DESeq2 can estimate a dispersion.
ARM_MIN_SAMPLES = 2


def _candidates(sheet: pd.DataFrame, contrast: dict, region: str) -> pd.DataFrame:
    """Rows of ``region`` in the contrast's two groups and its ``where`` levels."""
    keep = (sheet["region"] == region) & sheet["group"].isin([contrast["test"],
                                                              contrast["reference"]])
    for factor, level in (contrast.get("where") or {}).items():
        keep &= sheet[factor] == level if factor in sheet.columns else False
    return sheet[keep]


def choose_dataset(sheet: pd.DataFrame, contrast: dict, region: str) -> str | None:
    """The dataset a contrast takes its samples from in ``region``.

    ``dataset: name`` is that dataset; ``dataset: [a, b, …]`` (order of preference) is the
    first that holds at least :data:`ARM_MIN_SAMPLES` samples of both groups in ``region``,
    or None when none does (the contrast has no arm there and is not fitted there); no
    ``dataset``: None (every dataset's samples are used).
    """
    if isinstance(contrast.get("dataset"), str):
        return contrast["dataset"]
    rows = _candidates(sheet, contrast, region)
    for dataset in contrast_datasets(contrast):
        groups = rows.loc[rows["dataset"] == dataset, "group"]
        if all((groups == g).sum() >= ARM_MIN_SAMPLES
               for g in (contrast["test"], contrast["reference"])):
            return dataset
    return None


def contrast_samples(sheet: pd.DataFrame, contrast: dict, region: str) -> pd.DataFrame:
    """Rows of ``sheet`` a contrast uses in ``region``: its two groups, only the levels in
    ``contrast["where"]`` when given, and only the dataset :func:`choose_dataset` gives
    (none for a list of datasets none of which holds both groups there)."""
    rows = _candidates(sheet, contrast, region)
    if contrast.get("dataset"):
        rows = rows[rows["dataset"] == choose_dataset(sheet, contrast, region)]
    return rows


def contrast_arms(sheet: pd.DataFrame, contrasts: list[dict],
                  origins: dict[str, str] | None = None) -> pd.DataFrame:
    """Where every contrast takes its samples from, per region (``arms.tsv``).

    One row per contrast and region of ``contrast["regions"]``: the dataset and the GEO
    series of its samples (the sheet's ``series`` column, when it has one), how many
    samples per group, ``origin`` (``origins``: dataset -> "this study" or the other
    study's citation) and a ``note`` that says when the first dataset named was passed
    over, or when no dataset holds both groups (``dataset`` empty: not fitted there).
    """
    rows = []
    for contrast in contrasts:
        test, reference = contrast["test"], contrast["reference"]
        named = contrast_datasets(contrast)
        for region in contrast["regions"]:
            used = contrast_samples(sheet, contrast, region)
            datasets = sorted(used["dataset"].unique())
            dataset = ",".join(datasets)
            if not datasets and isinstance(contrast.get("dataset"), list):
                note = (f"no arm: none of {', '.join(named)} holds >= {ARM_MIN_SAMPLES} "
                        f"{test} and >= {ARM_MIN_SAMPLES} {reference} samples in {region}; "
                        "not fitted there")
            elif len(named) > 1 and dataset != named[0]:
                passed = named[:named.index(dataset)]
                note = (f"fallback: {', '.join(passed)} holds fewer than {ARM_MIN_SAMPLES} "
                        f"{test} or {reference} samples in {region}")
            else:
                note = ""
            series = (sorted(used["series"].dropna().astype(str).unique())
                      if "series" in used.columns else [])
            rows.append({"contrast": contrast["name"], "region": region, "dataset": dataset,
                         "series": ",".join(series),
                         "n_test": int((used["group"] == test).sum()),
                         "n_reference": int((used["group"] == reference).sum()),
                         "origin": "; ".join(dict.fromkeys(
                             (origins or {}).get(d, "") for d in datasets)),
                         "note": note})
    return pd.DataFrame(rows, columns=["contrast", "region", "dataset", "series", "n_test",
                                       "n_reference", "origin", "note"])


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

    ``matrices`` maps dataset name -> parsed series matrix (or a list of them, for a
    dataset that pools several series). ``factors`` maps factor ->
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
    # a dataset may pool several series (all of its PMID's): a list of matrices
    pairs = [(dataset, matrix) for dataset, found in matrices.items()
             for matrix in (found if isinstance(found, list) else [found])]
    for dataset, matrix in pairs:
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


def check_sample_sheet_file(path: str | Path, factors: dict[str, dict[str, str]] | None = None,
                            datasets: dict | None = None) -> pd.DataFrame:
    """What can be checked of a user's sample sheet before any job runs (without the
    counts): it reads (:func:`read_sample_sheet`) and has the columns sample, region and
    group with a value on every line; given the config's ``factors`` (and ``datasets``),
    every line's checks of :func:`validate_sample_sheet` that need no counts too: every
    factor has its column, each sample is listed once, every value is a configured level
    (of the sample's dataset, when the sheet has a ``dataset`` column that names one of
    ``datasets``). What needs the counts (every sample in them, replicates per contrast) is
    left to :func:`validate_sample_sheet`."""
    sheet = read_sample_sheet(path)
    missing = [c for c in ("sample", "region", "group") if c not in sheet.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; a sample sheet "
                         "has the columns sample, region, group (and dataset, other factors).")
    for column in ("sample", "region", "group"):
        empty = sheet.index[sheet[column].astype(str).str.strip() == ""]
        if len(empty):
            raise InputError(f"{path}: line {empty[0]}: no {column}; every sample needs one.")
    if factors is None:
        return sheet

    def fail(msg: str) -> None:
        raise InputError(f"{path}: {msg}")

    datasets = datasets or {}
    _check_rows(sheet, factors, datasets, fail, _file_line)
    if _per_dataset(datasets) and "dataset" in sheet.columns:
        unknown = sheet[~sheet["dataset"].isin(list(datasets))]
        if len(unknown):
            idx = unknown.index[0]
            fail(f"line {idx}: sample {sheet.at[idx, 'sample']} has dataset "
                 f"{sheet.at[idx, 'dataset']!r}, which is not a dataset of the config "
                 f"({', '.join(datasets)}).")
        _check_dataset_levels(sheet, factors, datasets, fail, _file_line)
    return sheet


def _file_line(idx) -> str:
    return f"line {idx}"


def _per_dataset(datasets: dict) -> bool:
    """Whether some dataset has factor levels of its own."""
    return any((spec or {}).get("factors") for spec in datasets.values())


def _check_rows(sheet: pd.DataFrame, factors: dict, datasets: dict, fail, line) -> None:
    """The checks of a sheet that need neither counts nor datasets: a column for every
    factor, each sample once and, when no dataset has levels of its own, every value one
    of its factor's levels."""
    every = all_factors(factors, datasets)
    missing = [c for c in ("sample", *every) if c not in sheet.columns]
    if missing:
        fail(f"missing column(s): {', '.join(missing)} "
             f"(expected: sample, dataset, {', '.join(every)}).")
    duplicated = sheet["sample"][sheet["sample"].duplicated()]
    if len(duplicated):
        fail(f"sample {duplicated.iloc[0]} is listed more than once "
             f"({line(duplicated.index[0])}).")
    if not _per_dataset(datasets):  # one set of levels for all
        _check_levels(sheet, factors, None, fail, line)


def _check_dataset_levels(sheet: pd.DataFrame, factors: dict, datasets: dict, fail,
                          line) -> None:
    """Every value a level of its factor for the sample's dataset (column ``dataset``),
    and empty for a factor the dataset lacks."""
    every = all_factors(factors, datasets)
    for dataset, rows in sheet.groupby("dataset", sort=False):
        own = dataset_factors(factors, datasets.get(dataset))
        _check_levels(rows, own, datasets.get(dataset), fail, line)
        for factor in [f for f in every if f not in own]:
            filled = rows[rows[factor].fillna("") != ""]
            if len(filled):
                idx = filled.index[0]
                fail(f"{line(idx)}: sample {sheet.at[idx, 'sample']} of dataset {dataset} "
                     f"has {factor} {sheet.at[idx, factor]!r}, but that dataset has no "
                     f"factor {factor} (leave it empty, or add it to config "
                     f"'datasets.{dataset}.factors').")


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
    ``where``, when given); a contrast naming datasets in order of preference is checked
    in the regions where one of them holds both groups (the others have no arm:
    :func:`contrast_arms`), and refused when that is none of its regions.
    """
    def fail(msg: str) -> None:
        raise InputError(f"{source}: {msg}")

    def line(idx) -> str:  # file line when read from a file, else the row number
        return f"line {idx}" if sheet.index.name == "line" else f"row {int(idx) + 1}"

    sheet = sheet.copy()
    datasets = datasets or {}
    every = all_factors(factors, datasets)
    _check_rows(sheet, factors, datasets, fail, line)

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

    if _per_dataset(datasets):
        _check_dataset_levels(sheet, factors, datasets, fail, line)

    for contrast in contrasts:
        chooses = isinstance(contrast.get("dataset"), list)
        arms = [r for r in contrast["regions"] if len(contrast_samples(sheet, contrast, r))]
        if chooses and not arms:
            fail(f"contrast {contrast['name']}: none of the datasets "
                 f"{', '.join(contrast['dataset'])} holds >= {ARM_MIN_SAMPLES} "
                 f"{contrast['test']} and >= {ARM_MIN_SAMPLES} {contrast['reference']} "
                 f"samples in any of its regions ({', '.join(contrast['regions'])}). Check "
                 "the group patterns (config 'samples.factors') against the samples' text.")
        for region in (arms if chooses else contrast["regions"]):  # no arm: arms.tsv says so
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
