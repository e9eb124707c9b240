"""Reader for TF1 checkpoints: a folder, a prefix (``model.ckpt``), its ``.index``,
``.meta`` or data shard, or the ``checkpoint`` state file that names the latest prefix.

The graph comes from the ``.meta`` (MetaGraphDef), parsed without TensorFlow; the weights
are the graph's variables, read lazily from the checkpoint (tensorbundle.py). Without a
``.meta`` the checkpoint lists as a flat tree of its variables, as inspect_checkpoint
does; without the checkpoint's data, the graph still opens and the weights are marked
unavailable.
"""
from __future__ import annotations

import glob
import os
import re

from .. import proto
from ..errors import PbscopeError
from ..model import Graph
from ..progress import NO_PROGRESS, Progress
from .graphdef import load, parse_text
from .metagraph import fill_from_text, read_binary_meta_graph
from .sniff import Kind, sniff
from .tensorbundle import BundleReader
from .variables import (
    attach_variables,
    note_kept_apart,
    require_values,
    trainable_names,
)

KINDS = ("checkpoint-dir", "checkpoint-state", "checkpoint-index", "checkpoint-data",
         "checkpoint-prefix", "metagraph", "metagraph-text")
_DATA = re.compile(r"\.data-\d{5}-of-\d{5}$")
_STATE = re.compile(r'^\s*model_checkpoint_path\s*:\s*"((?:[^"\\]|\\.)*)"', re.M)


def open_graph(kind: Kind, progress: Progress = NO_PROGRESS) -> Graph:
    meta_path, meta_kind, prefix, index_path = resolve(kind)
    progress.report(0.05, "reading the checkpoint index")
    bundle = BundleReader(prefix, index_path) if prefix else None
    unavailable = require_values(prefix, bundle) if bundle else \
        "no value: the checkpoint for this graph was not found"
    if meta_path is None:
        if unavailable and bundle is not None:
            raise PbscopeError(prefix, unavailable)
        graph = Graph(kind.path, "TF checkpoint (no .meta: variables only)")
        trainable = None
    else:
        graph = Graph(kind.path, "TF1 checkpoint (.meta + checkpoint)" if bundle else "MetaGraphDef (.meta)")
        meta = _read_meta(meta_path, meta_kind, graph, progress)
        trainable = trainable_names(meta)
        if bundle is None:
            graph.notes.append(f"no checkpoint beside {os.path.basename(meta_path)}: the graph opens, "
                               "its weights have no values")
    if bundle is not None and unavailable:
        graph.notes.append(unavailable + ": the weights have no values")
    progress.report(0.8, "matching variables")
    found = attach_variables(graph, bundle, unavailable if bundle is None or unavailable else None,
                             trainable)
    graph.finish(lambda g: found)
    note_kept_apart(graph)
    progress.report(1.0, "done")
    return graph


def _read_meta(path: str, kind: str, graph: Graph, progress: Progress):
    if kind == "metagraph-text":
        meta = parse_text(path, proto.MetaGraphDef(), "MetaGraphDef")
        fill_from_text(graph, meta)
        return meta
    return read_binary_meta_graph(path, load(path, os.path.getsize(path)), graph, progress=progress)


def resolve(kind: Kind) -> tuple[str | None, str, str | None, str | None]:
    """(.meta path or None, its kind, checkpoint prefix or None, index path or None)."""
    path = kind.path
    name = kind.name
    if name in ("checkpoint-dir", "checkpoint-state"):
        folder = path if name == "checkpoint-dir" else os.path.dirname(path) or "."
        prefix = _from_state(folder, path if name == "checkpoint-state" else None)
    elif name == "checkpoint-index":
        if path.endswith(".index"):
            prefix = path[: -len(".index")]
        else:   # a "V1" checkpoint: the table file is the checkpoint
            meta = _meta_for(path)
            return meta, _meta_kind(meta), path, path
    elif name == "checkpoint-data":
        prefix = _DATA.sub("", path)
    elif name == "checkpoint-prefix":
        prefix = path
    else:   # a .meta
        prefix = path[: -len(".meta")] if path.endswith(".meta") else None
        if prefix is not None and not os.path.exists(prefix + ".index"):
            v1 = _v1_file(prefix)
            return (path, name, v1, v1) if v1 else (path, name, None, None)
        return path, name, prefix, (prefix + ".index") if prefix else None
    if not os.path.exists(prefix + ".index"):
        v1 = _v1_file(prefix)
        if v1:
            meta = _meta_for(prefix)
            return meta, _meta_kind(meta), v1, v1
        raise PbscopeError(prefix + ".index", "missing: the checkpoint's .index file is not there")
    meta = _meta_for(prefix)
    return meta, _meta_kind(meta), prefix, prefix + ".index"


def _meta_kind(meta: str | None) -> str:
    """A .meta found beside a checkpoint is binary or text (``export_meta_graph(as_text=True)``):
    told by its content, as when it is opened itself."""
    if meta is None:
        return "metagraph"
    name = sniff(meta).name
    return name if name in ("metagraph", "metagraph-text") else "metagraph"


def _v1_file(prefix: str) -> str | None:
    """A "V1" checkpoint's table file for ``prefix``: the prefix itself, or its one shard."""
    if os.path.isfile(prefix):
        return prefix
    shards = glob.glob(glob.escape(prefix) + "-?????-of-?????")
    return shards[0] if len(shards) == 1 else None


def _meta_for(prefix: str) -> str | None:
    if os.path.exists(prefix + ".meta"):
        return prefix + ".meta"
    metas = glob.glob(os.path.join(glob.escape(os.path.dirname(prefix) or "."), "*.meta"))
    return metas[0] if len(metas) == 1 else None


def _from_state(folder: str, state_path: str | None) -> str:
    """The prefix a folder's ``checkpoint`` file names, or the folder's only (newest) .index."""
    state = state_path or os.path.join(folder, "checkpoint")
    if os.path.isfile(state):
        try:
            with open(state, encoding="utf-8", errors="replace") as f:
                m = _STATE.search(f.read())
        except OSError as e:
            raise PbscopeError(state, f"cannot read it: {e.strerror or e}") from None
        if not m:
            raise PbscopeError(state, "no model_checkpoint_path in this checkpoint state file")
        named = m.group(1).encode().decode("unicode_escape")
        candidates = [named if os.path.isabs(named) else os.path.join(folder, named),
                      os.path.join(folder, os.path.basename(named))]
        for prefix in candidates:
            if os.path.exists(prefix + ".index") or _v1_file(prefix):
                return prefix
        raise PbscopeError(state, f"points to {named!r}, but {os.path.basename(named)}.index is "
                                  f"not in {folder}")
    indexes = sorted(glob.glob(os.path.join(glob.escape(folder), "*.index")), key=os.path.getmtime)
    if not indexes:
        raise PbscopeError(folder, "no checkpoint here: no 'checkpoint' file and no .index")
    return indexes[-1][: -len(".index")]
