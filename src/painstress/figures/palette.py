"""Palette PNGs: what the report embeds, for the figures (:func:`figures.style.save`) and
the notebooks' images. Light to import (Pillow only, when called): the notebook job needs
it without matplotlib or pandas."""

from __future__ import annotations

import io


def palette_png(data: bytes) -> bytes:
    """An image (a PNG, or any format Pillow reads) as a PNG with a 256-colour palette (no
    dithering): for plots, a third of the bytes of a 24-bit PNG and indistinguishable from
    it."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB").quantize(
        colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    packed = io.BytesIO()
    image.save(packed, format="PNG", optimize=True)
    return packed.getvalue()
