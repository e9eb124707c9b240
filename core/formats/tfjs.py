"""TF.js models: model.json (layers or graph model) with its weight shards. (A placeholder: the reader is being written.)"""
from __future__ import annotations

from ..errors import PbscopeError
from ..model import Graph
from ..progress import NO_PROGRESS, Progress
from .sniff import Kind

KINDS = ("json", "tfjs-shard")


def open_graph(kind: Kind, progress: Progress = NO_PROGRESS) -> Graph:
    raise PbscopeError(kind.path, f"this is {kind.label}; pbscope does not open this kind of file yet")
