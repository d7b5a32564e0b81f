"""Reading inputs and writing outputs safely.

Tables are written to a temporary name and renamed into place, so an interrupted job
never leaves a half-written file that looks complete; float formatting is fixed so the
same inputs give byte-identical tables.
"""

from __future__ import annotations

import errno
import glob
import gzip
import html
import io
import os
from pathlib import Path

from painstress import InputError, OutputError, lazy_module

pd = lazy_module("pandas")

FLOAT_FORMAT = "%.6g"


NO_ROOM = (errno.ENOSPC, errno.EDQUOT)
NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)
IN_THE_WAY = (errno.EEXIST, errno.ENOTDIR)


def _top_folder(path: Path) -> str:
    """``results/`` or ``resources/`` for a path under one of them, else the path's folder."""
    parts = path.parts
    return f"{parts[0]}/" if len(parts) > 1 and not path.is_absolute() else f"{path.parent}/"


def output_error(exc: OSError, path: str | Path) -> OutputError | None:
    """The clear error for writing ``path`` failing with ``exc`` (no space left, folder not
    writable, a file where a folder must be), or None for any other error."""
    path = Path(path)
    if exc.errno in NO_ROOM:
        return OutputError(
            f"no space left on {path.parent}/ (device full while writing {path}): free space "
            f"on that disk and run again, or run the workflow in a folder with room "
            f"(snakemake --directory DIR, or make {_top_folder(path)} a link to a folder on a "
            "disk with room). Nothing half-written was kept.")
    if exc.errno in NOT_WRITABLE:
        return OutputError(
            f"cannot write to {path.parent}/ ({exc.strerror}, writing {path.name}): make that "
            f"folder writable (chmod u+w {path.parent}) or run the workflow in a folder you "
            "can write to (snakemake --directory DIR).")
    if exc.errno in IN_THE_WAY:
        return OutputError(
            f"cannot create the folder for {path}: a file is in the way "
            f"({exc.filename or path.parent} is not a folder). Move that file away and run "
            "again.")
    return None


def make_folder(folder: Path, for_file: Path) -> None:
    """``folder.mkdir(parents=True)``, with an :class:`OutputError` naming it on failure."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        error = output_error(exc, for_file)
        if error is None:
            raise
        raise error from exc


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_parts(path: str | Path) -> list[Path]:
    """Delete temporary files left beside ``path`` by an earlier writer that was killed
    (``.<name>.<pid>.part``, ``.<name>.<pid>.json.part``), so that nothing half-written
    stays; a part whose process still runs is left alone. Returns those deleted."""
    path = Path(path)
    removed = []
    if not path.parent.is_dir():
        return removed
    for part in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        pid = part.name[len(path.name) + 2:-len(".part")].removesuffix(".json")
        if not pid.isdigit() or (int(pid) != os.getpid() and _pid_alive(int(pid))):
            continue
        part.unlink(missing_ok=True)
        removed.append(part)
    return removed


def _atomic(path: str | Path, write) -> None:
    """Run ``write(tmp)`` on ``.<name>.<pid>.part`` and rename it to ``path`` when complete.

    A part left by a killed earlier writer is deleted first. A full disk or a folder that
    cannot be written is an :class:`OutputError` naming the path; on any failure (Ctrl-C
    too) no part file stays, so nothing half-written is ever trusted.
    """
    path = Path(path)
    make_folder(path.parent, path)
    remove_stale_parts(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        write(tmp)
        tmp.replace(path)
    except OSError as exc:
        error = output_error(exc, path)
        if error is None:
            raise
        raise error from exc
    finally:
        tmp.unlink(missing_ok=True)


def write_text(text: str, path: str | Path) -> None:
    """Write ``text`` (UTF-8) to ``path``, atomically (see :func:`_atomic`)."""
    _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))


def write_bytes(data: bytes, path: str | Path) -> None:
    """Write ``data`` to ``path``, atomically (see :func:`_atomic`)."""
    _atomic(path, lambda tmp: tmp.write_bytes(data))


def write_tsv(table: pd.DataFrame, path: str | Path, *, index: bool = False) -> None:
    """Write ``table`` as TSV (gzip if ``path`` ends in .gz), atomically (see
    :func:`_atomic`), with fixed float formatting: same table, same bytes."""
    options = dict(sep="\t", index=index, float_format=FLOAT_FORMAT, lineterminator="\n")

    def write(tmp: Path) -> None:
        if Path(path).suffix == ".gz":
            # no file name and no time in the gzip header: same table, same bytes
            with open(tmp, "wb") as raw, \
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed, \
                    io.TextIOWrapper(packed, encoding="utf-8", newline="") as text:
                table.to_csv(text, **options)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as text:
                table.to_csv(text, **options)

    _atomic(path, write)


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
    # only an empty cell is missing (write_tsv writes NaN so): a gene named NA stays NA
    return pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[""], **kwargs)


TABLE_CSS = """<style>
body { font-family: system-ui, sans-serif; font-size: 13px; margin: 12px; }
table { border-collapse: collapse; }
td, th { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: left;
         white-space: nowrap; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { position: sticky; top: 0; background: #f4f4f4; }
th button { all: unset; cursor: pointer; font-weight: bold; }
th[aria-sort=ascending] button::after { content: " \\25B2"; }
th[aria-sort=descending] button::after { content: " \\25BC"; }
</style>"""

# Sorting (click a column name: numbers as numbers, empty cells last) and search (every
# word of the box must occur in the row). Static code: the page's data is only in the
# escaped table, never in a script.
TABLE_SCRIPT = """<script>
(function () {
  var table = document.getElementById("table"), body = table.tBodies[0];
  var heads = Array.from(table.tHead.rows[0].cells), rows = Array.from(body.rows);
  var search = document.getElementById("search"), count = document.getElementById("count");
  function value(row, i, numeric) {
    var text = row.cells[i].textContent;
    if (text === "") return null;
    if (!numeric) return text.toLowerCase();
    return text === "inf" ? Infinity : text === "-inf" ? -Infinity : Number(text);
  }
  function sortBy(th, i) {
    var up = th.getAttribute("aria-sort") !== "ascending", numeric = th.dataset.type === "num";
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = value(a, i, numeric), y = value(b, i, numeric);
      if (x === null || y === null) return (x === null) - (y === null);
      return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  function filter() {
    var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      shown += row.hidden ? 0 : 1;
    });
    count.textContent = shown + " of " + rows.length + " rows";
  }
  heads.forEach(function (th, i) {
    th.querySelector("button").addEventListener("click", function () { sortBy(th, i); });
  });
  search.addEventListener("input", filter);
  filter();
})();
</script>"""


def write_html_table(table: pd.DataFrame, path: str | Path, title: str) -> None:
    """A self-contained HTML page of the whole ``table``: one HTML table, sortable by any
    column and searchable by a small inline script (no library, no network). Numbers are
    shown with 4 significant digits and sorted as numbers; a missing value is an empty
    cell. Column names, cells and the title are escaped: data is shown, never run."""
    def cell(value, numeric: bool) -> str:
        if pd.isna(value):
            text = ""
        elif numeric and isinstance(value, float):
            text = f"{value:.4g}"
        else:
            text = str(value)
        return f"<td class=num>{html.escape(text)}</td>" if numeric else \
            f"<td>{html.escape(text)}</td>"

    numeric = [pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(
        table[c]) for c in table.columns]
    head = "".join(f"<th{' data-type=num' if num else ''}><button type=button>"
                   f"{html.escape(str(name))}</button></th>"
                   for name, num in zip(table.columns, numeric))
    body = "\n".join("<tr>" + "".join(cell(v, num) for v, num in zip(row, numeric)) + "</tr>"
                     for row in table.itertuples(index=False, name=None))
    escaped = html.escape(title)
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escaped}</title>"
            f"{TABLE_CSS}</head><body><h3>{escaped}</h3>\n"
            "<p><input type=search id=search placeholder='Search' aria-label='Search the "
            "table'> <span id=count></span></p>\n"
            f"<table id=table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>"
            f"</table>\n{TABLE_SCRIPT}</body></html>\n")
    write_text(page, path)
