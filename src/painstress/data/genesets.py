"""Curated depression/anxiety gene sets and pathway collections, read from their public files.

Every reader takes the file as downloaded: plain, gzip (decided by the first bytes, not the
name) or, where said, a ZIP holding one file; CRLF line ends are accepted; a web page saved
in place of the file is refused. Every file must be whole before it is used: its last line
ends with a line break (a copy cut off mid-line is refused), every row has its format's
column count, an OBO file starts with ``format-version:``, ends with a complete stanza,
names no ``is_a`` parent it does not define and has no ``is_a`` cycle, a GAF says
``!gaf-version:``, a ZIP holds its TSV. Problems raise :class:`painstress.InputError`
naming the file, the line or column, and what to do. The functions are pure (paths in,
tables out); the signatures they make are written by
:func:`painstress.compare.signatures.write_signature_file`.

Sources and what is read from them
----------------------------------
* **GWAS Catalog** associations (:func:`read_gwas_catalog`, :func:`gwas_signature`):
  the full "alternative" download with ontology columns (v1.0.2, 38 columns; today
  ``gwas-catalog-associations_ontology-annotated-full.zip``, one TSV inside), the older
  v1.0.1 layout (36 columns, no STUDY ACCESSION) and the per-trait web export
  ``gwas-association-downloaded_…-EFO_…-withChildTraits.tsv`` (38 columns, CRLF). Columns
  are found by name, so added columns do not break the reader. The v1.0 download without
  MAPPED_TRAIT_URI is refused (traits cannot be selected by ontology id in it).
  Traits are chosen by ontology id matched against MAPPED_TRAIT_URI. The per-trait
  "withChildTraits" export already holds the rows of the trait's ontology children (pass
  ``trait_ids=None`` to keep all its rows); the full file does not: list the child ids
  (e.g. EFO_0003761 and MONDO_0002009 with their children) in the config.
* **MGI** genotype–phenotype report ``MGI_GenePheno.rpt`` (:func:`read_mgi_genepheno`) and
  the Mammalian Phenotype ontology ``mp.obo`` (:func:`mgi_signature`): the genes whose
  genotypes carry a chosen MP term or any of its descendants (from the OBO file).
* **JensenLab DISEASES** channel files, e.g. ``human_disease_experiments_filtered.tsv``
  (:func:`jensen_signature`): genes for one DOID above a minimum score.
* **Pathway collections**: MSigDB/Enrichr GMT files (:func:`read_gmt`) and Gene Ontology
  sets built from ``go-basic.obo`` + the MGI GAF (:func:`read_gaf`, :func:`go_gene_sets`,
  :func:`term_names`).

Decisions
---------
* GWAS intergenic rows (MAPPED_GENE ``A - B``): both flanking genes are kept (the usual
  choice for GWAS-derived gene sets, e.g. Enrichr's GWAS Catalog libraries). Dropping them
  would lose some of the best-supported depression loci, whose lead SNPs lie just outside
  the gene (``NEGR1 - RPL31P12``, ``DRD2 - NA`` in Howard et al. 2019), and most flanking
  non-coding genes and pseudogenes fall away anyway when human genes are mapped to mouse
  orthologs. Each gene says whether it was only ever a flanking gene (``flanking_only``)
  and ``keep_intergenic=False`` drops such genes. ``NA`` on one side means no gene there;
  the other side is kept.
* MP descendants follow ``is_a`` only: MP classifies phenotypes by subsumption, and a term
  that is ``part_of`` another is not a kind of it. ``relations=`` can add more.
* GO annotations are propagated along ``is_a`` and ``part_of`` (GO's true-path rule), not
  along ``regulates`` (regulating a process is not taking part in it) nor ``has_part``.

OBO parsing: obonet
-------------------
OBO files are parsed with ``obonet`` (BSD licence, maintained by D. Himmelstein, one small
pure-Python package whose only dependency is ``networkx``). It reads the fixture files
(go, mp heads), keeps obsolete terms on request (so an obsolete term id asked for can be
reported with its replacement), and turns ``is_a`` and ``relationship:`` lines into typed
edges. On a synthetic go-basic-like file (48,000 terms, 15 MB; the real one has about as
many terms and twice the bytes) it took 3.5-6 s and 165 MB on this 2-core machine under
load (``pronto`` 2.7.4: 4.8-12 s, 430 MB, and it pulls in the compiled ``fastobo`` plus
``chardet`` and ``dateutil``; ``fastobo`` 0.14.2 alone: 3-7 s, but it gives a syntax tree to
walk and is strict about OBO syntax; a 40-line hand parser: 0.5-1.4 s, but it would
re-implement escaping, trailing modifiers and comments). Seconds once per run are small
next to reading the GAF (300,000 rows: 4 s) and the rest of the workflow.
"""

from __future__ import annotations

import gzip
import io
import logging
import math
import re
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pandas as pd

from painstress import InputError
from painstress.files import read_text, refuse_html

log = logging.getLogger(__name__)

__all__ = [
    "Ontology", "read_gwas_catalog", "parse_mapped_genes", "gwas_signature",
    "read_mgi_genepheno", "mgi_signature", "read_obo", "term_names", "read_gaf",
    "go_gene_sets", "jensen_signature", "read_gmt", "symbol_style", "style_hint",
]

# ------------------------------------------------------------------ reading lines

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a ZIP with members, an empty ZIP
GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20


@contextmanager
def _binary(path: Path) -> Iterator[IO[bytes]]:
    """The bytes of ``path``: unpacked if it is gzip, or the one member of a ZIP archive."""
    if not path.is_file():
        raise InputError(f"{path}: file not found.")
    with open(path, "rb") as fh:
        magic = fh.read(4)
    with ExitStack() as stack:
        if magic.startswith(ZIP_MAGIC):
            try:
                archive = stack.enter_context(zipfile.ZipFile(path))
            except zipfile.BadZipFile as exc:
                raise InputError(f"{path}: is not a readable ZIP archive ({exc}). "
                                 "Delete it and fetch it again.") from exc
            members = [m for m in archive.infolist()
                       if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
            tables = [m for m in members if m.filename.lower().endswith(".tsv")]
            names = ", ".join(m.filename for m in members) or "nothing"
            if not tables:  # e.g. a README or an error page zipped in place of the table
                raise InputError(f"{path}: the ZIP holds no TSV (it holds {names}); a ZIP "
                                 "here must hold one .tsv table. Download it again or give "
                                 "the table itself.")
            if len(members) != 1:
                raise InputError(f"{path}: a ZIP archive here must hold exactly one file; it "
                                 f"holds {names}. Unpack it and give the table itself.")
            yield stack.enter_context(archive.open(members[0]))
        elif magic.startswith(GZIP_MAGIC):
            yield stack.enter_context(gzip.open(path, "rb"))
        else:
            yield stack.enter_context(open(path, "rb"))


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) for each line of ``path``, without its CR/LF.

    Splits on LF only (a stray vertical tab or form feed inside a field stays in it).
    Raises InputError for a web page, bytes that are not UTF-8, a truncated archive, or a
    last line without its line break (every source file ends with one: a file cut off
    mid-line would otherwise give a short last row that may still look valid).
    """
    try:
        with _binary(path) as raw:
            buffer = raw.read(4096)
            refuse_html(path, buffer.decode("utf-8", errors="replace"))
            number, chunk = 0, buffer
            while chunk:
                *complete, buffer = buffer.split(b"\n")
                for line in complete:
                    number += 1
                    yield number, _decode(path, line, number)
                chunk = raw.read(CHUNK)
                buffer += chunk
            if buffer:
                raise InputError(f"{path}: line {number + 1}: the last line ends without a "
                                 "line break: the file looks truncated (cut off mid-line). "
                                 "Delete it and download it again.")
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: cannot be read to the end ({exc}); a truncated "
                         "download? Delete it and fetch it again.") from exc


def _decode(path: Path, line: bytes, number: int) -> str:
    try:
        return line.rstrip(b"\r").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: line {number}: not UTF-8 text ({exc}).") from exc


def _join(items: Iterable[str]) -> str:
    return "; ".join(sorted(set(items)))


# ------------------------------------------------------------------ GWAS Catalog

GWAS_REQUIRED = ("PUBMEDID", "MAPPED_GENE", "P-VALUE", "MAPPED_TRAIT_URI")
# v1.0.1 names of two columns that v1.0.2 renamed; renamed on reading so both look alike
GWAS_RENAMED = {"INITIAL SAMPLE DESCRIPTION": "INITIAL SAMPLE SIZE",
                "REPLICATION SAMPLE DESCRIPTION": "REPLICATION SAMPLE SIZE"}
# MAPPED_GENE placeholders for "no gene" (compared in lower case)
NO_GENE = {"", "na", "nr", "no mapped genes", "no mapped gene", "intergenic"}
SHORT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9]+$")
GWAS_COLUMNS = ["gene", "trait_ids", "studies", "n_associations", "min_p_value",
                "flanking_only"]


def read_gwas_catalog(path: str | Path) -> pd.DataFrame:
    """Read a GWAS Catalog associations table.

    In: the full download (v1.0.2 "alternative"/ontology-annotated, 38 columns, or v1.0.1,
    36 columns; plain, gzip, or the official ZIP holding one TSV) or a per-trait web export
    (CRLF). Out: every column as text (v1.0.1's ``INITIAL/REPLICATION SAMPLE DESCRIPTION``
    renamed to v1.0.2's ``… SAMPLE SIZE``), plus ``line`` (the row's line in the file, for
    messages); ``attrs["path"]`` holds the file. Raises InputError for a file without
    the columns PUBMEDID, MAPPED_GENE, P-VALUE and MAPPED_TRAIT_URI, and for a row whose
    field count differs from the header's.
    """
    path = Path(path)
    lines = _lines(path)
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, text in lines:
        if header is None:
            if not text.strip():
                continue
            header = [GWAS_RENAMED.get(c.strip(), c.strip()) for c in text.lstrip("\ufeff")
                      .split("\t")]
            _check_gwas_header(path, number, header)
            continue
        if not text:
            continue  # an empty line
        fields = text.split("\t")
        if len(fields) != len(header):
            raise InputError(f"{path}: line {number}: {len(fields)} tab-separated fields, "
                             f"the header has {len(header)}. The file is damaged or was "
                             "edited (a TAB or line break inside a field?); fetch it again.")
        rows.append(fields)
        numbers.append(number)
    if header is None:
        raise InputError(f"{path}: is empty; expected a GWAS Catalog associations table.")
    if not rows:
        raise InputError(f"{path}: has a header but no association rows.")
    table = pd.DataFrame(rows, columns=header, dtype=object)
    table["line"] = numbers
    table.attrs["path"] = str(path)
    return table


def _check_gwas_header(path: Path, number: int, header: list[str]) -> None:
    dup = sorted({c for c in header if header.count(c) > 1})
    if dup:
        raise InputError(f"{path}: line {number}: column(s) {', '.join(dup)} appear twice.")
    missing = [c for c in GWAS_REQUIRED if c not in header]
    if not missing:
        return
    if "MAPPED_GENE" in header and "MAPPED_TRAIT_URI" in missing:
        raise InputError(f"{path}: line {number}: no MAPPED_TRAIT_URI column: this is the "
                         "v1.0 associations download without ontology annotations. Download "
                         "the ontology-annotated ('alternative') file instead: "
                         "gwas-catalog-associations_ontology-annotated-full.zip.")
    shown = ", ".join(header[:6]) + (", …" if len(header) > 6 else "")
    raise InputError(f"{path}: line {number}: not a GWAS Catalog associations table: "
                     f"column(s) {', '.join(missing)} missing (found {shown}). Give the "
                     "associations download (v1.0.1/v1.0.2 TSV or its ZIP) or a per-trait "
                     "export from the GWAS Catalog web site.")


def parse_mapped_genes(text: str) -> list[tuple[str, bool]]:
    """The genes of one MAPPED_GENE cell as ``(symbol, flanking)`` pairs, first occurrence
    first, each symbol once (a gene both inside and flanking counts as inside).

    Forms: ``A`` (SNP in A), ``A, B`` (SNP in overlapping genes), ``A - B`` (intergenic SNP
    between upstream A and downstream B: both kept as flanking, ``NA`` for a missing side),
    ``;``-joined or `` x ``-joined per-SNP lists (haplotypes, interactions), and the
    placeholders ``No mapped genes``, ``NR``, ``NA``, ``intergenic`` and empty (no gene).
    Hyphens without spaces belong to the symbol (``RNF103-CHMP3``, ``H1-5``).
    """
    genes: dict[str, bool] = {}
    for part in re.split(r";| x ", text):
        part = part.strip()
        if part.lower() in NO_GENE:
            continue
        flanking = bool(re.search(r"\s-\s", part))
        for token in re.split(r"\s+-\s+|,", part):
            token = token.strip()
            if token.lower() in NO_GENE:
                continue
            genes[token] = genes.get(token, True) and flanking
    return list(genes.items())


def _short_trait_id(text: str) -> str:
    """``http://www.ebi.ac.uk/efo/EFO_0003761`` / ``EFO:0003761`` -> ``EFO_0003761``."""
    text = text.strip().rstrip("/")
    text = text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return text.replace(":", "_", 1) if "_" not in text else text


def gwas_signature(table: pd.DataFrame, trait_ids: Sequence[str] | None, p_max: float = 5e-8,
                   *, keep_intergenic: bool = True) -> pd.DataFrame:
    """Human genes mapped to genome-wide significant GWAS Catalog associations of traits.

    In: a table from :func:`read_gwas_catalog`; ontology ids of the traits (short form
    ``EFO_0003761``, ``MONDO_0002009``; ``EFO:0003761`` and full URIs are accepted), matched
    against each row's MAPPED_TRAIT_URI list (a row mapped to several traits is kept when
    any of them is asked for), or ``None`` for every row (a per-trait "withChildTraits"
    export, already limited to the trait and its children); ``p_max``: rows with
    P-VALUE <= p_max are kept (empty or non-numeric P-VALUE: not kept); genes from
    MAPPED_GENE as in :func:`parse_mapped_genes` (``keep_intergenic=False`` drops genes
    that are only ever flanking genes of intergenic SNPs).

    Out: one row per human symbol, sorted: ``gene``, ``trait_ids`` (the asked-for traits
    it supports, or all the row's traits when ``trait_ids`` is None; ``; ``-joined),
    ``studies`` (STUDY ACCESSION, or ``PMID:…`` in the v1.0.1 layout), ``n_associations``,
    ``min_p_value``, ``flanking_only``. Raises InputError when no gene is left, saying how
    many rows carried the traits.
    """
    path = table.attrs.get("path", "GWAS Catalog table")
    if not 0 < p_max <= 1:
        raise InputError(f"p_max must be in (0, 1]; got {p_max!r}.")
    wanted: set[str] | None = None
    if trait_ids is not None:
        wanted = {_short_trait_id(t) for t in trait_ids}
        bad = sorted(t for t in wanted if not SHORT_ID.match(t))
        if bad or not wanted:
            raise InputError(f"trait ids {', '.join(bad) or '(none)'}: give ontology ids "
                             "such as EFO_0003761 or MONDO_0002009.")
    p_values = pd.to_numeric(table["P-VALUE"], errors="coerce").to_numpy()
    accessions = table["STUDY ACCESSION"] if "STUDY ACCESSION" in table.columns \
        else [""] * len(table)
    genes: dict[str, dict] = {}
    n_trait_rows = 0
    for i, (uris, mapped, pmid, study) in enumerate(zip(
            table["MAPPED_TRAIT_URI"], table["MAPPED_GENE"], table["PUBMEDID"], accessions)):
        row_traits = {_short_trait_id(u) for u in uris.split(",") if u.strip()}
        matched = row_traits if wanted is None else row_traits & wanted
        if not matched:
            continue
        n_trait_rows += 1
        p = p_values[i]
        if math.isnan(p) or p > p_max:
            continue
        study = study.strip() or f"PMID:{pmid.strip()}"
        for gene, flanking in parse_mapped_genes(mapped):
            if flanking and not keep_intergenic:
                continue
            entry = genes.setdefault(gene, {"traits": set(), "studies": set(), "n": 0,
                                            "p": math.inf, "flanking_only": True})
            entry["traits"] |= matched
            entry["studies"].add(study)
            entry["n"] += 1
            entry["p"] = min(entry["p"], p)
            entry["flanking_only"] = entry["flanking_only"] and flanking
    if not genes:
        asked = "all rows" if wanted is None else f"trait(s) {', '.join(sorted(wanted))}"
        raise InputError(f"{path}: no mapped gene for {asked} at P-VALUE <= {p_max:g}: "
                         f"{n_trait_rows} row(s) carry the trait(s), none of them "
                         "genome-wide significant with a mapped gene. Check the trait ids "
                         "(MAPPED_TRAIT_URI; the full file needs the child traits listed) "
                         "or p_max.")
    rows = [[g, _join(e["traits"]), _join(e["studies"]), e["n"], e["p"], e["flanking_only"]]
            for g, e in sorted(genes.items())]
    return pd.DataFrame(rows, columns=GWAS_COLUMNS)


# ------------------------------------------------------------------ OBO ontologies

NAMESPACES = {"P": "biological_process", "F": "molecular_function",
              "C": "cellular_component"}


@dataclass
class Ontology:
    """An OBO ontology reduced to what gene-set building needs.

    ``names``: live (non-obsolete) term id -> name; ``namespaces``: term id -> namespace;
    ``parents``: term id -> [(relation, parent id)] (``is_a`` and every ``relationship:``
    type); ``obsolete``: obsolete term id -> what the file suggests instead (may be "");
    ``alt_ids``: secondary id -> primary id; ``data_version`` from the header.
    """

    path: str
    names: dict[str, str]
    namespaces: dict[str, str]
    parents: dict[str, list[tuple[str, str]]]
    obsolete: dict[str, str]
    alt_ids: dict[str, str]
    data_version: str = ""
    _children: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (f"Ontology({self.path!r}, data_version={self.data_version!r}, "
                f"{len(self.names)} live and {len(self.obsolete)} obsolete terms)")

    def primary(self, term: str) -> str:
        """The primary id of ``term`` (itself unless it is an alt_id)."""
        return self.alt_ids.get(term, term)

    def check_term(self, term: str) -> str:
        """``term``'s primary id; InputError when it is obsolete or not in the ontology."""
        primary = self.primary(term)
        if primary in self.obsolete:
            hint = self.obsolete[primary]
            raise InputError(f"{self.path}: term {term} is obsolete"
                             f"{f' ({hint})' if hint else ''}; change it in the config.")
        if primary not in self.names:
            raise InputError(f"{self.path}: term {term} is not in this ontology "
                             f"(data-version {self.data_version or 'unknown'}); a typo, or "
                             "an id from another ontology?")
        return primary

    def descendants(self, term: str, relations: Sequence[str]) -> set[str]:
        """``term`` and every term below it along ``relations``."""
        key = tuple(sorted(relations))
        if key not in self._children:
            children: dict[str, list[str]] = defaultdict(list)
            for child, edges in self.parents.items():
                for relation, parent in edges:
                    if relation in key:
                        children[parent].append(child)
            self._children[key] = children
        children = self._children[key]
        seen, stack = {term}, [term]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    def ancestor_map(self, relations: Sequence[str]) -> dict[str, frozenset[str]]:
        """For every term, itself and all terms above it along ``relations``."""
        memo: dict[str, frozenset[str]] = {}
        for term in self.parents.keys() | self.names.keys():
            if term in memo:
                continue
            # iterative post-order walk: a parent's set is complete before its child's
            stack, open_terms = [term], set()
            while stack:
                current = stack[-1]
                pending = [p for r, p in self.parents.get(current, ()) if r in relations
                           and p not in memo]
                if pending and current not in open_terms:
                    open_terms.add(current)
                    for parent in pending:
                        if parent in open_terms:
                            raise InputError(f"{self.path}: the {'/'.join(relations)} "
                                             f"relations have a cycle through {parent}.")
                        stack.append(parent)
                    continue
                stack.pop()
                open_terms.discard(current)
                if current in memo:
                    continue
                above = {current}
                for relation, parent in self.parents.get(current, ()):
                    if relation in relations:
                        above |= memo[parent]
                memo[current] = frozenset(above)
        return memo


def read_obo(path: str | Path) -> Ontology:
    """Read an OBO ontology (go-basic.obo, mp.obo; plain or gzip) with obonet, checked
    whole before use.

    Out: an :class:`Ontology`; its term counts are logged. Raises InputError for a web
    page, a file without ``[Term]`` stanzas, a header that does not start with
    ``format-version:``, a file that looks truncated (its last line without a line break,
    its last stanza without ``id:`` and ``name:``, or an ``is_a`` parent without its own
    stanza), an ``is_a`` cycle (an ontology is a DAG; the message names the terms on
    it), or an OBO file obonet cannot parse.
    """
    import networkx as nx  # imported here: only the gene-set rules need these
    import obonet

    path = Path(path)
    text = read_text(path)
    refuse_html(path, text)
    text = text.replace("\r\n", "\n")
    if "\n[Term]" not in "\n" + text:
        raise InputError(f"{path}: no [Term] stanza: not an OBO ontology file (expected "
                         "e.g. go-basic.obo or mp.obo; first line should be "
                         "'format-version: 1.2').")
    _check_obo_whole(path, text)
    try:
        graph = obonet.read_obo(io.StringIO(text), ignore_obsolete=False)
    except (ValueError, KeyError, IndexError) as exc:
        raise InputError(f"{path}: cannot be parsed as OBO ({exc}).") from exc
    is_a = nx.DiGraph((child, parent) for child, parent, relation in graph.edges(keys=True)
                      if relation == "is_a")
    missing = sorted(term for term in is_a if not graph.nodes[term])  # named, not defined
    if missing:  # every is_a parent of go-basic.obo and mp.obo has its own stanza
        child = next(iter(is_a.predecessors(missing[0])))
        raise InputError(f"{path}: {len(missing)} is_a parent(s) without their own [Term] "
                         f"stanza (e.g. {missing[0]}, parent of {child}): the file looks "
                         "truncated or is not the whole ontology. Delete it and download "
                         "it again.")
    try:
        cycle = nx.find_cycle(is_a)
    except nx.NetworkXNoCycle:
        cycle = []
    if cycle:
        terms = " is_a ".join([child for child, _ in cycle] + [cycle[0][0]])
        raise InputError(f"{path}: the is_a relations have a cycle ({terms}); an ontology "
                         "must be a directed acyclic graph. The file is damaged or was "
                         "edited: download it again.")
    names: dict[str, str] = {}
    namespaces: dict[str, str] = {}
    obsolete: dict[str, str] = {}
    alt_ids: dict[str, str] = {}
    default_namespace = graph.graph.get("default-namespace", "")
    if isinstance(default_namespace, list):
        default_namespace = default_namespace[0] if default_namespace else ""
    for term, data in graph.nodes(data=True):
        if not data:
            continue  # a parent named by an edge but without its own stanza
        namespaces[term] = data.get("namespace", default_namespace)
        for alt in data.get("alt_id", []):
            alt_ids[alt] = term
        if data.get("is_obsolete") == "true":
            hints = [f"replaced by {', '.join(data['replaced_by'])}"] \
                if data.get("replaced_by") else []
            hints += [f"consider {', '.join(data['consider'])}"] if data.get("consider") else []
            obsolete[term] = "; ".join(hints)
        else:
            names[term] = data.get("name", "")
    parents: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for child, parent, relation in graph.edges(keys=True):
        parents[child].append((relation, parent))
    onto = Ontology(path=str(path), names=names, namespaces=namespaces,
                    parents=dict(parents), obsolete=obsolete, alt_ids=alt_ids,
                    data_version=str(graph.graph.get("data-version", "")))
    log.info("%s: data-version %s, %d live terms, %d obsolete, %d is_a edges", path.name,
             onto.data_version or "unknown", len(names), len(obsolete), is_a.number_of_edges())
    return onto


def _check_obo_whole(path: Path, text: str) -> None:
    """InputError unless ``text`` starts with the OBO header's ``format-version:`` and
    ends with a complete stanza (a line break, and ``id:`` and ``name:`` in the last
    stanza): what is left of a download or copy that was cut off."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    if not first.startswith("format-version:"):
        raise InputError(f"{path}: the OBO header must start with 'format-version:' (found "
                         f"{first[:60]!r}): not an OBO file, or its start is missing. "
                         "Download it again.")
    last = text.rstrip("\n").rsplit("\n[", 1)[-1].split("\n")  # ["Term]", "id: …", …]
    tags = {line.split(":", 1)[0] for line in last[1:]}
    if not text.endswith("\n") or not {"id", "name"} <= tags:
        ident = next((line for line in last if line.startswith("id:")), "no id")
        raise InputError(f"{path}: the last stanza ([{last[0]} {ident}) is incomplete: the "
                         "file looks truncated (cut off mid-stanza). Delete it and download "
                         "it again.")


def _ontology(obo: str | Path | Ontology) -> Ontology:
    return obo if isinstance(obo, Ontology) else read_obo(obo)


def term_names(obo: str | Path | Ontology, namespace: str | None = None) -> dict[str, str]:
    """Live term id -> name, sorted by id; ``namespace`` limits them to one namespace
    (``P``/``F``/``C`` or its full name, e.g. ``biological_process``)."""
    onto = _ontology(obo)
    wanted = NAMESPACES.get(namespace, namespace) if namespace else None
    return {t: onto.names[t] for t in sorted(onto.names)
            if wanted is None or onto.namespaces.get(t) == wanted}


# ------------------------------------------------------------------ MGI

MGI_COLUMNS = ["allelic_composition", "allele_symbols", "allele_ids", "genetic_background",
               "mp_id", "pubmed_ids", "marker_ids", "genotype_ids"]
MP_ID = re.compile(r"^MP:\d{7}$")
MGI_ID = re.compile(r"^MGI:\d+$")
MGI_SIGNATURE_COLUMNS = ["symbol", "mgi_id", "query_ids", "mp_ids", "n_genotypes"]


def read_mgi_genepheno(path: str | Path) -> pd.DataFrame:
    """Read MGI's ``MGI_GenePheno.rpt`` (genotype -> MP annotations, single-gene genotypes).

    In: the headerless 8-column report (allelic composition, allele symbols ``|``, allele
    ids ``|``, genetic background, MP id, PubMed ids ``|``, marker MGI ids ``|``, genotype
    ids ``|``); a leading header line is skipped. Out: those columns (named as in
    :data:`MGI_COLUMNS`) as text plus ``line``. Raises InputError naming the line for
    any other layout (e.g. ``MGI_PhenoGenoMP.rpt``, whose MP id is in column 4).
    """
    path = Path(path)
    rows: list[list[str]] = []
    for number, text in _lines(path):
        if not text.strip():
            continue
        fields = [f.strip() for f in text.split("\t")]
        while len(fields) > len(MGI_COLUMNS) and not fields[-1]:
            fields.pop()  # trailing TABs
        if not rows and number == 1 and "phenotype" in text.lower() \
                and not any(MP_ID.match(f) for f in fields):
            continue  # a header line
        if len(fields) != len(MGI_COLUMNS) or not MP_ID.match(fields[4]):
            hint = ""
            if len(fields) in (6, 7) and MP_ID.match(fields[3]):
                hint = " This looks like MGI_PhenoGenoMP.rpt; give MGI_GenePheno.rpt."
            raise InputError(f"{path}: line {number}: expected the 8 tab-separated columns of "
                             "MGI_GenePheno.rpt (allelic composition, allele symbols, allele "
                             "ids, background, MP id, PubMed ids, marker ids, genotype ids) "
                             f"with an MP id in column 5; found {len(fields)} field(s)"
                             f"{f', column 5 {fields[4]!r}' if len(fields) > 4 else ''}."
                             f"{hint}")
        markers = fields[6].split("|")
        if not all(MGI_ID.match(m) for m in markers):
            raise InputError(f"{path}: line {number}: column 7 {fields[6]!r} is not a "
                             "'|'-separated list of MGI marker ids (MGI:…).")
        rows.append(fields + [number])
    if not rows:
        raise InputError(f"{path}: no annotation rows; expected MGI_GenePheno.rpt.")
    table = pd.DataFrame(rows, columns=[*MGI_COLUMNS, "line"])
    table.attrs["path"] = str(path)
    return table


def _allele_marker(allele: str) -> str:
    """The marker symbol of an MGI allele symbol: ``Kit<W-42J>`` -> ``Kit``; a transgene
    (``Tg(…)…``, no ``<``) is its own marker."""
    return allele.split("<", 1)[0].strip()


def _marker_symbols(table: pd.DataFrame) -> dict[str, str]:
    """MGI marker id -> symbol, from the rows whose genotype has one marker and whose
    alleles all belong to one symbol (the report has no marker symbol column)."""
    symbols: dict[str, str] = {}
    for markers, alleles in zip(table["marker_ids"], table["allele_symbols"]):
        ids = markers.split("|")
        names = {_allele_marker(a) for a in alleles.split("|") if a.strip()}
        if len(ids) == 1 and len(names) == 1:
            symbols.setdefault(ids[0], names.pop())
    return symbols


def mgi_signature(genepheno: str | Path | pd.DataFrame, mp_obo: str | Path | Ontology,
                  term_ids: Sequence[str], *,
                  relations: Sequence[str] = ("is_a",)) -> pd.DataFrame:
    """Mouse genes whose genotypes carry any of the MP terms ``term_ids`` or a descendant.

    In: ``MGI_GenePheno.rpt`` (path or :func:`read_mgi_genepheno` table); ``mp.obo`` (path
    or :func:`read_obo` result); MP ids such as ``MP:0001362`` (abnormal anxiety-related
    response); descendants follow ``relations`` (``is_a`` only by default: see the module
    doc). Annotations to an MP alt_id count for its primary term.

    Out: one row per marker, sorted by symbol: ``symbol`` (taken from the allele symbols;
    empty when the report does not tell it), ``mgi_id``, ``query_ids`` (the asked-for
    terms it falls under), ``mp_ids`` (the terms its genotypes were annotated with),
    ``n_genotypes``; all lists ``; ``-joined. Raises InputError for an obsolete or unknown
    term id (with the ontology's suggested replacement) and when no gene is found.
    """
    table = genepheno if isinstance(genepheno, pd.DataFrame) else read_mgi_genepheno(genepheno)
    onto = _ontology(mp_obo)
    if not term_ids:
        raise InputError("mgi_signature: no MP term ids given.")
    under: dict[str, set[str]] = defaultdict(set)  # annotated term -> query terms above it
    for term in term_ids:
        primary = onto.check_term(term.strip())
        for below in onto.descendants(primary, relations):
            under[below].add(term.strip())
    symbols = _marker_symbols(table)
    genes: dict[str, dict] = {}
    for mp_id, markers, genotypes in zip(table["mp_id"], table["marker_ids"],
                                         table["genotype_ids"]):
        mp_id = onto.primary(mp_id)
        if mp_id not in under:
            continue
        for marker in markers.split("|"):
            entry = genes.setdefault(marker, {"query": set(), "mp": set(), "genotypes": set()})
            entry["query"] |= under[mp_id]
            entry["mp"].add(mp_id)
            entry["genotypes"].update(genotypes.split("|"))
    if not genes:
        raise InputError(f"{table.attrs.get('path', 'MGI_GenePheno table')}: no genotype is "
                         f"annotated with {', '.join(term_ids)} or a term below "
                         f"(in {onto.path}).")
    rows = [[symbols.get(m, ""), m, _join(e["query"]), _join(e["mp"]), len(e["genotypes"])]
            for m, e in genes.items()]
    rows.sort(key=lambda r: (r[0] == "", r[0], r[1]))
    unnamed = sum(1 for r in rows if not r[0])
    if unnamed:
        log.warning("%d MGI marker(s) without a symbol in the report (multi-gene genotypes "
                    "only)", unnamed)
    return pd.DataFrame(rows, columns=MGI_SIGNATURE_COLUMNS)


# ------------------------------------------------------------------ Gene Ontology

GAF_COLUMNS = ["db", "db_object_id", "symbol", "qualifier", "go_id", "reference", "evidence",
               "with_from", "aspect", "db_object_name", "synonyms", "db_object_type",
               "taxon", "date", "assigned_by", "extension", "gene_product_form_id"]
GO_ID = re.compile(r"^GO:\d{7}$")
GO_RELATIONS = ("is_a", "part_of")


GAF_VERSION = re.compile(r"^!\s*gaf-version:\s*(\d+)(?:\.\d+)*\s*$")


def read_gaf(path: str | Path) -> pd.DataFrame:
    """Read a GO annotation file (GAF 2.2/2.1/2.0, or 1.0), e.g. ``mgi.gaf.gz``.

    Out: the 17 GAF columns (names in :data:`GAF_COLUMNS`; GAF 1.0's missing last two
    are empty) as text, plus ``line``. ``!`` lines are the header, which must say
    ``!gaf-version:`` before the first row; every row must then have the version's
    column count (17 from 2.0 on, 15 in 1.0). Raises InputError naming the line when a
    row has another column count, no GO id in column 5 or an aspect other than P/F/C in
    column 9, when the version line is missing, and (:func:`_lines`) when the last line
    is cut off.
    """
    path = Path(path)
    rows: list[list[str]] = []
    n_columns = 0  # from the !gaf-version: line
    for number, text in _lines(path):
        if not text.strip():
            continue
        if text.startswith("!"):
            version = GAF_VERSION.match(text.strip())
            if version and not rows:
                n_columns = 15 if version.group(1) == "1" else 17
            continue
        fields = text.split("\t")
        if len(fields) < 15 or not GO_ID.match(fields[4].strip()) \
                or fields[8].strip() not in NAMESPACES:
            raise InputError(f"{path}: line {number}: not a GAF row (expected 15-17 "
                             "tab-separated columns with a GO id in column 5 and P/F/C in "
                             f"column 9; found {len(fields)} field(s)). Give a GAF file such "
                             "as mgi.gaf.gz.")
        if not n_columns:
            raise InputError(f"{path}: no '!gaf-version:' header line before the first row "
                             f"(line {number}): the file's start is missing or it is not a "
                             "GO annotation file. Download it again (e.g. mgi.gaf.gz).")
        if len(fields) != n_columns:
            raise InputError(f"{path}: line {number}: {len(fields)} tab-separated columns; "
                             f"this GAF version has {n_columns} on every row. The file is "
                             "damaged or was cut off: download it again.")
        fields = [f.strip() for f in fields] + [""] * (17 - len(fields))
        rows.append(fields + [number])
    if not rows:
        raise InputError(f"{path}: no annotation rows; expected a GAF file (mgi.gaf.gz).")
    table = pd.DataFrame(rows, columns=[*GAF_COLUMNS, "line"])
    table.attrs["path"] = str(path)
    return table


def go_gene_sets(gaf: str | Path | pd.DataFrame, go_obo: str | Path | Ontology,
                 aspect: str = "P", evidence_exclude: Sequence[str] = ("ND",), *,
                 min_size: int = 15, max_size: int = 500) -> dict[str, set[str]]:
    """GO term -> gene symbols, with annotations propagated to all ancestor terms.

    In: a GAF (path or :func:`read_gaf` table; symbols from column 3); ``go-basic.obo``
    (path or :func:`read_obo` result); ``aspect`` P, F or C; evidence codes to leave out;
    set size limits (inclusive; 15-500 are GSEA's defaults). Rows with a ``NOT``
    qualifier are dropped (before propagation, so they remove nothing else); rows on
    obsolete or unknown GO ids are dropped (counted in the log); alt_ids count for
    their primary term. Annotations go up ``is_a`` and ``part_of`` and only terms of
    the aspect's namespace are kept.
    Out: a dict sorted by term id; names from :func:`term_names`.
    """
    if aspect not in NAMESPACES:
        raise InputError(f"aspect {aspect!r} is not one of P, F, C.")
    if not 1 <= min_size <= max_size:
        raise InputError(f"set sizes: need 1 <= min_size <= max_size, got {min_size}, "
                         f"{max_size}.")
    table = gaf if isinstance(gaf, pd.DataFrame) else read_gaf(gaf)
    onto = _ontology(go_obo)
    namespace = NAMESPACES[aspect]
    excluded = {e.strip().upper() for e in evidence_exclude}
    direct: dict[str, set[str]] = defaultdict(set)  # symbol -> GO ids
    dropped = {"NOT": 0, "evidence": 0, "obsolete": 0, "unknown": 0}
    for qualifier, go_id, evidence, row_aspect, symbol in zip(
            table["qualifier"], table["go_id"], table["evidence"], table["aspect"],
            table["symbol"]):
        if row_aspect != aspect or not symbol:
            continue
        if "NOT" in qualifier.upper().split("|"):
            dropped["NOT"] += 1
            continue
        if evidence.upper() in excluded:
            dropped["evidence"] += 1
            continue
        go_id = onto.primary(go_id)
        if go_id in onto.obsolete:
            dropped["obsolete"] += 1
            continue
        if go_id not in onto.names:
            dropped["unknown"] += 1
            continue
        direct[symbol].add(go_id)
    log.info("%s: rows left out: %s", table.attrs.get("path", "GAF"), dropped)
    above = onto.ancestor_map(GO_RELATIONS)
    sets: dict[str, set[str]] = defaultdict(set)
    for symbol, terms in direct.items():
        for term in set().union(*(above[t] for t in terms)):
            if onto.namespaces.get(term) == namespace and term in onto.names:
                sets[term].add(symbol)
    return {t: sets[t] for t in sorted(sets) if min_size <= len(sets[t]) <= max_size}


# ------------------------------------------------------------------ JensenLab DISEASES

JENSEN_COLUMNS = ["gene", "protein_id", "doid", "disease", "source", "evidence", "score"]
DOID = re.compile(r"^DOID:\d+$")


def jensen_signature(path: str | Path, doid: str, *, min_score: float) -> pd.DataFrame:
    """Genes associated with one disease in a JensenLab DISEASES channel file.

    In: ``human_disease_{experiments,knowledge}_filtered.tsv`` (headerless, 7 columns:
    gene id, symbol, DOID, disease name, source, evidence, score); a Disease Ontology id
    (``DOID:1595``, ``DOID_1595`` accepted); the minimum score (column 7, inclusive; the
    confidence score of the channel). Out: one row per human symbol, sorted:
    ``gene``, ``protein_id``, ``doid``, ``disease``, ``source``, ``evidence``, ``score``
    (the best row's). Raises InputError for another layout, or when no gene passes.
    """
    path = Path(path)
    doid = doid.strip().replace("_", ":")
    if not DOID.match(doid):
        raise InputError(f"disease id {doid!r} is not a Disease Ontology id like DOID:1595.")
    best: dict[str, list] = {}
    n_disease = 0
    for fields, score in _jensen_rows(path):
        if fields[2] != doid:
            continue
        n_disease += 1
        symbol = fields[1] or fields[0]
        if score >= min_score and (symbol not in best or score > best[symbol][-1]):
            best[symbol] = [symbol, fields[0], *fields[2:6], score]
    if not best:
        raise InputError(f"{path}: no gene for {doid} with score >= {min_score:g} "
                         f"({n_disease} row(s) for {doid}).")
    return pd.DataFrame([best[g] for g in sorted(best)], columns=JENSEN_COLUMNS)


# ------------------------------------------------------------------ GMT

def parse_gmt_line(path: Path, number: int, text: str, seen: dict[str, int]
                   ) -> tuple[str, str, list[str]]:
    """One GMT line ``name<TAB>description<TAB>gene…`` -> (name, description, genes in
    order, each once; Enrichr's ``GENE,weight`` keeps the gene). ``seen`` maps set names
    already read to their line, to refuse a set defined twice; errors name ``path`` and
    line ``number``."""
    cells = text.split("\t")
    name = cells[0].strip()
    if len(cells) < 2 or not name:
        raise InputError(f"{path}: line {number}: not a GMT line (expected "
                         "name<TAB>description<TAB>gene<TAB>gene…).")
    if name in seen:
        raise InputError(f"{path}: line {number}: gene set {name!r} already defined on "
                         f"line {seen[name]}.")
    genes = [c.split(",", 1)[0].strip() for c in cells[2:]]
    genes = list(dict.fromkeys(g for g in genes if g))
    if not genes:
        raise InputError(f"{path}: line {number}: gene set {name!r} has no genes.")
    return name, cells[1].strip(), genes


def read_gmt(path: str | Path) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Read a GMT gene-set collection: MSigDB (``mh.all.v2024.1.Mm.symbols.gmt``,
    ``m5.go.bp…``, ``m2.cp.reactome…``) or an Enrichr library (empty description, trailing
    TAB, ``GENE,weight`` tokens: the weight is dropped).

    Out: (set name -> genes, in file order, each gene once; set name -> readable name: the
    description unless that is empty, ``NA`` or a URL (MSigDB puts a link there), else the
    set name with underscores as spaces). Raises InputError naming the line for a line
    without a name, a set defined twice, or a set without genes.
    """
    path = Path(path)
    sets: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    where: dict[str, int] = {}
    for number, text in _lines(path):
        if not text.strip():
            continue
        name, description, genes = parse_gmt_line(path, number, text, where)
        sets[name], where[name] = genes, number
        names[name] = description if (description and description.upper() != "NA"
                                      and "://" not in description) \
            else name.replace("_", " ")
    if not sets:
        raise InputError(f"{path}: no gene set lines; expected a GMT file.")
    return sets, names


def _jensen_rows(path: Path) -> Iterator[tuple[list[str], float]]:
    """(fields, score) of each row of a DISEASES channel file: 7 tab-separated columns, a
    DOID in column 3, a numeric score in column 7; an InputError names the line otherwise."""
    for number, text in _lines(path):
        if not text.strip():
            continue
        fields = [f.strip() for f in text.split("\t")]
        if len(fields) != 7 or not DOID.match(fields[2]):
            raise InputError(f"{path}: line {number}: expected the 7 tab-separated columns of "
                             "a DISEASES file (gene id, symbol, DOID, disease, source, "
                             f"evidence, score) with a DOID in column 3; found {len(fields)} "
                             "field(s).")
        try:
            yield fields, float(fields[6])
        except ValueError:
            raise InputError(f"{path}: line {number}: score {fields[6]!r} is not a "
                             "number.") from None


def _check_jensen(path: str | Path) -> None:
    """A DISEASES channel file: at least one row, every row well formed, read to the end
    (a download cut off shows only there)."""
    path = Path(path)
    if not sum(1 for _ in _jensen_rows(path)):
        raise InputError(f"{path}: no rows; expected a DISEASES file (an empty download?).")


# ------------------------------------------------------------------ which organism


def symbol_style(symbols: Iterable[str]) -> str:
    """What organism gene symbols look like, from their case: ``human`` when at least 80 %
    of those with letters are all upper case (``CRHR1``, HGNC style), ``mouse`` when at
    least 80 % have lower-case letters (``Crhr1``, MGI/RGD style), else ``unclear``."""
    lettered = [s for s in symbols if any(c.isalpha() for c in s)]
    if not lettered:
        return "unclear"
    upper = sum(s == s.upper() for s in lettered) / len(lettered)
    return "human" if upper >= 0.8 else "mouse" if upper <= 0.2 else "unclear"


STYLE_TEXT = {"human": "upper-case symbols: looks human",
              "mouse": "capitalised symbols: looks mouse (or rat)",
              "unclear": "symbols of mixed case: organism unclear"}


def style_hint(symbols: Iterable[str], study_symbols: Iterable[str], what: str) -> str:
    """``upper-case symbols: looks human; a mouse collection is needed`` (``what``:
    collection) and the like: what ``symbols`` look like next to the study's own genes,
    for mapping errors."""
    theirs, ours = symbol_style(symbols), symbol_style(study_symbols)
    needed = f"; a {ours} {what} is needed" if ours != "unclear" and theirs != ours else ""
    return STYLE_TEXT[theirs] + needed


# How a download of each source is checked before it is trusted: read it as the workflow will
# (config ``genesets`` key -> reader; any InputError refuses the file).
SOURCE_CHECKS = {
    "gwas_catalog": read_gwas_catalog,
    "mgi_genepheno": read_mgi_genepheno,
    "mp_obo": read_obo,
    "diseases": _check_jensen,
    "go_obo": read_obo,
    "mgi_gaf": read_gaf,
    "msigdb_hallmark": read_gmt,
    "msigdb_reactome": read_gmt,
}
