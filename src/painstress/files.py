"""Writing outputs safely, and running workflow scripts with clear errors.

Tables are written to a temporary name and renamed into place, so an interrupted job
never leaves a half-written file that looks complete; float formatting is fixed so the
same inputs give byte-identical tables.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import sys
import traceback
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


def read_tsv(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a TSV written by :func:`write_tsv`."""
    return pd.read_csv(path, sep="\t", keep_default_na=True, **kwargs)


def run_script(main, snakemake) -> None:
    """Run ``main(snakemake)`` from a workflow script.

    Logs go to the rule's log file. An :class:`InputError` (bad user input) is printed
    as one clear message, without a traceback, and the job fails; any other error keeps
    its traceback, in the log and on the terminal.
    """
    log_path = snakemake.log[0] if snakemake.log else None
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(message)s")
    try:
        main(snakemake)
    except InputError as error:
        logging.error("%s", error)
        sys.exit(1)
    except Exception:
        logging.error("unexpected failure:\n%s", traceback.format_exc())
        raise


def offline_missing(paths) -> InputError:
    """The error for a file that offline mode needs but resources/ lacks."""
    listed = "\n  ".join(map(str, paths))
    return InputError(
        "offline: true, and these files are not in resources/:\n  " + listed + "\n"
        "Download them from GEO (series page -> 'Download RNA-seq counts'; the series "
        "matrix from the series' matrix/ folder) and put them there under exactly these "
        "names, or set offline: false on a machine that reaches NCBI.")


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
