"""A picture of a view written to disk: SVG by core itself, PNG through a rasteriser the
caller brings (the window's Qt; core never imports Qt). Written atomically."""
from __future__ import annotations

import contextlib
import os
from typing import Callable

from ..atomic import temp_file_beside
from ..errors import PbscopeError
from .svg import to_svg

Rasterize = Callable[[bytes, str], None]     # (svg bytes, output path) → writes a PNG there


def picture_format(out: str) -> str:
    ext = os.path.splitext(out)[1].lower()
    if ext not in (".svg", ".png"):
        raise PbscopeError(out, "the picture must be an .svg or a .png file")
    return ext[1:]


def write_picture(view, out: str, rasterize: Rasterize | None = None) -> str:
    """Write ``view`` to ``out`` (.svg or .png); returns the format written."""
    fmt = picture_format(out)
    svg = to_svg(view).encode("utf-8")
    if fmt == "svg":
        write_bytes(out, svg)
    else:
        if rasterize is None:
            raise PbscopeError(out, "PNG pictures need the window's Qt libraries (PySide6): "
                                    "install them, or write an .svg")
        fd, tmp = temp_file_beside(out)
        os.close(fd)
        _finish(tmp, out, lambda: rasterize(svg, tmp))
    return fmt


def write_bytes(out: str, data: bytes) -> None:
    fd, tmp = temp_file_beside(out)

    def write():
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    _finish(tmp, out, write)


def _finish(tmp: str, out: str, write: Callable[[], None]) -> None:
    try:
        write()
        os.replace(tmp, out)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise PbscopeError(out, f"cannot write it: {e.strerror or e}") from None
        raise
