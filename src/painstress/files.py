"""Reading inputs and writing outputs safely.

Tables are written to a temporary name and renamed into place, so an interrupted job
never leaves a half-written file that looks complete; float formatting is fixed so the
same inputs give byte-identical tables.
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pandas as pd

from painstress import InputError

FLOAT_FORMAT = "%.6g"


def write_tsv(table: pd.DataFrame, path: str | Path, *, index: bool = False) -> None:
    """Write ``table`` as TSV (gzip if ``path`` ends in .gz), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    options = dict(sep="\t", index=index, float_format=FLOAT_FORMAT, lineterminator="\n")
    if path.suffix == ".gz":
        # no file name and no time in the gzip header: same table, same bytes
        with open(tmp, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed, \
                io.TextIOWrapper(packed, encoding="utf-8", newline="") as text:
            table.to_csv(text, **options)
    else:
        table.to_csv(tmp, **options)
    tmp.replace(path)


def open_text(path: str | Path) -> io.TextIOBase:
    """Open ``path`` as UTF-8 text, decompressing if its first bytes are gzip's magic."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found.")
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_text(path: str | Path) -> str:
    """The whole of ``path`` as text (gzip or not); an unreadable file is an InputError."""
    try:
        with open_text(path) as fh:
            return fh.read()
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # truncated gzip, binary junk
        raise InputError(f"{path}: cannot be read as (gzipped) text: {exc}. "
                         "Delete it and fetch it again.") from exc


def refuse_html(path: str | Path, text: str) -> None:
    """Refuse ``text`` that is a web page (an error page saved in place of a data file)."""
    head = text.lstrip()[:200].lower()
    if head.startswith("<!doctype html") or head.startswith("<html") or "<html" in head:
        raise InputError(f"{path}: is an HTML page, not a data file "
                         "(a web error page saved in place of the data?). "
                         "Delete it and fetch it again.")


def read_tsv(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a TSV written by :func:`write_tsv`."""
    return pd.read_csv(path, sep="\t", keep_default_na=True, **kwargs)


TABLE_CSS = """<style>
body { font-family: system-ui, sans-serif; font-size: 13px; margin: 12px; }
table { border-collapse: collapse; }
th, td { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: right; }
th { background: #f2f2f2; position: sticky; top: 0; }
td:first-child, th:first-child { text-align: left; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 4px 0; }
</style>"""


def write_html_table(table: pd.DataFrame, path: str | Path, title: str,
                     max_rows: int = 500) -> None:
    """A readable, self-contained HTML page of ``table`` (first ``max_rows`` rows)."""
    shown = table.head(max_rows)
    note = "" if len(table) <= max_rows else \
        f"<p>First {max_rows} of {len(table)} rows; the TSV has them all.</p>"
    body = shown.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="",
                         border=0, escape=True)
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"{TABLE_CSS}</head><body><h3>{title}</h3>{note}{body}</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
