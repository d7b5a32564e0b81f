"""Byte-exact writers the demo's files share (the study's, the signatures', the gene sets'):
equal inputs give equal bytes, and a file appears only when complete."""

from __future__ import annotations

import gzip
import io
from pathlib import Path


def gzip_bytes(text: str) -> bytes:
    """Gzip with mtime 0 and no file name, so equal text gives equal bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="", compresslevel=6) as gz:
        gz.write(text.encode("utf-8"))
    return buffer.getvalue()


def write_bytes(path: Path, data: bytes) -> None:
    """Write via a temporary name so an interrupted run leaves no half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
