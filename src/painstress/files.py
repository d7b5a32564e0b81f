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

import pandas as pd

from painstress import InputError, OutputError

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
table.dataTable td, table.dataTable th { padding: 3px 8px; }
</style>"""


def write_html_table(table: pd.DataFrame, path: str | Path, title: str) -> None:
    """A self-contained HTML page of the whole ``table``, sortable and searchable offline
    (itables: DataTables embedded, no network needed to open it). Cell text and the title
    are escaped: data is shown, never run."""
    import itables.options
    from itables import to_html_datatable
    from itables.javascript import generate_init_offline_itables_html

    # numbers as text with 4 significant digits (DataTables still sorts them as numbers);
    # a missing value is an empty cell, not "NaN"
    shown = table.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.4g}")
        elif shown[column].dtype == object:
            shown[column] = shown[column].where(shown[column].notna(), "")
    body = to_html_datatable(
        shown, connected=False, display_logo_when_loading=False, pageLength=25,
        lengthMenu=[10, 25, 100, 500, -1], maxBytes=0, classes="display compact",
        layout={"topStart": "pageLength", "topEnd": "search", "bottomStart": "info",
                "bottomEnd": "paging"})
    library = generate_init_offline_itables_html(itables.options.dt_bundle)
    escaped = html.escape(title)
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escaped}</title>"
            f"{TABLE_CSS}</head><body><h3>{escaped}</h3>{library}{body}</body></html>")
    write_text(page, path)
