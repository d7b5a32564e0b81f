"""One typed settings object per stage, built from the validated config; defaults live in
the config schema only (``schemas/config.schema.yaml``).

Rules hand their stage's config section to their script as params (so Snakemake reruns
what a changed value changes); the script turns it into the stage's settings with
``<Stage>Settings.from_params(...)``. ``<Stage>Settings.defaults(**changes)`` builds the
schema's defaults (with ``changes``), for tests, benches and notebooks: no default is
written twice. :func:`significance_sentence` and :func:`significance_rule` are the one
place the two significance definitions are put in words (figure titles and legends,
captions, the overlap summary's rule column, the answer page and the methods text).

Only the standard library and PyYAML/jsonschema (which Snakemake itself brings) are
imported here: rule files may use this module while Snakemake builds the DAG.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass

from painstress import InputError


@functools.cache
def _schema_defaults() -> dict:
    """The whole config's defaults, as the schema fills them into an empty section."""
    import jsonschema

    from painstress.config import _with_defaults, read_schema, schema_file

    schema = read_schema(schema_file("config"))
    validator = _with_defaults(jsonschema.Draft202012Validator)
    defaults = {}
    for name, section in schema["properties"].items():
        if section.get("type") == "object" and "properties" in section:
            filled: dict = {}
            for _ in validator(section).iter_errors(filled):  # fills defaults as it walks
                pass
            defaults[name] = filled
    return defaults


def schema_defaults(section: str) -> dict:
    """A copy of config section ``section`` (``de``, ``overlap``, ``pathways``, …) as the
    schema's defaults fill it in; keys without a default are absent."""
    return copy.deepcopy(_schema_defaults()[section])


class _Settings:
    """What every stage's settings share: built from a mapping (a config section, a rule's
    params) by field name, nested settings included; other keys are ignored."""

    # where the stage's keys are in the config (and so their schema defaults): ("de",),
    # ("de", "thresholds")
    _section: typing.ClassVar[tuple[str, ...]]

    @classmethod
    def from_params(cls, params: Mapping):
        """The settings from ``params`` (a validated config section or a rule's params,
        e.g. ``snakemake.params.de``); a missing key is an InputError naming it."""
        hints = typing.get_type_hints(cls)
        values = {}
        for field in dataclasses.fields(cls):
            try:
                value = params[field.name]
            except (KeyError, TypeError, AttributeError):
                raise InputError(f"{cls.__name__}: the setting {field.name!r} is missing "
                                 f"(config section {'.'.join(cls._section)!r}); validate the "
                                 "config with painstress.config.validate_config first") from None
            kind = hints[field.name]
            if isinstance(kind, type) and issubclass(kind, _Settings):
                value = kind.from_params(value)
            elif kind is tuple or typing.get_origin(kind) is tuple:
                value = tuple(value)
            values[field.name] = value
        return cls(**values)

    @classmethod
    def defaults(cls, **changes):
        """The schema's defaults of this stage, with ``changes`` (field -> value)."""
        return dataclasses.replace(cls.from_params(cls._default_params()), **changes)

    @classmethod
    def _default_params(cls) -> dict:
        params = schema_defaults(cls._section[0])
        for key in cls._section[1:]:
            params = params[key]
        return params


@dataclass(frozen=True)
class Thresholds(_Settings):
    """Significance thresholds (config ``de.thresholds``): *paper*, nominal ``pvalue <
    paper_pvalue`` and ``|fold change| >= paper_fold_change``; *modern*, ``padj <
    modern_padj`` (also the alpha of DESeq2's independent filtering)."""

    _section = ("de", "thresholds")

    paper_pvalue: float
    paper_fold_change: float
    modern_padj: float


@dataclass(frozen=True)
class LibraryQC(_Settings):
    """Library-size gate before a fit (config ``de.library_qc``): a sample needs at least
    ``min_reads_fraction`` of the median sample's reads and ``min_genes_fraction`` of its
    detected genes (count > 0); failing samples stop the fit (``stop``) or are left out
    and recorded (``drop``)."""

    _section = ("de", "library_qc")

    min_reads_fraction: float
    min_genes_fraction: float
    on_fail: str


@dataclass(frozen=True)
class DESettings(_Settings):
    """The DE stage (config ``de``): design covariates, the inference engine, the
    prefilter's ``min_count``, ``min_replicates`` per group, the library-size gate and the
    significance thresholds."""

    _section = ("de",)

    covariates: tuple[str, ...]
    inference: str
    min_count: int
    min_replicates: int
    library_qc: LibraryQC
    thresholds: Thresholds


@dataclass(frozen=True)
class OverlapSettings(_Settings):
    """The pain × stress overlap (config ``overlap`` and ``de.thresholds``): the shuffles of
    the permutation p-values (``permutations``, 0 = none; within ``expression_bins``;
    ``seed``), the paper's reported count (or None) and the thresholds that made the lists."""

    _section = ("overlap",)

    permutations: int
    expression_bins: int
    seed: int
    reported: dict | None
    thresholds: Thresholds

    @classmethod
    def _default_params(cls) -> dict:
        return {**schema_defaults("overlap"), "thresholds": Thresholds._default_params()}


@dataclass(frozen=True)
class PathwaySettings(_Settings):
    """The pathway stage (config ``pathways``): collections, set sizes tested, the smallest
    mapped share, a term's significance (``padj``), GSEA's permutations and seed, and the
    themes (None: the paper's)."""

    _section = ("pathways",)

    collections: tuple[str, ...]
    min_size: int
    max_size: int
    min_mapped: float
    padj: float
    permutations: int
    seed: int
    themes: dict | None


# ------------------------------------------------------------------ the significance sentence


def significance_rule(thresholds: Thresholds | Mapping, definition: str, *,
                      long: bool = False) -> str:
    """One definition's rule in words: ``paper`` is "p < 0.05, |FC| ≥ 1.3" (long: "nominal
    p < 0.05 and |fold change| ≥ 1.3"), ``modern`` "padj < 0.05" (long: "BH padj <
    0.05"), with the configured thresholds."""
    if isinstance(thresholds, Mapping):
        thresholds = Thresholds.from_params(thresholds)
    if definition == "paper":
        p, fc = f"{thresholds.paper_pvalue:g}", f"{thresholds.paper_fold_change:g}"
        return f"nominal p < {p} and |fold change| ≥ {fc}" if long else f"p < {p}, |FC| ≥ {fc}"
    if definition == "modern":
        return f"{'BH ' if long else ''}padj < {thresholds.modern_padj:g}"
    raise ValueError(f"unknown significance definition {definition!r} (paper, modern)")


def significance_sentence(thresholds: Thresholds | Mapping, *, long: bool = False) -> str:
    """Both definitions in one sentence: "paper: p < 0.05, |FC| ≥ 1.3; modern: padj <
    0.05" (figure titles), or long: "paper (nominal p < 0.05 and |fold change| ≥ 1.3) and
    modern (BH padj < 0.05)" (captions, the answer page, methods)."""
    paper, modern = (significance_rule(thresholds, d, long=long) for d in ("paper", "modern"))
    return f"paper ({paper}) and modern ({modern})" if long else \
        f"paper: {paper}; modern: {modern}"
