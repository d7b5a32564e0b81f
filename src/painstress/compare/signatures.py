"""External gene signatures (e.g. depression/anxiety gene sets) read into one mouse form.

A signature file lives in ``config/signatures/`` and is either a TSV table or a GMT
file (decided by the name: ``*.gmt`` or ``*.gmt.gz`` is GMT, anything else TSV; gzip is
recognised by content). Both may start with header lines ``# key: value``:

==============  ========  ==================================================
key             required  meaning
==============  ========  ==================================================
``source``      yes       where the genes come from (paper, table, database)
``citation``    no        reference (DOI, PMID, URL)
``organism``    no        ``mouse`` (default) or ``human`` (or the Latin names)
``id_type``     no        ``symbol`` (default) or ``GeneID`` (NCBI Entrez)
``name``        no        TSV without a ``signature`` column: the signature's
                          name (default: the file name without extensions)
``description`` no        free text
==============  ========  ==================================================

Lines starting with ``##``, and ``#`` lines without ``key:`` (or starting with a URL),
are comments. Keys are checked: an unknown key is an error (a typo such as ``orgnism``
would otherwise make a human list silently "mouse").

Names (``name``, the ``signature`` column, GMT set names) must start with a letter or digit
and hold only letters, digits and ``_ . + -``: they end up in file names and tables.

*TSV*: after the header lines, a tab-separated table with a column ``gene`` and
optionally ``direction`` (``up``/``down``/``+1``/``-1``/``1``), ``log2FC`` or ``score``
(one of the two), and ``signature`` (several signatures in one file). Without a
``direction`` column, the sign of ``log2FC`` gives it; with neither, the signature is
undirected (direction 0). A ``score`` is kept as given and never sets a direction.
``#`` lines inside the table are skipped (to comment out a gene). Extra columns are
ignored.

*GMT* (MSigDB): one set per line, ``name<TAB>description<TAB>gene<TAB>gene…``. Sets named
``X_UP`` and ``X_DN`` (or ``X_DOWN``) become one signed signature ``X``; other sets are
undirected.

Genes are mapped to the study's mouse genes with :func:`painstress.compare.orthologs.map_to_mouse`
(human lists through NCBI orthologs, one-to-one by default); the mapping counts are kept
in each signature's ``meta``. Two input genes that land on one mouse gene keep the first
(same direction) or are both dropped (opposite directions, counted as ``n_conflicting``).

:func:`curated_signature` writes such a file from a curated public source (GWAS Catalog,
MGI phenotypes, DISEASES).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from painstress import InputError
from painstress.compare.orthologs import UNMAPPED_REASONS, map_to_mouse
from painstress.data import genesets
from painstress.data.genesets import STYLE_TEXT, parse_gmt_line, symbol_style
from painstress.data.http import provenance_note
from painstress.files import FLOAT_FORMAT, read_text, refuse_html, write_text

log = logging.getLogger(__name__)

HEADER_KEYS = ("source", "citation", "organism", "id_type", "name", "description")
ORGANISMS = {"mouse": "mouse", "mus musculus": "mouse", "human": "human",
             "homo sapiens": "human"}
ID_TYPES = {"symbol": "symbol", "geneid": "GeneID"}
DIRECTIONS = {"up": 1, "+1": 1, "1": 1, "down": -1, "-1": -1}
MISSING_SCORE = {"", "na", "nan", "n/a"}
GMT_SUFFIXES = (("_UP", 1), ("_DOWN", -1), ("_DN", -1))
# Names end up in file names and report tables: keep them to safe characters.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
# "# key: value"; a comment starting with a URL ("# https://…") is not a key.
HEADER_LINE = re.compile(r"^#\s*([A-Za-z_][A-Za-z0-9_]*)\s*:(?!//)\s*(.*?)\s*$")
GENE_COLUMNS = ["GeneID", "symbol", "direction", "score"]
META_COLUMNS = ["file", "format", "source", "citation", "organism", "id_type",
                "description", "one_to_one", "n_input", "n_mapped", "mapping_rate",
                "mapped_share", "symbols", "n_unmapped", *[f"n_{r}" for r in UNMAPPED_REASONS],
                "n_conflicting",
                "n_genes", "n_up", "n_down", "n_undirected", "unmapped_examples"]


@dataclass
class Signature:
    """One gene signature on mouse genes.

    ``genes``: DataFrame ``GeneID`` (mouse NCBI GeneID, int64), ``symbol`` (mouse),
    ``direction`` (+1 up, -1 down, 0 when the source gives none; int64), ``score``
    (float, NaN when none), one row per mouse gene, in file order.
    ``meta``: the keys of :data:`META_COLUMNS` (source, citation, organism, id_type, file,
    description, mapping counts …).
    """

    name: str
    genes: pd.DataFrame
    meta: dict = field(default_factory=dict)


@dataclass
class _Entry:
    """One input gene of a signature as read from the file."""

    gene: object  # str symbol or int GeneID
    direction: int
    score: float
    line: int


@dataclass
class _Raw:
    """A signature as read, before mapping."""

    name: str
    line: int
    entries: list[_Entry] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)


def _header(path: Path, lines: list[str]) -> tuple[dict[str, tuple[str, int]], int]:
    """Parse the leading ``# key: value`` lines; return {key: (value, line)} and the index
    of the first line after the header block."""
    meta: dict[str, tuple[str, int]] = {}
    i = 0
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        line = lines[i]
        match = HEADER_LINE.match(line) if not line.startswith("##") else None
        if match:
            key = match.group(1).lower()
            if key not in HEADER_KEYS:
                raise InputError(f"{path}: line {i + 1}: unknown header key {match.group(1)!r}; "
                                 f"known keys: {', '.join(HEADER_KEYS)} (for a free comment "
                                 "start the line with '##').")
            if key in meta:
                raise InputError(f"{path}: line {i + 1}: header key {key!r} given twice "
                                 f"(first on line {meta[key][1]}).")
            meta[key] = (match.group(2), i + 1)
        i += 1
    return meta, i


def _settings(path: Path, meta: dict[str, tuple[str, int]]) -> dict:
    """Validate the header values; return source/citation/organism/id_type/description."""
    source, _ = meta.get("source", ("", 0))
    if not source:
        where = f"line {meta['source'][1]}" if "source" in meta else "line 1"
        raise InputError(f"{path}: {where}: no '# source: …' header line (required: say "
                         "where the genes come from, e.g. '# source: Labonte et al. 2017, "
                         "Table S2').")
    organism_text, organism_line = meta.get("organism", ("mouse", 0))
    organism = ORGANISMS.get(organism_text.lower())
    if organism is None:
        raise InputError(f"{path}: line {organism_line}: organism {organism_text!r} is not "
                         "one of mouse, human.")
    id_text, id_line = meta.get("id_type", ("symbol", 0))
    id_type = ID_TYPES.get(id_text.lower())
    if id_type is None:
        raise InputError(f"{path}: line {id_line}: id_type {id_text!r} is not one of "
                         "symbol, GeneID.")
    return {"source": source, "citation": meta.get("citation", ("", 0))[0],
            "organism": organism, "organism_line": organism_line, "id_type": id_type,
            "description": meta.get("description", ("", 0))[0]}


def _check_name(path: Path, name: str, line: int) -> None:
    if not NAME_PATTERN.match(name):
        raise InputError(f"{path}: line {line}: signature name {name!r} must start with a "
                         "letter or digit and hold only letters, digits and _ . + - "
                         "(replace spaces with '_').")


def _gene_id(path: Path, text: str, id_type: str, line: int):
    if id_type == "GeneID":
        if not text.isdigit() or int(text) <= 0:
            raise InputError(f"{path}: line {line}: gene {text!r} is not an NCBI GeneID "
                             "(a positive integer), but the header says id_type: GeneID.")
        return int(text)
    return text


def _default_name(path: Path) -> str:
    name = path.name
    for ext in (".gz", ".tsv", ".txt", ".tab", ".csv"):
        name = name[:-len(ext)] if name.lower().endswith(ext) else name
    return name


def _read_tsv(path: Path, lines: list[str], start: int, meta: dict,
              settings: dict) -> list[_Raw]:
    """Parse the table part of a TSV signature file."""
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines):
        raise InputError(f"{path}: no table after the header lines (expected a header "
                         "line with a 'gene' column).")
    header_line = start + 1
    columns = [c.strip() for c in lines[start].split("\t")]
    lower = [c.lower() for c in columns]
    dup = sorted({c for c in lower if c and lower.count(c) > 1})
    if dup:
        raise InputError(f"{path}: line {header_line}: column(s) {', '.join(dup)} appear "
                         "more than once.")
    if "gene" not in lower:
        raise InputError(f"{path}: line {header_line}: no 'gene' column (found "
                         f"{', '.join(columns)}); the table needs a header line with "
                         "'gene' and optionally direction, log2FC or score, signature.")
    if "log2fc" in lower and "score" in lower:
        raise InputError(f"{path}: line {header_line}: give either 'log2FC' or 'score', "
                         "not both.")
    col = {c: lower.index(c) for c in ("gene", "direction", "log2fc", "score", "signature")
           if c in lower}
    if "signature" in col and "name" in meta:
        raise InputError(f"{path}: line {meta['name'][1]}: '# name:' is for files without "
                         "a 'signature' column; this file names its signatures in that "
                         "column.")
    default = meta["name"][0] if "name" in meta else _default_name(path)
    if "signature" not in col:
        _check_name(path, default, meta["name"][1] if "name" in meta else 1)
    score_col = col.get("log2fc", col.get("score"))
    id_type = settings["id_type"]

    raws: dict[str, _Raw] = {}
    for i in range(start + 1, len(lines)):
        line_no = i + 1
        text = lines[i]
        if not text.strip() or text.startswith("#"):
            continue
        cells = [c.strip() for c in text.split("\t")]
        if len(cells) > len(columns) and any(cells[len(columns):]):
            raise InputError(f"{path}: line {line_no}: {len(cells)} fields for "
                             f"{len(columns)} columns (tab-separated?).")
        cells += [""] * (len(columns) - len(cells))
        gene = cells[col["gene"]]
        if not gene:
            raise InputError(f"{path}: line {line_no}: empty gene.")
        gene = _gene_id(path, gene, id_type, line_no)
        name = default
        if "signature" in col:
            name = cells[col["signature"]]
            if not name:
                raise InputError(f"{path}: line {line_no}: empty signature name.")
            _check_name(path, name, line_no)
        score = math.nan
        if score_col is not None:
            value = cells[score_col]
            if value.lower() not in MISSING_SCORE:
                try:
                    score = float(value)
                except ValueError:
                    raise InputError(f"{path}: line {line_no}: {columns[score_col]} "
                                     f"{value!r} is not a number.") from None
        direction = 0
        if "direction" in col:
            value = cells[col["direction"]]
            if value.lower() not in DIRECTIONS:
                raise InputError(f"{path}: line {line_no}: direction {value!r} is not one "
                                 "of up, down, +1, -1.")
            direction = DIRECTIONS[value.lower()]
            # A fold change that contradicts the stated direction is a broken table.
            if "log2fc" in col and not math.isnan(score) and score * direction < 0:
                raise InputError(f"{path}: line {line_no}: direction {value!r} but log2FC "
                                 f"{score:g} has the opposite sign.")
        elif "log2fc" in col and not math.isnan(score):
            direction = int(np.sign(score))
        raw = raws.setdefault(name, _Raw(name=name, line=line_no))
        raw.entries.append(_Entry(gene, direction, score, line_no))
    if not raws:
        raise InputError(f"{path}: line {header_line}: the table has a header but no gene "
                         "rows.")
    return list(raws.values())


def _read_gmt(path: Path, lines: list[str], start: int, meta: dict,
              settings: dict) -> list[_Raw]:
    """Parse the set lines of a GMT file, merging X_UP/X_DN(X_DOWN) into a signed X."""
    if "name" in meta:
        raise InputError(f"{path}: line {meta['name'][1]}: '# name:' does not apply to GMT "
                         "files: each set is named by its first column.")
    raws: dict[str, _Raw] = {}
    seen_sets: dict[str, int] = {}
    kinds: dict[str, str] = {}  # base name -> "plain" or "signed", to catch X vs X_UP
    for i in range(start, len(lines)):
        line_no = i + 1
        text = lines[i]
        if not text.strip() or text.startswith("#"):
            continue
        set_name, description, genes = parse_gmt_line(path, line_no, text, seen_sets)
        seen_sets[set_name] = line_no
        base, direction = set_name, 0
        for suffix, sign in GMT_SUFFIXES:
            if set_name.upper().endswith(suffix) and len(set_name) > len(suffix):
                base, direction = set_name[:-len(suffix)], sign
                break
        kind = "signed" if direction else "plain"
        if kinds.setdefault(base, kind) != kind:
            raise InputError(f"{path}: line {line_no}: set {set_name!r} clashes with an "
                             f"earlier set: {base!r} would be both a plain set and the "
                             "merge of its _UP/_DN sets.")
        if direction and any(e.direction == direction for e in raws.get(base, _Raw("", 0)).entries):
            raise InputError(f"{path}: line {line_no}: a second "
                             f"{'up' if direction > 0 else 'down'} set for {base!r} "
                             "(_DN and _DOWN both given?).")
        _check_name(path, base, line_no)
        raw = raws.setdefault(base, _Raw(name=base, line=line_no))
        if description and description.lower() != "na" and description not in raw.descriptions:
            raw.descriptions.append(description)
        for gene in genes:
            raw.entries.append(_Entry(_gene_id(path, gene, settings["id_type"], line_no),
                                      direction, math.nan, line_no))
    if not raws:
        raise InputError(f"{path}: no gene set lines after the header.")
    return list(raws.values())


def _dedupe(path: Path, raw: _Raw) -> list[_Entry]:
    """One entry per input gene; the same gene up and down is an error."""
    first: dict = {}
    for entry in raw.entries:
        seen = first.get(entry.gene)
        if seen is None:
            first[entry.gene] = entry
        elif seen.direction != entry.direction:
            word = {1: "up", -1: "down", 0: "undirected"}
            raise InputError(f"{path}: line {entry.line}: gene {entry.gene} is listed as "
                             f"{word[seen.direction]} (line {seen.line}) and "
                             f"{word[entry.direction]} (line {entry.line}) in signature "
                             f"{raw.name!r}.")
    return list(first.values())


def _map(path: Path, raw: _Raw, settings: dict, *, mouse_genes, orthologs, human_info,
         one_to_one: bool, fmt: str) -> Signature:
    entries = _dedupe(path, raw)
    mapped, report = map_to_mouse([e.gene for e in entries], id_type=settings["id_type"],
                                  organism=settings["organism"], orthologs=orthologs,
                                  human_info=human_info, mouse_genes=mouse_genes,
                                  one_to_one=one_to_one)
    by_gene = {e.gene: e for e in entries}
    rows: dict[int, list] = {}
    conflicting: set[int] = set()
    for gene, mouse_id, symbol in zip(mapped["input_id"], mapped["mouse_GeneID"],
                                      mapped["mouse_symbol"]):
        entry = by_gene[gene]
        mouse_id = int(mouse_id)
        if mouse_id not in rows:
            rows[mouse_id] = [mouse_id, symbol, entry.direction, entry.score]
        elif rows[mouse_id][2] != entry.direction:
            conflicting.add(mouse_id)
    genes = pd.DataFrame([r for g, r in rows.items() if g not in conflicting],
                         columns=GENE_COLUMNS)
    genes = genes.astype({"GeneID": np.int64, "symbol": str, "direction": np.int64,
                          "score": float})
    if genes.empty:
        hint = ""
        if report["n_wrong_case"]:
            hint = (f" {report['n_wrong_case']} of them match a {settings['organism']} "
                    "symbol when case is ignored: is the '# organism:' line right?")
        examples = ", ".join(report["unmapped_examples"])
        examples = f"; e.g. {examples}" if examples else ""
        raise InputError(f"{path}: line {raw.line}: signature {raw.name!r} has no gene left "
                         f"after mapping to the study's mouse genes ({report['n_mapped']} of "
                         f"{report['n_input']} {settings['organism']} "
                         f"{settings['id_type']}s mapped{examples}).{hint}")
    description = settings["description"] or " | ".join(raw.descriptions)
    meta = {"file": str(path), "format": fmt, "source": settings["source"],
            "citation": settings["citation"], "organism": settings["organism"],
            "id_type": settings["id_type"], "description": description,
            "one_to_one": bool(one_to_one),
            **{k: report[k] for k in ("n_input", "n_mapped", "mapping_rate")},
            "mapped_share": mapped_share(report, settings["organism"]),
            "symbols": (symbol_style(str(e.gene) for e in entries)
                        if settings["id_type"] == "symbol" else "GeneIDs"),
            "n_unmapped": report["n_unmapped"],
            **{f"n_{r}": report[f"n_{r}"] for r in UNMAPPED_REASONS},
            "n_conflicting": len(conflicting), "n_genes": len(genes),
            "n_up": int((genes["direction"] > 0).sum()),
            "n_down": int((genes["direction"] < 0).sum()),
            "n_undirected": int((genes["direction"] == 0).sum()),
            "unmapped_examples": "; ".join(report["unmapped_examples"])}
    return Signature(name=raw.name, genes=genes, meta=meta)


def mapped_share(report: dict, organism: str) -> float:
    """The share of a signature's genes that map to the study's mouse genes, leaving out
    human genes without any mouse ortholog (often non-coding GWAS genes, which no file of
    the right kind could map); what :func:`check_mapping` holds against its threshold."""
    possible = report["n_input"] - (report["n_no_ortholog"] if organism == "human" else 0)
    return report["n_mapped"] / possible if possible else 0.0


def check_mapping(signature: Signature, min_mapped: float) -> None:
    """InputError when fewer than ``min_mapped`` of ``signature``'s genes map
    (:func:`mapped_share`), naming its file, its source and what its symbols look like:
    a list of the wrong organism or id type maps to almost nothing, and a few genes
    mapped by chance would otherwise pass for the signature."""
    meta = signature.meta
    if meta["mapped_share"] >= min_mapped:
        return
    style, organism = meta["symbols"], meta["organism"]
    look = STYLE_TEXT.get(style, f"{meta['id_type']}s")
    if style in ("human", "mouse") and style != organism:
        look += f", but the file says organism {organism}"
    examples = f"; unmapped e.g. {meta['unmapped_examples']}" if meta["unmapped_examples"] \
        else ""
    raise InputError(
        f"{meta['file']}: signature {signature.name!r}: only {meta['n_mapped']} of its "
        f"{meta['n_input']} {organism} genes ({meta['mapped_share']:.0%}) map to the study's "
        f"mouse genes (signatures.min_mapped: {min_mapped:g}); {look}{examples}. Source: "
        f"{meta['source']}. Check that the file is of the organism its '# organism:' line "
        "says (human lists are mapped through orthologs) and has gene symbols or NCBI "
        "GeneIDs as its '# id_type:' says; lower signatures.min_mapped if so few are "
        "expected.")


def read_signature_file(path: str | Path, *, mouse_genes: pd.DataFrame,
                        orthologs: pd.DataFrame | None = None,
                        human_info: pd.DataFrame | None = None,
                        one_to_one: bool = True) -> list[Signature]:
    """Read one signature file (TSV or GMT, see the module doc) into mouse signatures.

    In: the file; the study's mouse genes (GeneID + Symbol, e.g. the output of
    :func:`painstress.data.ncbi_files.read_annotation`); for human files the NCBI human→mouse
    ortholog pairs (:func:`painstress.data.ncbi_files.read_gene_orthologs`) and, for human
    symbols, the human gene table (:func:`painstress.data.ncbi_files.read_gene_info`).
    Out: the file's signatures in file order. Raises InputError naming the file and line
    for every problem in the file, and when a signature maps to no mouse gene.
    """
    path = Path(path)
    text = read_text(path)
    refuse_html(path, text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, start = _header(path, lines)
    settings = _settings(path, meta)
    if settings["organism"] == "human":
        missing = [n for n, v in (("orthologs", orthologs), ("human_info", human_info))
                   if v is None and (n == "orthologs" or settings["id_type"] == "symbol")]
        if missing:
            raise InputError(f"{path}: line {settings['organism_line']}: organism is human, "
                             f"so the human→mouse mapping needs {' and '.join(missing)} "
                             "(NCBI gene_orthologs.gz and Homo_sapiens.gene_info.gz), "
                             "which were not given.")
    fmt = "gmt" if path.name.lower().endswith((".gmt", ".gmt.gz")) else "tsv"
    reader = _read_gmt if fmt == "gmt" else _read_tsv
    raws = reader(path, lines, start, meta, settings)
    return [_map(path, raw, settings, mouse_genes=mouse_genes, orthologs=orthologs,
                 human_info=human_info, one_to_one=one_to_one, fmt=fmt) for raw in raws]


def read_signatures(paths, **kwargs) -> list[Signature]:
    """Read several signature files (same keyword arguments as :func:`read_signature_file`);
    a signature name used twice, within or across files, is an InputError naming both."""
    signatures: list[Signature] = []
    seen: dict[str, str] = {}
    for path in paths:
        for sig in read_signature_file(path, **kwargs):
            if sig.name in seen:
                raise InputError(f"{path}: signature name {sig.name!r} is already used in "
                                 f"{seen[sig.name]}; names must be unique.")
            seen[sig.name] = str(path)
            signatures.append(sig)
    return signatures


def signature_table(signatures: list[Signature]) -> pd.DataFrame:
    """Long table ``signature, GeneID, symbol, direction, score``: signatures in the given
    order, genes in file order."""
    parts = [sig.genes.assign(signature=sig.name)[["signature", *GENE_COLUMNS]]
             for sig in signatures]
    if not parts:
        return pd.DataFrame({"signature": pd.Series(dtype=str),
                             "GeneID": pd.Series(dtype=np.int64),
                             "symbol": pd.Series(dtype=str),
                             "direction": pd.Series(dtype=np.int64),
                             "score": pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True)


def mapping_report(signatures: list[Signature]) -> pd.DataFrame:
    """One row per signature: ``signature`` and the :data:`META_COLUMNS` of its meta."""
    rows = [{"signature": sig.name, **{k: sig.meta.get(k) for k in META_COLUMNS}}
            for sig in signatures]
    return pd.DataFrame(rows, columns=["signature", *META_COLUMNS])


def read_header(path: str | Path) -> dict:
    """The checked header settings of a signature file (source, citation, organism,
    id_type, description), without reading its genes; for deciding what the file needs."""
    path = Path(path)
    lines = read_text(path).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _settings(path, _header(path, lines)[0])


def write_signature_file(genes: Iterable[str] | pd.DataFrame, path: str | Path, *,
                         source: str, citation: str = "", organism: str = "human",
                         name: str | None = None, description: str = "") -> None:
    """Write a gene list in the signature TSV format of
    :mod:`painstress.compare.signatures` (``# key: value`` header lines, then a table with
    a ``gene`` column), atomically (temporary name, then rename) and deterministically
    (rows sorted by gene, floats as ``%.6g``, LF line ends).

    In: symbols, or a DataFrame with a ``gene`` column whose other columns are written
    too (a ``score`` column is read back as the signature's score; the signature reader
    ignores columns it does not know); header values; ``name`` must be a valid
    signature name (letters, digits, ``_ . + -``). Raises InputError for an empty or
    duplicated gene, a header value with a line break or TAB, an unknown organism.
    """
    path = Path(path)
    if isinstance(genes, pd.DataFrame):
        if "gene" not in genes.columns:
            raise InputError(f"{path}: the gene table has no 'gene' column "
                             f"(columns: {', '.join(map(str, genes.columns))}).")
        table = genes[["gene", *[c for c in genes.columns if c != "gene"]]].copy()
    else:
        table = pd.DataFrame({"gene": list(genes)})
    table["gene"] = table["gene"].astype(str).str.strip()
    bad = [g for g in table["gene"] if not g or g.startswith("#") or "\t" in g]
    if bad or table.empty:
        raise InputError(f"{path}: no genes, or unusable gene name(s) {bad[:5]} (empty, "
                         "starting with '#', or with a TAB).")
    dup = sorted(set(table["gene"][table["gene"].duplicated()]))
    if dup:
        raise InputError(f"{path}: gene(s) listed twice: {', '.join(dup[:10])}.")
    if organism.lower() not in ORGANISMS:
        raise InputError(f"{path}: organism {organism!r} is not one of mouse, human.")
    if name is not None and not NAME_PATTERN.match(name):
        raise InputError(f"{path}: signature name {name!r} must start with a letter or digit "
                         "and hold only letters, digits and _ . + -.")
    if "signature" in table.columns and name is not None:
        raise InputError(f"{path}: give either name= or a 'signature' column, not both.")
    header = {"source": source, "citation": citation, "organism": ORGANISMS[organism.lower()],
              "name": name or "", "description": description}
    if not source.strip():
        raise InputError(f"{path}: source is required (where the genes come from).")
    lines = []
    for key, value in header.items():
        if any(c in value for c in "\t\r\n"):
            raise InputError(f"{path}: header {key!r} holds a TAB or line break.")
        if value.strip():
            lines.append(f"# {key}: {value.strip()}\n")
    table = table.sort_values("gene", kind="stable")
    body = table.to_csv(sep="\t", index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    write_text("".join(lines) + body, path)


# ------------------------------------------------------------------ curated public sources

CURATED_KINDS = ("gwas_catalog", "mgi", "diseases")


def curated_signature(name: str, kind: str, spec: dict, files: Sequence[str | Path],
                      path: str | Path) -> None:
    """One depression/anxiety signature from a curated public source, written to ``path``.

    In: the signature's ``name``; the ``kind`` of source, one of :data:`CURATED_KINDS`;
    ``spec``, its config entry, whose ``spec[kind]`` holds the source's settings with their
    defaults (``gwas_catalog``: ``traits``, ``p_max``, ``intergenic``; ``mgi``: ``terms``;
    ``diseases``: ``doid``, ``min_score``) and which may hold ``citation`` and
    ``description``; ``files``, the source's downloaded files (``gwas_catalog``: the
    associations table; ``mgi``: ``MGI_GenePheno.rpt`` and ``mp.obo``; ``diseases``: the
    DISEASES experiments table).
    Out: a signature file (:func:`write_signature_file`): human genes for the GWAS Catalog
    and DISEASES, mouse symbols for MGI (markers the report names no symbol for left out),
    the settings and each file's download record in its ``source`` header. The readers
    raise InputError naming the file for a bad source file or a signature with no gene.
    """
    if kind not in CURATED_KINDS:
        raise ValueError(f"{name}: unknown curated source {kind!r}; one of "
                         f"{', '.join(CURATED_KINDS)}")
    settings = spec[kind]
    got = "; ".join(provenance_note(file) for file in files)
    if kind == "gwas_catalog":
        genes = genesets.gwas_signature(genesets.read_gwas_catalog(files[0]),
                                        settings["traits"], settings["p_max"],
                                        keep_intergenic=settings["intergenic"])
        organism = "human"
        source = (f"NHGRI-EBI GWAS Catalog, traits {', '.join(settings['traits'])}, "
                  f"p <= {settings['p_max']:g}, mapped genes ({got})")
    elif kind == "mgi":
        genes = genesets.mgi_signature(files[0], files[1], settings["terms"])
        genes = genes[genes["symbol"] != ""].rename(columns={"symbol": "gene"})
        organism = "mouse"
        source = (f"MGI genotype-phenotype annotations, MP terms {', '.join(settings['terms'])}"
                  f" and descendants ({got})")
    else:  # diseases
        genes = genesets.jensen_signature(files[0], settings["doid"],
                                          min_score=settings["min_score"])
        organism = "human"
        source = (f"JensenLab DISEASES experiments channel, {settings['doid']}, "
                  f"score >= {settings['min_score']:g} ({got})")
    log.info("%s: %d genes from %s", name, len(genes), source)
    write_signature_file(genes, path, source=source, organism=organism,
                         citation=spec.get("citation", ""), name=name,
                         description=spec.get("description", ""))
