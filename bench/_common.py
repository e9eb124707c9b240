"""Helpers shared by the benchmarks: paths, memory figures, child processes, tables.

Nothing here imports TensorFlow, numpy or pbscope: the parent process of a
benchmark stays small, and each measurement runs in a fresh child.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

MB = 2**20
REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("PBSCOPE_BENCH_CACHE", Path.home() / ".cache" / "pbscope-bench"))
MARK = "BENCH_RESULT "


def repo_on_path() -> None:
    """Make ``import pbscope`` give this clone when a script under bench/ runs directly."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import main  # noqa: F401 - registers the clone as `pbscope`


# -- memory ---------------------------------------------------------------
def peak_rss() -> int:
    """Peak resident set size of this process so far, in bytes (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rss() -> dict[str, int]:
    """Current RSS and its anonymous / file-backed parts, in bytes (Linux /proc)."""
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    out[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return out


def mb(n: float | int | None) -> str:
    return "-" if n is None else f"{n / MB:,.1f}"


# -- files ----------------------------------------------------------------
def warm_page_cache(path: str | os.PathLike, chunk: int = 16 * MB) -> float:
    """Read the whole file once so every measurement finds it in the page cache."""
    t = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(chunk)
        while f.readinto(buf):
            pass
    return time.perf_counter() - t


# -- child processes ------------------------------------------------------
def emit(result: dict) -> None:
    """A child's last word: its figures as one JSON line on stdout."""
    sys.stdout.write(MARK + json.dumps(result) + "\n")
    sys.stdout.flush()


class ChildFailed(RuntimeError):
    pass


def run_child(argv: list[str], timeout: float = 1800, env: dict | None = None) -> dict:
    """Run ``python <argv>`` in a fresh process; return the dict it emitted."""
    full_env = dict(os.environ)
    full_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    full_env.setdefault("PYTHONHASHSEED", "0")
    if env:
        full_env.update(env)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, *argv], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=str(REPO))
    wall = time.perf_counter() - t
    found = None
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            found = json.loads(line[len(MARK):])
    if proc.returncode != 0 or found is None:
        tail = "\n".join((proc.stdout + "\n" + proc.stderr).strip().splitlines()[-30:])
        raise ChildFailed(f"child {' '.join(argv)} failed (exit {proc.returncode}):\n{tail}")
    found["_process_wall_s"] = wall
    return found


# -- the machine ----------------------------------------------------------
def machine() -> dict[str, str]:
    info = {
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            info["ram"] = f"{kb / 2**20:.1f} GiB"
    except OSError:
        pass
    return info


def package_version(name: str) -> str:
    """A package's version without importing it."""
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


# -- tables ---------------------------------------------------------------
def table(header: list[str], rows: list[list[str]], markdown: bool = False,
          left: int = 1) -> str:
    """A text (or markdown) table; the first ``left`` columns are left-aligned."""
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(r):
        parts = [c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
        return ("| " + " | ".join(parts) + " |") if markdown else "  ".join(parts)

    sep = ("|" + "|".join("-" * (w + 1) + ":" if i >= left else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|") if markdown \
        else "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), sep] + [line(r) for r in cells[1:]])


def seconds(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def spread(xs: list[float]) -> str:
    return f"{min(xs):.3f}–{max(xs):.3f}" if len(xs) > 1 else "-"


def median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
