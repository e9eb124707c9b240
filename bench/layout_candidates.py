#!/usr/bin/env python3
"""Benchmark: layered (Sugiyama) layout libraries for the graph view.

    python -m venv --system-site-packages /tmp/layout-venv      # keeps these pins away
    /tmp/layout-venv/bin/pip install -r bench/requirements-layout.txt   # from the app's
    /tmp/layout-venv/bin/python bench/layout_candidates.py              # every graph, size, library
    /tmp/layout-venv/bin/python bench/layout_candidates.py --markdown   # the table as markdown
    /tmp/layout-venv/bin/python bench/layout_candidates.py --graphs mobilenet_v2 --libs igraph ogdf

Candidates: igraph 1.0 (``Graph.layout_sugiyama``, as is, and given a layering of ours:
"igraph_alap"), OGDF through ogdf-py (``SugiyamaLayout``), grandalf (pure Python) and,
for comparison only, Graphviz ``dot`` when it is on PATH (skipped with a note otherwise).

The graphs are three real Keras models frozen to GraphDefs with TensorFlow (made once in
a child process, cached in ~/.cache/pbscope-bench/): MobileNetV2 and NASNetLarge as
inference graphs, and DenseNet201's training step (forward pass plus gradients), the
only one with more than 5,000 visible ops. Each is read with pbscope's own reader and
turned into what a graph view shows: Const ops, and Identity ops that only read a
Const, are folded away; control edges are left out; duplicate edges are merged. Then
it is cut to the first N ops in topological order (ties in file order; the induced
subgraph); a graph smaller than N is laid out whole and the table says so.

Boxes: width 7 px per character of the op's last name component + 16, clamped to
60..260, height 34; gaps of 24 px between boxes in a layer and 50 px between layers.
igraph places points one unit apart, so its x is scaled by (widest box + 24 px).

Each (graph, N, library) runs in its own child process: a warm-up run, then, unless it
took over 10 s, three timed runs whose median is reported (wall and CPU time). A run
that passes 120 s is stopped and reported as ">120". The time covers building the
library's graph and laying it out. Crossings are then counted on the final drawing by
one geometric counter for every library (each edge a polyline: node centre, bends,
node centre). The last line is ``RESULT igraph_5000_s=… igraph_5000_crossings=… …``
with the figures of the largest graph, densenet201_grad, and the bench's wall time.
"""
from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

SEED = 0
SIZES = (200, 1000, 5000)
LIBS = ("igraph", "igraph_alap", "ogdf", "grandalf", "dot")
NODE_H, GAP_X, GAP_Y = 34, 24, 50
GIVE_UP_S = 120
SINGLE_RUN_S = 10
TIMED_RUNS = 3
# name: (keras.applications class, whether the graph is the training step)
MODELS = {
    "mobilenet_v2": ("MobileNetV2", False),
    "nasnet_large": ("NASNetLarge", False),
    "densenet201_grad": ("DenseNet201", True),
}
HEADLINE = "densenet201_grad"   # the graph whose figures go into the RESULT line
PACKAGES = {"igraph": "igraph", "ogdf": "ogdf-py", "grandalf": "grandalf"}   # pip distributions


# ==========================================================================
# the models (TensorFlow, in a child process)
# ==========================================================================
def model_path(name: str) -> Path:
    return C.CACHE / f"layout_{name}.pb"


def child_make_model(name: str) -> dict:
    """Freeze a Keras application (random weights) to a GraphDef and cache it."""
    import keras
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    app, training_step = MODELS[name]
    keras.utils.set_random_seed(SEED)
    model = getattr(keras.applications, app)(weights=None)
    x = tf.TensorSpec([1, *model.input_shape[1:]], tf.float32)
    if training_step:
        @tf.function
        def fn(x, y):
            with tf.GradientTape() as tape:
                loss = keras.losses.sparse_categorical_crossentropy(y, model(x, training=False))
            return tape.gradient(loss, model.trainable_variables)
        concrete = fn.get_concrete_function(x, tf.TensorSpec([1], tf.int32))
    else:
        concrete = tf.function(lambda x: model(x, training=False)).get_concrete_function(x)
    graph_def = convert_variables_to_constants_v2(concrete).graph.as_graph_def()
    path = model_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(graph_def.SerializeToString())
    tmp.replace(path)
    return {"ops": len(graph_def.node)}


def ensure_models(names: list[str]) -> None:
    for name in names:
        if not model_path(name).is_file():
            t = time.perf_counter()
            made = C.run_child([__file__, "--make-model", name])
            print(f"made {model_path(name)}: {made['ops']:,} ops in {time.perf_counter() - t:.0f} s",
                  flush=True)


# ==========================================================================
# the graph a graph view shows
# ==========================================================================
def read_ops(path: Path) -> list:
    """The ops of a model file, read by pbscope itself (no TensorFlow)."""
    C.repo_on_path()
    from pbscope.core.formats import open_model
    return open_model(str(path)).ops


def visible_graph(ops: list) -> tuple[list[str], list[tuple[int, int]]]:
    """Op names and data edges (indices into the names), Consts and their reads folded."""
    from pbscope.core.model import op_name

    type_of = {op.name: op.type for op in ops}

    def folded(op) -> bool:
        if op.type == "Const":
            return True
        inputs = op.inputs
        return op.type == "Identity" and len(inputs) == 1 and type_of.get(op_name(inputs[0])) == "Const"

    shown = [op for op in ops if not folded(op)]
    index = {op.name: i for i, op in enumerate(shown)}
    edges = {(index[src], i) for i, op in enumerate(shown)
             for src in map(op_name, op.inputs) if src in index and index[src] != i}
    return [op.name for op in shown], sorted(edges)


def topological_order(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Kahn's algorithm, ready nodes taken in file order; nodes on a cycle come last."""
    succ: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for s, t in edges:
        succ[s].append(t)
        indegree[t] += 1
    ready = [i for i in range(n) if indegree[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        v = heapq.heappop(ready)
        order.append(v)
        for t in succ[v]:
            indegree[t] -= 1
            if indegree[t] == 0:
                heapq.heappush(ready, t)
    placed = set(order)
    return order + [i for i in range(n) if i not in placed]


def cut(names: list[str], edges: list[tuple[int, int]], n: int):
    """The first ``n`` ops in topological order and the edges among them, renumbered."""
    rank = {old: new for new, old in enumerate(topological_order(len(names), edges)[:n])}
    kept = sorted(rank, key=rank.get)
    return [names[i] for i in kept], sorted((rank[s], rank[t]) for s, t in edges if s in rank and t in rank)


def box_widths(names: list[str]):
    import numpy as np
    lengths = np.array([len(name.rsplit("/", 1)[-1]) for name in names])
    return np.clip(7 * lengths + 16, 60, 260).astype(float)


# ==========================================================================
# the libraries: layout(widths, edges) is timed; drawing(result, widths, edges)
# turns its result into node centres and each edge's bends (untimed)
# ==========================================================================
def layout_igraph(widths, edges, layers=None):
    """igraph 0.11.9, as pbscope pins it (1.0.0 crashed here, and its edge_routing gives
    bends to the wrong edges when the graph has more than one weakly connected component):
    each component laid out on its own, with its extended graph for the bends."""
    import igraph
    random.seed(SEED)   # python-igraph draws from Python's random module
    whole = igraph.Graph(n=len(widths), edges=edges, directed=True)
    parts = []
    for nodes, links in components(whole.connected_components(mode="weak").membership, edges):
        local = {v: i for i, v in enumerate(nodes)}
        graph = igraph.Graph(n=len(nodes), edges=[(local[edges[k][0]], local[edges[k][1]]) for k in links],
                             directed=True)
        given = None
        if layers is not None:
            top = min(layers[v] for v in nodes)
            given = [layers[v] - top for v in nodes]
        parts.append((nodes, links, graph.layout_sugiyama(layers=given, hgap=1, vgap=1, maxiter=100,
                                                          return_extended_graph=True)))
    return parts


def layout_igraph_alap(widths, edges):
    return layout_igraph(widths, edges, alap_layers(len(widths), edges))


def alap_layers(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Longest path from the sources, then every op that has consumers moved down to just
    above the nearest one: side chains (a BatchNorm's parameter reshapes, shape arithmetic)
    sit by the op they feed instead of at the top with a long edge down to it. Edges that
    point back in topological order (cycles) are left to igraph."""
    order = topological_order(n, edges)
    position = {v: i for i, v in enumerate(order)}
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for s, t in edges:
        if position[s] < position[t]:
            preds[t].append(s)
            succs[s].append(t)
    layer = [0] * n
    for v in order:
        layer[v] = max((layer[p] + 1 for p in preds[v]), default=0)
    for v in reversed(order):
        if succs[v]:
            layer[v] = min(layer[t] for t in succs[v]) - 1
    return layer


def drawing_igraph(parts, widths, edges):
    import numpy as np
    scale = np.array([widths.max() + GAP_X, NODE_H + GAP_Y])   # points → non-overlapping boxes
    centres = np.zeros((len(widths), 2))
    bends = [np.zeros((0, 2))] * len(edges)
    C.repo_on_path()
    from pbscope.core.graphview.layout import _bends     # the dummy-point chains, as pbscope reads them
    for nodes, links, (layout, extended) in parts:
        coords = np.asarray(layout.coords, dtype=float).reshape(-1, 2)
        centres[nodes] = coords[:len(nodes)] * scale
        local = {v: i for i, v in enumerate(nodes)}
        chains = _bends([(local[edges[k][0]], local[edges[k][1]]) for k in links], len(nodes), coords, extended)
        for k, points in zip(links, chains):
            bends[k] = np.asarray(points, dtype=float).reshape(-1, 2) * scale
    side_by_side([(nodes, links) for nodes, links, _ in parts], centres, bends, widths)
    return centres, bends, {}


def components(membership, edges) -> list[tuple[list[int], list[int]]]:
    """(node indices, edge indices) of each connected component."""
    nodes: dict[int, list[int]] = {}
    links: dict[int, list[int]] = {}
    for v, c in enumerate(membership):
        nodes.setdefault(c, []).append(v)
    for k, (s, _) in enumerate(edges):
        links.setdefault(membership[s], []).append(k)
    return [(nodes[c], links.get(c, [])) for c in sorted(nodes)]


def side_by_side(parts, centres, bends, widths) -> None:
    """Move each component (laid out on its own) right of the previous one, GAP_X apart."""
    x0 = 0.0
    for nodes, links in parts:
        left = (centres[nodes, 0] - widths[nodes] / 2).min()
        right = (centres[nodes, 0] + widths[nodes] / 2).max()
        centres[nodes, 0] += x0 - left
        for k in links:
            bends[k] = bends[k] + (x0 - left, 0.0)
        x0 += right - left + GAP_X


def layout_ogdf(widths, edges):
    import ogdf
    ogdf.set_seed(SEED)
    graph = ogdf.Graph()
    nodes = [graph.new_node() for _ in widths]
    for s, t in edges:
        graph.new_edge(nodes[s], nodes[t])
    attrs = ogdf.GraphAttributes(graph, ogdf.NODE_GRAPHICS | ogdf.EDGE_GRAPHICS)
    for node, width in zip(nodes, widths):
        attrs.set_width(node, float(width))
        attrs.set_height(node, NODE_H)
    sugiyama = ogdf.SugiyamaLayout()
    sugiyama.call(attrs)
    return graph, nodes, attrs, sugiyama


def drawing_ogdf(result, widths, edges):
    """ogdf-py has no getter for bends; its GML writer writes them, so read them back."""
    import numpy as np
    import ogdf
    graph, nodes, attrs, sugiyama = result
    centres = np.array([(attrs.x(v), attrs.y(v)) for v in nodes])
    with tempfile.TemporaryDirectory() as tmp:
        gml = Path(tmp) / "drawing.gml"
        ogdf.write_gml(attrs, str(gml))
        bends = gml_bends(gml.read_text(), len(edges))
    own = {"own_crossings": sugiyama.number_of_crossings(),
           "ogdf_count_crossings": ogdf.count_crossings(attrs)}
    return centres, bends, own


def gml_bends(text: str, n_edges: int):
    """Each edge's bend points from OGDF's GML, in edge order (its Line adds both ends)."""
    import numpy as np
    blocks = re.split(r"^\tedge\n", text, flags=re.M)[1:]
    assert len(blocks) == n_edges, (len(blocks), n_edges)
    point = re.compile(r"point \[ x (\S+) y (\S+) \]")
    bends = []
    for block in blocks:
        line = np.array(point.findall(block), dtype=float).reshape(-1, 2)
        bends.append(line[1:-1])
    return bends


def layout_grandalf(widths, edges):
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout, VertexViewer
    from grandalf.routing import EdgeViewer, route_with_lines

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))   # its cycle search recurses
    vertices = [Vertex(i) for i in range(len(widths))]
    for v, width in zip(vertices, widths):
        v.view = VertexViewer(w=width, h=NODE_H)
    links = [Edge(vertices[s], vertices[t], data=i) for i, (s, t) in enumerate(edges)]
    for e in links:
        e.view = EdgeViewer()
    graph = Graph(vertices, links)
    for component in graph.C:   # grandalf lays out one connected component at a time
        sugiyama = SugiyamaLayout(component)
        sugiyama.xspace, sugiyama.yspace = GAP_X, GAP_Y
        sugiyama.route_edge = route_with_lines
        sugiyama.init_all()
        sugiyama.draw()
    return graph, vertices, links


def drawing_grandalf(result, widths, edges):
    import numpy as np
    graph, vertices, links = result
    centres = np.array([v.view.xy for v in vertices], dtype=float)
    bends = [np.array(e.view._pts[1:-1], dtype=float).reshape(-1, 2) for e in links]
    parts = [([v.data for v in c.sV], [e.data for e in c.sE]) for c in graph.C]
    side_by_side(parts, centres, bends, widths)
    return centres, bends, {}


def layout_dot(widths, edges):
    """Graphviz dot, polyline edges, sizes in points (1 px = 1 pt). Its time includes
    starting the process and parsing the DOT text."""
    lines = ["digraph G {",
             f"  graph [rankdir=TB, nodesep={GAP_X / 72}, ranksep={GAP_Y / 72}, splines=polyline];",
             f'  node [shape=box, fixedsize=true, label="", height={NODE_H / 72}];']
    lines += [f"  n{i} [width={w / 72}];" for i, w in enumerate(widths)]
    lines += [f"  n{s} -> n{t};" for s, t in edges]
    lines.append("}")
    try:
        proc = subprocess.run(["dot", "-Tplain"], input="\n".join(lines), capture_output=True,
                              text=True, timeout=GIVE_UP_S, check=True)
    except subprocess.TimeoutExpired:
        raise TimeoutError from None
    return proc.stdout


def drawing_dot(plain: str, widths, edges):
    """Node centres and, per edge, the corners of its polyline from ``dot -Tplain``
    (inches; each straight piece is written as a Bézier, so every third point is a corner;
    the first and last corners, clipped to the boxes, are replaced by the node centres)."""
    import numpy as np
    centres = np.zeros((len(widths), 2))
    corners = {}
    for line in plain.splitlines():
        f = line.split()
        if f[0] == "node":
            centres[int(f[1][1:])] = float(f[2]) * 72, -float(f[3]) * 72
        elif f[0] == "edge":
            n = int(f[3])
            pts = np.array(f[4:4 + 2 * n], dtype=float).reshape(-1, 2)[::3] * (72, -72)
            corners[int(f[1][1:]), int(f[2][1:])] = pts[1:-1]
    return centres, [corners[e] for e in edges], {}


LIBRARIES = {
    "igraph": (layout_igraph, drawing_igraph),
    "igraph_alap": (layout_igraph_alap, drawing_igraph),
    "ogdf": (layout_ogdf, drawing_ogdf),
    "grandalf": (layout_grandalf, drawing_grandalf),
    "dot": (layout_dot, drawing_dot),
}


# ==========================================================================
# crossings: one geometric counter for every library
# ==========================================================================
def segments(centres, bends, edges):
    """Every straight piece of every edge (node centre → bends → node centre): its two
    points, its edge, and the node at each end (-1 where the piece ends at a bend)."""
    import numpy as np
    points, edge_of, end_nodes = [], [], []
    for k, ((s, t), corners) in enumerate(zip(edges, bends)):
        if len(corners) > 1 and (np.hypot(*(corners[0] - centres[s])) > np.hypot(*(corners[-1] - centres[s]))):
            corners = corners[::-1]   # bends listed from the target end
        line = np.vstack([centres[s], corners, centres[t]])
        pieces = len(line) - 1
        points.append(np.hstack([line[:-1], line[1:]]))
        edge_of.append(np.full(pieces, k))
        ends = np.full((pieces, 2), -1)
        ends[0, 0], ends[-1, 1] = s, t
        end_nodes.append(ends)
    return np.concatenate(points), np.concatenate(edge_of), np.concatenate(end_nodes)


def drawing_figures(centres, bends, edges) -> dict:
    """Crossings, and corners: bend points where an edge really changes direction (igraph
    lists a point per layer passed, straight or not; OGDF and dot only the turns)."""
    import numpy as np
    if not edges:
        return {"crossings": 0, "corners": 0}
    seg, edge_of, ends = segments(centres, bends, edges)
    d = seg[:, 2:] - seg[:, :2]
    turn = np.abs(d[:-1, 0] * d[1:, 1] - d[:-1, 1] * d[1:, 0])
    size = np.hypot(*d[:-1].T) * np.hypot(*d[1:].T)
    corners = np.count_nonzero((edge_of[1:] == edge_of[:-1]) & (turn > 1e-9 * size))
    return {"crossings": count_crossings(seg, edge_of, ends), "corners": int(corners)}


def count_crossings(seg, edge_of, ends, chunk: int = 2_000_000) -> int:
    """Proper crossings between pieces of different edges, pieces that share an end node
    excluded. Only pairs whose y ranges overlap are tested, ``chunk`` pairs at a time."""
    import numpy as np
    lo, hi = np.minimum(seg[:, 1], seg[:, 3]), np.maximum(seg[:, 1], seg[:, 3])
    order = np.argsort(lo, kind="stable")
    seg, edge_of, ends, lo, hi = seg[order], edge_of[order], ends[order], lo[order], hi[order]
    n = len(seg)
    # piece i is tested against pieces i+1 .. stop[i]-1: those starting (in y) before it ends
    count = np.maximum(np.searchsorted(lo, hi, side="right") - np.arange(n) - 1, 0)
    cum = np.cumsum(count)
    total, first = 0, 0
    while first < n:
        base = cum[first - 1] if first else 0
        last = max(int(np.searchsorted(cum, base + chunk, side="right")), first + 1)
        k = count[first:last]
        i = np.repeat(np.arange(first, last), k)
        j = i + 1 + np.arange(len(i)) - np.repeat(cum[first:last] - k - base, k)
        total += _crossing_pairs(seg, edge_of, ends, i, j)
        first = last
    return total


def _crossing_pairs(seg, edge_of, ends, i, j) -> int:
    import numpy as np
    a, b = ends[i], ends[j]
    shared = ((a[:, 0] >= 0) & ((a[:, 0] == b[:, 0]) | (a[:, 0] == b[:, 1]))) | \
             ((a[:, 1] >= 0) & ((a[:, 1] == b[:, 0]) | (a[:, 1] == b[:, 1])))
    keep = (edge_of[i] != edge_of[j]) & ~shared
    keep &= np.maximum(seg[i, 0], seg[i, 2]) >= np.minimum(seg[j, 0], seg[j, 2])
    keep &= np.maximum(seg[j, 0], seg[j, 2]) >= np.minimum(seg[i, 0], seg[i, 2])
    p, q = seg[i[keep]], seg[j[keep]]

    def side(s, x, y):   # sign of the turn from segment s to the point (x, y)
        return (s[:, 2] - s[:, 0]) * (y - s[:, 1]) - (s[:, 3] - s[:, 1]) * (x - s[:, 0])
    crosses = (side(p, q[:, 0], q[:, 1]) * side(p, q[:, 2], q[:, 3]) < 0) & \
              (side(q, p[:, 0], p[:, 1]) * side(q, p[:, 2], p[:, 3]) < 0)
    return int(np.count_nonzero(crosses))


# ==========================================================================
# children: each ends with C.emit({...})
# ==========================================================================
def child_count(graph: str, sizes: list[int]) -> dict:
    """The graph's ops and visible ops, and the edges of each cut (keyed by its node count)."""
    ops = read_ops(model_path(graph))
    names, edges = visible_graph(ops)
    cuts = {min(n, len(names)) for n in sizes}
    return {"ops": len(ops), "nodes": len(names), "all_edges": len(edges),
            "edges": {n: len(cut(names, edges, n)[1]) for n in cuts}}


def cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of its finished children (dot)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(layout, widths, edges):
    """One run: wall and CPU seconds, and the result. A hard stop: SIGALRM's default action
    ends this process (even inside C code) a little after GIVE_UP_S; dot is stopped by its
    own timeout before that."""
    signal.alarm(GIVE_UP_S + 10)
    t, cpu = time.perf_counter(), cpu_seconds()
    result = layout(widths, edges)
    seconds, cpu = time.perf_counter() - t, cpu_seconds() - cpu
    signal.alarm(0)
    return seconds, cpu, result


def child_measure(graph: str, n: int, lib: str) -> dict:
    names, edges = cut(*visible_graph(read_ops(model_path(graph))), n)
    widths = box_widths(names)
    layout, drawing = LIBRARIES[lib]
    runs, cpus = [], []
    try:
        for _ in range(1 + TIMED_RUNS):   # the first run is a warm-up unless it is slow
            seconds, cpu, result = timed(layout, widths, edges)
            runs.append(seconds)
            cpus.append(cpu)
            if seconds > SINGLE_RUN_S:
                break
    except TimeoutError:   # dot's own timeout
        return {"gave_up": True}
    except Exception as e:  # noqa: BLE001 - a library that fails is a result too
        return {"failed": f"{type(e).__name__}: {e}"[:200]}
    centres, bends, own = drawing(result, widths, edges)
    return {"nodes": len(names), "edges": len(edges), "runs": runs, "cpus": cpus,
            "points": int(sum(len(b) for b in bends)), **drawing_figures(centres, bends, edges), **own}


def child_cycles(lib: str) -> dict:
    """Lay out 0→1→2→3→1 plus 3→4: does the library cope with a cycle?"""
    import numpy as np
    edges = [(0, 1), (1, 2), (2, 3), (3, 1), (3, 4)]
    widths = np.full(5, 60.0)
    layout, drawing = LIBRARIES[lib]
    try:
        centres, _, _ = drawing(layout(widths, edges), widths, edges)
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        return {"ok": False, "detail": f"{type(e).__name__}: {e}"}
    ok = bool(np.isfinite(centres).all()) and len(np.unique(centres, axis=0)) == 5
    return {"ok": ok, "detail": f"{len(np.unique(centres[:, 1]))} layers"}


# ==========================================================================
# the parent
# ==========================================================================
def run_measure(graph: str, n: int, lib: str) -> dict:
    """The child's figures; ``{"gave_up": True}`` past GIVE_UP_S (killed by SIGALRM, or
    dot's timeout, or a run that ended between GIVE_UP_S and the hard stop)."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run([sys.executable, __file__, "--measure", graph, str(n), lib],
                          capture_output=True, text=True, env=env, cwd=str(C.REPO))
    if proc.returncode == -signal.SIGALRM:
        return {"gave_up": True}
    found = [json.loads(line[len(C.MARK):]) for line in proc.stdout.splitlines() if line.startswith(C.MARK)]
    if proc.returncode or not found:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
        raise C.ChildFailed(f"{graph} {n} {lib} failed (exit {proc.returncode}):\n{tail}")
    out = found[-1]
    return {"gave_up": True} if max(out.get("runs", [0])) > GIVE_UP_S else out


def medians(out: dict) -> tuple[float, float]:
    """Wall and CPU seconds: the median of the timed runs, or the one slow run."""
    runs, cpus = out["runs"], out["cpus"]
    if len(runs) == 1:
        return runs[0], cpus[0]
    return C.median(runs[1:]), C.median(cpus[1:])


def installed_mb(dist: str) -> float:
    from importlib import metadata
    return sum(f.size or 0 for f in metadata.distribution(dist).files) / C.MB


def usable(libs: list[str], notes: list[str]) -> list[str]:
    """The libraries that can run here; dot is skipped with a note when missing."""
    if any(lib.startswith("igraph") for lib in libs) and C.package_version("igraph") != "0.11.9":
        raise SystemExit(f"igraph {C.package_version('igraph')} found; this bench measures 0.11.9, the "
                         "version pbscope pins: pip install -r requirements.txt")
    if "dot" in libs and shutil.which("dot") is None:
        notes.append("dot: not on PATH, skipped (apt-get install graphviz to include it)")
        return [lib for lib in libs if lib != "dot"]
    return libs


LEGEND = f"""\
time s     building the library's graph and laying it out: median of {TIMED_RUNS} runs after a warm-up,
           or one run when it takes over {SINGLE_RUN_S} s; stopped past {GIVE_UP_S} s
cpu s      CPU time of the same runs, all threads (OGDF uses several) and child processes (dot)
crossings  one geometric counter for all: each edge a polyline, node centre → bends → node centre
points     bend points the library returned: igraph and grandalf one per layer an edge passes
           (their dummy vertices), OGDF and dot only where it turns
corners    bend points where an edge turns (straight runs of points not counted)
own count  OGDF's SugiyamaLayout.number_of_crossings()
igraph     nodes are points: x scaled to columns of (widest box + {GAP_X} px); each connected
           component laid out on its own and placed side by side
igraph_alap  the same, given our layering (longest path, then each op just above its nearest consumer)
ogdf       its node gap (20 px) and layer gaps are its own (ogdf-py cannot set them); bends read
           back from its GML output; not reproducible even with ogdf.set_seed (its crossing
           minimisation runs on several threads): a rerun may differ by a few crossings"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--markdown", action="store_true", help="print the table as markdown")
    ap.add_argument("--graphs", nargs="+", choices=list(MODELS), default=list(MODELS))
    ap.add_argument("--sizes", nargs="+", type=int, default=list(SIZES))
    ap.add_argument("--libs", nargs="+", choices=LIBS, default=list(LIBS))
    ap.add_argument("--make-model", choices=list(MODELS), help=argparse.SUPPRESS)
    ap.add_argument("--count", choices=list(MODELS), help=argparse.SUPPRESS)   # with --sizes
    ap.add_argument("--measure", nargs=3, metavar=("GRAPH", "N", "LIB"), help=argparse.SUPPRESS)
    ap.add_argument("--cycles", choices=LIBS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make_model:
        C.emit(child_make_model(args.make_model))
    elif args.count:
        C.emit(child_count(args.count, args.sizes))
    elif args.measure:
        graph, n, lib = args.measure
        C.emit(child_measure(graph, int(n), lib))
    elif args.cycles:
        C.emit(child_cycles(args.cycles))
    else:
        run(args)
    return 0


def run(args) -> None:
    t_start = time.perf_counter()
    notes: list[str] = []
    libs = usable(list(args.libs), notes)
    print("machine: " + ", ".join(f"{k}={v}" for k, v in C.machine().items()))
    print("packages: " + ", ".join(f"{d} {C.package_version(d)} ({installed_mb(d):.1f} MB installed)"
                                   for lib, d in PACKAGES.items() if lib in libs), flush=True)
    if "dot" in libs:
        print(subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip())
    ensure_models(args.graphs)

    rows, result = [], {}
    for graph in args.graphs:
        total = C.run_child([__file__, "--count", graph, "--sizes", *map(str, args.sizes)])
        print(f"{graph}: {total['ops']:,} ops in the file, {total['nodes']:,} shown, "
              f"{total['all_edges']:,} edges among them", flush=True)
        for n in sorted({min(n, total["nodes"]) for n in args.sizes}):
            asked = [s for s in args.sizes if min(s, total["nodes"]) == n]
            shown = f"{n:,}" if n in asked else f"{n:,} (all; asked {', '.join(f'{s:,}' for s in asked)})"
            for lib in libs:
                out = run_measure(graph, n, lib)
                rows.append(row(graph, shown, total["edges"][str(n)], lib, out))
                print("  " + "  ".join(rows[-1]), flush=True)
                notes += check(graph, n, lib, out)
                if graph == HEADLINE:
                    result[f"{lib}_{n}_s"] = f"{medians(out)[0]:.3f}" if "runs" in out else verdict(out)
                    result[f"{lib}_{n}_crossings"] = out.get("crossings", "-")

    cycles = {lib: C.run_child([__file__, "--cycles", lib]) for lib in libs}
    header = ["graph", "nodes", "edges", "library", "time s", "cpu s", "crossings", "points", "corners",
              "own count"]
    print()
    print(C.table(header, rows, markdown=args.markdown, left=1))
    print()
    print(LEGEND)
    for note in notes:
        print("note: " + note)
    print("cycles (0→1→2→3→1, 3→4): " + ", ".join(
        f"{lib} {'ok' if c['ok'] else 'FAILED'} ({c['detail']})" for lib, c in cycles.items()))
    wall = time.perf_counter() - t_start
    print(f"bench wall time: {wall:.0f} s")
    print("RESULT " + " ".join(f"{k}={v}" for k, v in result.items()) + f" wall_s={wall:.0f}")


def check(graph: str, n: int, lib: str, out: dict) -> list[str]:
    """Notes for the table: a failure, or OGDF's own geometric count disagreeing with ours."""
    if "failed" in out:
        return [f"{graph} {n} {lib} failed: {out['failed']}"]
    theirs = out.get("ogdf_count_crossings")
    if theirs is not None and theirs != out["crossings"]:
        return [f"{graph} {n} {lib}: ogdf.count_crossings() says {theirs:,}, ours {out['crossings']:,}"]
    return []


def verdict(out: dict) -> str:
    """What stands in for the time of a run that gave no result."""
    return f">{GIVE_UP_S}" if out.get("gave_up") else "failed"


def row(graph: str, shown: str, n_edges: int, lib: str, out: dict) -> list[str]:
    if "runs" not in out:
        return [graph, shown, f"{n_edges:,}", lib, verdict(out), "-", "-", "-", "-", "-"]
    wall, cpu = medians(out)
    time_s = f"{wall:.3f}" + (" (1 run)" if len(out["runs"]) == 1 else "")
    own = f"{out['own_crossings']:,}" if "own_crossings" in out else "-"
    return [graph, shown, f"{n_edges:,}", lib, time_s, f"{cpu:.3f}", f"{out['crossings']:,}",
            f"{out['points']:,}", f"{out['corners']:,}", own]


if __name__ == "__main__":
    sys.exit(main())
