"""Reader for SavedModels: a folder with saved_model.pb (or .pbtxt) and variables/.

One meta graph is shown (the one tagged "serve", else the first; all are listed in the
notes), with its signatures, the ops inside its function library, and its variables
valued from variables/ (keys mapped to readable names through the checkpoint's object
graph). A SavedModel without variables/ still opens; its weights are marked unavailable.
"""
from __future__ import annotations

import os

from .. import proto
from ..errors import PbscopeError
from ..model import Graph
from ..progress import NO_PROGRESS, Progress
from ..proto.wire import LEN, VARINT, WireError, iter_fields
from .graphdef import load, parse_text
from .metagraph import fill_from_text, read_binary_meta_graph
from .sniff import Kind
from .tensorbundle import BundleReader
from .variables import (
    attach_variables,
    note_kept_apart,
    require_values,
    trainable_names,
)

KINDS = ("savedmodel", "savedmodel-text", "savedmodel-dir")


def open_graph(kind: Kind, progress: Progress = NO_PROGRESS) -> Graph:
    folder, pb = _locate(kind)
    graph = Graph(folder, "SavedModel")
    progress.report(0.05, "reading saved_model.pb")
    if pb.endswith(".pbtxt") or kind.name == "savedmodel-text":
        meta, all_tags = _text(pb, graph)
    else:
        meta, all_tags = _binary(pb, graph, progress)
    if len(all_tags) > 1:
        graph.notes.append("meta graphs: " + "; ".join(", ".join(t) or "(no tags)" for t in all_tags)
                           + f" — showing {', '.join(graph.tags) or 'the first'}")
    prefix = os.path.join(folder, "variables", "variables")
    bundle, unavailable = None, None
    if os.path.exists(prefix + ".index"):
        bundle = BundleReader(prefix)
        unavailable = require_values(prefix, bundle)
    elif not os.path.isdir(os.path.join(folder, "variables")):
        unavailable = f"no value: {os.path.join(folder, 'variables')} is missing"
    else:
        unavailable = f"no value: {prefix}.index is missing"
    progress.report(0.8, "matching variables")
    found = attach_variables(graph, bundle, unavailable, trainable_names(meta))
    if unavailable and (found[0] or found[1]):
        graph.notes.append(unavailable.removeprefix("no value: ") + ": the weights have no values")
    graph.finish(lambda g: found)
    note_kept_apart(graph)
    progress.report(1.0, "done")
    return graph


def _locate(kind: Kind) -> tuple[str, str]:
    if kind.name == "savedmodel-dir":
        folder = kind.path
        pb = os.path.join(folder, "saved_model.pb")
        if not os.path.exists(pb):
            pb = os.path.join(folder, "saved_model.pbtxt")
        return folder, pb
    return os.path.dirname(kind.path) or ".", kind.path


def _pick(tag_lists: list[list[str]]) -> int:
    for i, tags in enumerate(tag_lists):
        if "serve" in tags:
            return i
    return 0


def _binary(pb: str, graph: Graph, progress: Progress):
    buf = load(pb, os.path.getsize(pb))
    view = memoryview(buf)
    spans = []
    try:
        for f, w, s, e, _ in iter_fields(view, 0, len(buf)):
            if f == 2 and w == LEN:
                spans.append((s, e))
            elif not (f == 1 and w == VARINT):
                raise PbscopeError(pb, f"not a SavedModel: an unexpected field {f} at byte {s:,}")
    except WireError as err:
        raise PbscopeError(pb, f"corrupt SavedModel: {err}") from None
    if not spans:
        raise PbscopeError(pb, "a SavedModel with no meta graph")
    # tags first (cheap: every meta graph's meta_info_def), then the chosen graph in full
    tags = [_tags(pb, view, s, e) for s, e in spans]
    chosen = _pick(tags)
    meta = read_binary_meta_graph(pb, buf, graph, *spans[chosen], progress=progress)
    return meta, tags


def _tags(pb: str, view, s: int, e: int) -> list[str]:
    for f, w, vs, ve, _ in iter_fields(view, s, e):
        if f == 1 and w == LEN:
            try:
                return list(proto.message_class("tensorflow.MetaGraphDef.MetaInfoDef").FromString(
                    view[vs:ve]).tags)
            except Exception:
                raise PbscopeError(pb, "corrupt SavedModel: unreadable meta_info_def") from None
    return []


def _text(pb: str, graph: Graph):
    sm = parse_text(pb, proto.SavedModel(), "SavedModel")
    if not sm.meta_graphs:
        raise PbscopeError(pb, "a SavedModel with no meta graph")
    tags = [list(m.meta_info_def.tags) for m in sm.meta_graphs]
    meta = sm.meta_graphs[_pick(tags)]
    fill_from_text(graph, meta)
    return meta, tags
