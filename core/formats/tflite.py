"""TensorFlow Lite flatbuffers (.tflite). (A placeholder: the reader is being written.)"""
from __future__ import annotations

from ..errors import PbscopeError
from ..model import Graph
from ..progress import NO_PROGRESS, Progress
from .sniff import Kind

KINDS = ("tflite",)


def open_graph(kind: Kind, progress: Progress = NO_PROGRESS) -> Graph:
    raise PbscopeError(kind.path, f"this is {kind.label}; pbscope does not open this kind of file yet")
