"""pbscope's version and those of the libraries it runs on, for Help ▸ About and
``pbscope --version``. Nothing is imported to learn a version (TensorFlow takes seconds),
and importlib.metadata and tomllib only when asked (not at the window's start)."""
from __future__ import annotations

from pathlib import Path

# (shown name, distributions that provide it, first found wins)
LIBRARIES = (
    ("numpy", ("numpy",)),
    ("protobuf", ("protobuf",)),
    ("TensorFlow", ("tensorflow-cpu", "tensorflow", "tf-nightly")),
    ("Keras", ("keras",)),
)


def pbscope_version() -> str:
    """From the clone's pyproject.toml when run from a clone (an installed pbscope may be
    another version), else from the installed distribution."""
    import tomllib
    from importlib import metadata
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if pyproject.is_file():
        try:
            return tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            pass
    try:
        return metadata.version("pbscope")
    except metadata.PackageNotFoundError:
        return "unknown"


def _distribution_version(names: tuple[str, ...]) -> str | None:
    from importlib import metadata
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def versions() -> dict[str, str | None]:
    """{'pbscope': '0.4.0', 'numpy': …, 'protobuf': …, 'TensorFlow': None if not installed, …}.
    The window adds Qt's and PySide6's."""
    out: dict[str, str | None] = {"pbscope": pbscope_version()}
    for shown, dists in LIBRARIES:
        out[shown] = _distribution_version(dists)
    return out
