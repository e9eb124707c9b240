"""The only entry point callers use: ``detect(path)`` and ``open_model(path)``.

Each reader module handles some kinds (see sniff.py) with ``open_graph(kind, progress)``.
A kind that no reader handles yet gets a message that names what the file is.
"""
from __future__ import annotations

import importlib
import logging
import os
import struct
import time

from google.protobuf.message import DecodeError

from ..errors import PbscopeError
from ..gcpause import gc_paused
from ..model import Graph
from ..progress import NO_PROGRESS, Progress
from ..proto.wire import WireError
from . import checkpoint, graphdef, savedmodel, weightsfile
from .sniff import Kind, sniff

log = logging.getLogger(__name__)
READERS = {kind: reader for reader in (graphdef, checkpoint, savedmodel, weightsfile) for kind in reader.KINDS}
# Readers whose libraries (h5py, flatbuffers) cost start-up time and memory are imported
# when a file of theirs is opened; each module's KINDS must agree (a test checks).
LAZY_READERS = {"hdf5": "keras", "keras": "keras", "zip": "keras", "tflite": "tflite",
                "json": "tfjs", "tfjs-shard": "tfjs"}


def reader_of(kind: str):
    """The reader module for a kind, or None when no reader opens it."""
    reader = READERS.get(kind)
    if reader is None and kind in LAZY_READERS:
        reader = READERS[kind] = importlib.import_module(f".{LAZY_READERS[kind]}", __name__)
    return reader


def detect(path: str | os.PathLike) -> Kind:
    """What the file or folder holds, from its content. Raises PbscopeError."""
    return sniff(path)


def open_model(path: str | os.PathLike, progress: Progress = NO_PROGRESS) -> Graph:
    """Open any model pbscope reads. Raises PbscopeError with the user's one line."""
    t0 = time.perf_counter()
    kind = sniff(path)
    reader = reader_of(kind.name)
    log.debug("%s: %s (kind %s), read by %s", kind.path, kind.label, kind.name,
              reader.__name__.rpartition(".")[2] if reader is not None else "no reader")
    if reader is None:
        raise PbscopeError(kind.path, f"this is {kind.label}; pbscope does not open this kind of file")
    try:
        with gc_paused():
            graph = reader.open_graph(kind, progress)
        log.info("opened %s: %s, %d ops, %d weights in %.3f s", graph.path, graph.format, len(graph.ops),
                 len(graph.weights), time.perf_counter() - t0)
        return graph
    except MemoryError:
        raise PbscopeError(kind.path, "not enough memory to open it") from None
    except PbscopeError:
        raise
    except RecursionError:
        raise PbscopeError(kind.path, "corrupt: messages nested too deeply") from None
    except (WireError, DecodeError, UnicodeDecodeError, struct.error, IndexError, KeyError) as e:
        # a damaged file the readers did not foresee: still one line, never a traceback
        raise PbscopeError(kind.path, f"corrupt {kind.label.removeprefix('a ').removeprefix('an ')}: "
                                      f"{type(e).__name__}: {e}") from None


__all__ = ["detect", "open_model", "Kind", "Graph"]
