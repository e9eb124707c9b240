"""Small text formatters shared by the tree, the details pane and the status bar.
None of them raises, whatever the value (a hostile file's shape can claim 2**200 bytes)."""
from __future__ import annotations

from ..core.limits import bytes_text, compact_count, dims_text

_HUGE = 1 << 50     # past this, core's formatters (no float conversion, which overflows)


def human_bytes(n: int) -> str:
    """1536 → '1.5 KB' (powers of 1024, one decimal where it helps)."""
    if not isinstance(n, int) or not 0 <= n < _HUGE:
        return bytes_text(n)
    if n < 1024:
        return f"{n} B"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024.0
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}" if n < 100 else f"{n:.0f} {unit}"
    return f"{n:.0f} TB"  # pragma: no cover


human_count = compact_count      # 4231848 → '4.23M'
shape_text = dims_text           # '3×3×32'


def number(v) -> str:
    """A statistic for display: compact but exact enough to compare."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if f != f:
        return "nan"
    if f in (float("inf"), float("-inf")):
        return "inf" if f > 0 else "-inf"
    if f == int(f) and abs(f) < 1e15:
        return f"{int(f)}"
    return f"{f:.6g}"
