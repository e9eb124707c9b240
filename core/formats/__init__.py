"""The only entry point callers use: ``detect(path)`` and ``open_model(path)``.

Each reader module handles some kinds (see sniff.py) with ``open_graph(kind, progress)``.
A kind that no reader handles yet gets a message that names what the file is.
"""
from __future__ import annotations

import os
import struct

from google.protobuf.message import DecodeError

from ..errors import PbscopeError
from ..gcpause import gc_paused
from ..model import Graph
from ..progress import NO_PROGRESS, Progress
from ..proto.wire import WireError
from . import checkpoint, graphdef, keras, savedmodel, tfjs, tflite, weightsfile
from .sniff import Kind, sniff

READERS = {kind: reader for reader in (graphdef, checkpoint, savedmodel, weightsfile, keras, tflite, tfjs)
           for kind in reader.KINDS}


def detect(path: str | os.PathLike) -> Kind:
    """What the file or folder holds, from its content. Raises PbscopeError."""
    return sniff(path)


def open_model(path: str | os.PathLike, progress: Progress = NO_PROGRESS) -> Graph:
    """Open any model pbscope reads. Raises PbscopeError with the user's one line."""
    kind = sniff(path)
    reader = READERS.get(kind.name)
    if reader is None:
        raise PbscopeError(kind.path, f"this is {kind.label}; pbscope does not open this kind of file")
    try:
        with gc_paused():
            return reader.open_graph(kind, progress)
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
