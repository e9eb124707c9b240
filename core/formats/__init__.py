"""The only entry point callers use: ``detect(path)`` and ``open_model(path)``.

Each reader module handles some kinds (see sniff.py) with ``open_graph(kind, progress)``.
A kind that no reader handles yet gets a message that names what the file is.
"""
from __future__ import annotations

import os

from ..errors import PbscopeError
from ..gcpause import gc_paused
from ..model import Graph
from ..progress import NO_PROGRESS, Progress
from . import graphdef, weightsfile
from .sniff import Kind, sniff

READERS = {kind: reader for reader in (graphdef, weightsfile) for kind in reader.KINDS}

_NOT_YET = {
    "metagraph": "opening MetaGraphDefs (.meta + checkpoint) is not supported yet",
    "metagraph-text": "opening MetaGraphDefs is not supported yet",
    "savedmodel": "opening SavedModels is not supported yet",
    "savedmodel-text": "opening SavedModels is not supported yet",
    "savedmodel-dir": "opening SavedModels is not supported yet",
    "checkpoint-dir": "opening checkpoints is not supported yet",
    "checkpoint-state": "opening checkpoints is not supported yet",
    "checkpoint-index": "opening checkpoints is not supported yet",
    "checkpoint-data": "it holds raw tensor bytes only; open the checkpoint's .index or folder",
}


def detect(path: str | os.PathLike) -> Kind:
    """What the file or folder holds, from its content. Raises PbscopeError."""
    return sniff(path)


def open_model(path: str | os.PathLike, progress: Progress = NO_PROGRESS) -> Graph:
    """Open any model pbscope reads. Raises PbscopeError with the user's one line."""
    kind = sniff(path)
    reader = READERS.get(kind.name)
    if reader is None:
        why = _NOT_YET.get(kind.name, "pbscope does not open this kind of file")
        raise PbscopeError(kind.path, f"this is {kind.label}; {why}")
    try:
        with gc_paused():
            return reader.open_graph(kind, progress)
    except MemoryError:
        raise PbscopeError(kind.path, "not enough memory to open it") from None
    except PbscopeError:
        raise
    except RecursionError:
        raise PbscopeError(kind.path, "corrupt: messages nested too deeply") from None


__all__ = ["detect", "open_model", "Kind", "Graph"]
