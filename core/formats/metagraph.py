"""MetaGraphDefs (a .meta file, or one inside a SavedModel): their graph, and the rest.

The graph_def inside is scanned like a .pb (graphdef.scan_graphdef: nodes parsed lazily);
everything else (tags, collections, signatures, object graph) is small and parsed whole.
"""
from __future__ import annotations

from google.protobuf.message import DecodeError

from .. import proto
from ..errors import PbscopeError
from ..model import Graph, Op, dtype_label, shape_value
from ..progress import NO_PROGRESS, Progress
from ..proto.wire import LEN, WireError, iter_fields
from .functions import add_function_ops
from .graphdef import scan_graphdef


def read_binary_meta_graph(path: str, buf, graph: Graph, start: int = 0, end: int | None = None,
                           progress: Progress = NO_PROGRESS):
    """Fill ``graph`` from the MetaGraphDef in buf[start:end]; return that MetaGraphDef
    without its graph_def (which can be large) for tags, collections and signatures."""
    end = len(buf) if end is None else end
    view = memoryview(buf)
    rest, graph_span = [], None
    try:
        for f, w, s, e, fs in iter_fields(view, start, end):
            if f == 2 and w == LEN and graph_span is None:
                graph_span = (s, e)
            else:
                rest.append(view[fs:e])
        meta = proto.MetaGraphDef.FromString(b"".join(rest))
    except (WireError, DecodeError) as err:
        raise PbscopeError(path, f"corrupt MetaGraphDef: {err}") from None
    library = scan_graphdef(path, buf, graph, progress, *graph_span) if graph_span else None
    add_function_ops(graph, library)
    describe(graph, meta)
    return meta


def fill_from_text(graph: Graph, meta) -> None:
    """Fill ``graph`` from a MetaGraphDef parsed from text (its graph_def included)."""
    graph.ops = [Op.from_node(graph, i, n) for i, n in enumerate(meta.graph_def.node)]
    add_function_ops(graph, meta.graph_def.library if meta.graph_def.HasField("library") else None)
    describe(graph, meta)


def describe(graph: Graph, meta) -> None:
    """Tags and signatures, for the details pane and ``info``."""
    graph.tags = list(meta.meta_info_def.tags)
    for name, sig in sorted(meta.signature_def.items()):
        graph.signatures[name] = {
            "method": sig.method_name,
            "inputs": {k: _tensor_info(v) for k, v in sorted(sig.inputs.items())},
            "outputs": {k: _tensor_info(v) for k, v in sorted(sig.outputs.items())},
        }


def _tensor_info(info) -> dict:
    return {"name": info.name, "dtype": dtype_label(info.dtype),
            "shape": shape_value(info.tensor_shape)}
