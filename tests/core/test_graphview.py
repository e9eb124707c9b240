"""The graph picture (core.graphview): what is drawn, where, and the invariants every
layout keeps, on made-up graphs, hypothesis-made DAGs and every graph of the corpus."""
from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import numpy as np
from tests.fixtures import corpus
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbscope.core import proto
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import open_model
from pbscope.core.graphview import ALL, build_view, graph_index
from pbscope.core.graphview.picture import write_picture
from pbscope.core.model import op_name
from tests.core.graphs import const, op, tf1_mlp
from tests.procs import PBSCOPE

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo_mobilenet_v1.pb"
CORPUS = corpus.CORPUS      # ../shared/corpus, or $PBSCOPE_CORPUS


# -- the invariants -----------------------------------------------------------------

def check_invariants(view, dag: bool | None = None) -> None:
    """Every data edge between two drawn boxes is drawn; boxes never overlap and sit inside
    their parent; edges not marked back go downward (TB) — and, when the boxes' graph at
    each level is a DAG, no edge is marked back."""
    items = view.items
    boxes = {id(it): it for it in items}
    _edges_drawn(view)
    for box in [view.visible.root, *items]:
        kids = box.children
        r = np.array([(k.x, k.y, k.x + k.w, k.y + k.h) for k in kids]).reshape(-1, 4)
        if len(r) > 1:
            ox = (r[:, None, 0] < r[None, :, 2] - 1e-6) & (r[None, :, 0] < r[:, None, 2] - 1e-6)
            oy = (r[:, None, 1] < r[None, :, 3] - 1e-6) & (r[None, :, 1] < r[:, None, 3] - 1e-6)
            clash = ox & oy
            np.fill_diagonal(clash, False)
            assert not clash.any(), f"overlapping boxes in {box.id!r}"
        if box.parent is not None and len(r):
            assert r[:, 0].min() >= box.x - 1e-6 and r[:, 2].max() <= box.x + box.w + 1e-6
            assert r[:, 1].min() >= box.y - 1e-6 and r[:, 3].max() <= box.y + box.h + 1e-6
    vertical = view.direction == "TB"
    for e in view.edges:
        assert id(e.src) in boxes and id(e.dst) in boxes
        if not e.back:
            along = [p[1] if vertical else p[0] for p in e.points]
            assert all(b >= a - 1e-6 for a, b in zip(along, along[1:])), (e.src.id, e.dst.id, e.points)
            assert along[-1] > along[0]
    if dag:
        assert not any(e.back for e in view.edges)


def _edges_drawn(view) -> None:
    """Recompute, from the ops' own inputs, which pairs of drawn boxes must be joined."""
    g = view.graph
    ix = graph_index(g)
    owner: dict[int, object] = {}
    for it in sorted(view.items, key=lambda it: sum(1 for a in it.ancestors() if a.call)):
        if it.expanded and it.call is None:
            continue
        for a, b in it.spans:
            for n in range(a, b):
                owner[n] = it
    drawn = {(id(e.src), id(e.dst)) for e in view.edges if not e.control}
    fold = not view.constants
    for s in ix.nodes:
        if s.op is None:
            continue
        d = ix.node(s)
        for raw in s.op.raw_inputs:
            if raw.startswith("^"):
                continue
            src = ix.by_name.get(op_name(raw))
            if src is None or (fold and (ix.fold[src] or ix.fold[d])):
                continue
            a, b = owner.get(src), owner.get(d)
            if a is not None and b is not None and a is not b:
                assert (id(a), id(b)) in drawn, f"edge {a.id} → {b.id} ({raw} → {s.op.name}) not drawn"


def _level_dag(view) -> bool:
    """Is every container's graph of child boxes acyclic (so a layered drawing needs no back edge)?"""
    from pbscope.core.graphview.layout import _siblings
    adj: dict[int, set[int]] = {}
    for e in view.edges:
        a, b, _ = _siblings(e.src, e.dst)
        if a is not b:
            adj.setdefault(id(a), set()).add(id(b))
    state: dict[int, int] = {}

    def cyclic(v) -> bool:
        stack = [(v, iter(adj.get(v, ())))]
        state[v] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return True
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(adj.get(nxt, ()))))
        return False
    return not any(cyclic(v) for v in list(adj) if v not in state)


# -- made-up graphs ---------------------------------------------------------------

def _write(tmp_path, gd, name="g.pb") -> str:
    p = tmp_path / name
    p.write_bytes(gd.SerializeToString())
    return str(p)


def test_demo_top_level_and_expansion():
    g = open_model(DEMO)
    top = build_view(g)
    assert [it.id for it in top.items] == [s.path if s.op is None else s.path + "/" if s.children else s.path
                                          for s in g.root.rows]
    assert [it.kind for it in top.items] == ["op", "scope"]
    (edge,) = top.edges
    assert (edge.src.id, edge.dst.id, edge.count, edge.control) == ("inputs", "MobileNetV1", 1, False)
    scope = top.find("MobileNetV1")
    assert scope.ops == 178 and scope.params == g.params
    opened = build_view(g, expanded=["MobileNetV1"])
    box = opened.find("MobileNetV1")
    assert box.expanded and len(box.children) == len(g.root.find("MobileNetV1").rows)
    conv = build_view(g, expanded=["MobileNetV1/Conv2d_0"])      # its parent opens too
    assert conv.find("MobileNetV1").expanded and conv.find("MobileNetV1/Conv2d_0").expanded
    op_box = conv.find("MobileNetV1/Conv2d_0/Conv2D")
    (row,) = op_box.rows                                          # weights + weights/read fold in
    assert (row.name, row.label, row.shape) == ("MobileNetV1/Conv2d_0/weights", "weights", (3, 3, 3, 16))
    assert conv.find("MobileNetV1/Conv2d_0/weights") is None
    assert conv.find("MobileNetV1/Conv2d_0/weights/read") is None
    check_invariants(conv, dag=True)


def test_constants_as_nodes_and_left_to_right():
    g = open_model(DEMO)
    v = build_view(g, expanded=["MobileNetV1/Conv2d_0"], constants=True, direction="LR")
    w = v.find("MobileNetV1/Conv2d_0/weights")
    read = v.find("MobileNetV1/Conv2d_0/weights/read")
    assert w is None or w.kind == "scope"            # weights is an op and a scope (weights/read)
    assert v.find("MobileNetV1/Conv2d_0/weights/") is not None or read is not None
    assert not v.find("MobileNetV1/Conv2d_0/Conv2D").rows
    check_invariants(v, dag=True)
    for e in v.edges:
        assert e.points[-1][0] > e.points[0][0]        # left to right


def test_everything_expanded_is_a_dag_drawn_downward():
    g = open_model(DEMO)
    v = build_view(g, expanded=ALL)
    assert all(it.expanded for it in v.items if it.expandable and it.call is None)
    assert sum(1 for it in v.items if it.kind == "op") == sum(
        1 for op in g.ops if not graph_index(g).fold[graph_index(g).by_name[op.name]])
    check_invariants(v, dag=True)


def test_reveal_opens_the_scopes_down_to_an_op():
    g = open_model(DEMO)
    v = build_view(g, reveal="MobileNetV1/Conv2d_3_pointwise/BatchNorm/FusedBatchNorm")
    box = v.box_of("MobileNetV1/Conv2d_3_pointwise/BatchNorm/FusedBatchNorm")
    assert box.kind == "op" and box.id == "MobileNetV1/Conv2d_3_pointwise/BatchNorm/FusedBatchNorm"
    folded = v.box_of("MobileNetV1/Conv2d_3_pointwise/BatchNorm/gamma")   # a row of that box
    assert folded is box
    assert build_view(g).box_of("MobileNetV1/Conv2d_0/Conv2D").id == "MobileNetV1"   # closed: its scope


def test_reveal_a_constant_read_from_another_scope(tmp_path):
    """TF2 graphs keep a weight in ``model/…`` and read it from ``model_1/…``: revealing the
    weight opens the reader's scopes, where it is a row."""
    gd = proto.GraphDef()
    op(gd, "x", "Placeholder")
    const(gd, "model/dense/kernel", np.ones((2, 2), np.float32))
    op(gd, "model_1/dense/MatMul", "MatMul", "x", "model/dense/kernel")
    g = open_model(_write(tmp_path, gd))
    v = build_view(g, reveal="model/dense/kernel")
    box = v.box_of("model/dense/kernel")
    assert box.id == "model_1/dense/MatMul" and [r.name for r in box.rows] == ["model/dense/kernel"]


def test_scope_view_and_unknown_scope():
    g = open_model(DEMO)
    v = build_view(g, "MobileNetV1/Conv2d_0")
    assert {it.id for it in v.items} >= {"MobileNetV1/Conv2d_0/Conv2D", "MobileNetV1/Conv2d_0/BatchNorm"}
    with pytest.raises(PbscopeError, match="no scope named"):
        build_view(g, "nope")


def test_cycles_lay_out_with_back_edges(tmp_path):
    gd = proto.GraphDef()
    op(gd, "x", "Placeholder")
    op(gd, "loop/Enter", "Enter", "x")
    op(gd, "loop/Merge", "Merge", "loop/Enter", "loop/NextIteration")
    op(gd, "loop/Switch", "Switch", "loop/Merge", "loop/LoopCond")
    op(gd, "loop/LoopCond", "LoopCond", "loop/Merge")
    op(gd, "loop/Add", "Add", "loop/Switch:1", "loop/Switch:1")
    op(gd, "loop/NextIteration", "NextIteration", "loop/Add")
    op(gd, "loop/Exit", "Exit", "loop/Switch")
    op(gd, "y", "Identity", "loop/Exit", "^x")
    g = open_model(_write(tmp_path, gd))
    v = build_view(g, expanded=["loop"])
    assert any(e.back for e in v.edges)
    check_invariants(v)
    assert any(e.control for e in v.edges)              # ^x: dashed
    add = v.find("loop/Add")
    assert [e.count for e in v.edges if e.dst is add] == [2]     # two inputs, one merged edge


def test_missing_inputs_are_stubs(tmp_path):
    gd = proto.GraphDef()
    op(gd, "a", "Placeholder")
    op(gd, "b", "Add", "a", "ghost:1")
    op(gd, "c", "Identity", "b", "^phantom")
    v = build_view(open_model(_write(tmp_path, gd)))
    stubs = {it.id: it for it in v.items if it.missing}
    assert set(stubs) == {"missing:ghost", "missing:phantom"}
    assert all(it.title == "missing" for it in stubs.values())
    assert {(e.src.id, e.dst.id, e.control) for e in v.edges if e.src.missing} == {
        ("missing:ghost", "b", False), ("missing:phantom", "c", True)}
    check_invariants(v, dag=True)


def test_duplicate_and_odd_names(tmp_path):
    gd = proto.GraphDef()
    op(gd, "a", "Placeholder")
    op(gd, "s/b", "Relu", "a")
    op(gd, "s/b", "Neg", "a")          # the same name twice: both drawn, ids kept apart
    op(gd, "s/c <&>", "Add", "s/b", "^a")
    v = build_view(open_model(_write(tmp_path, gd)), expanded=["s"])
    ids = [it.id for it in v.items]
    assert len(ids) == len(set(ids)) and "s/b" in ids and "s/b [b (2)]" in ids
    check_invariants(v, dag=True)
    out = tmp_path / "odd.svg"
    write_picture(v, str(out))
    import xml.dom.minidom
    xml.dom.minidom.parse(str(out))     # escaped: still well-formed XML


def test_scopes_nested_thousands_deep(tmp_path):
    gd = proto.GraphDef()
    op(gd, "x", "Placeholder")
    op(gd, "/".join(["s"] * 5000) + "/op", "Relu", "x")
    v = build_view(open_model(_write(tmp_path, gd)), expanded=ALL)
    assert len(v.items) == 2000 and v.notes == [
        "1 scope left collapsed: opening it would draw more than the cap of 2,000 boxes"]
    check_invariants(v)


def test_flat_scope_over_the_cap_is_grouped(tmp_path):
    gd = proto.GraphDef()
    op(gd, "flat/x", "Placeholder")
    for i in range(100_000):
        op(gd, f"flat/op_{i}", "Relu" if i % 2 else "Neg", "flat/x")
    g = open_model(_write(tmp_path, gd))
    v = build_view(g, expanded=["flat"])
    groups = [it for it in v.items if it.group]
    assert {it.title for it in groups} == {"Relu ×50,000", "Neg ×50,000"}
    assert any("grouped by op type" in n for n in v.notes)
    assert len(v.items) <= 2000
    check_invariants(v)
    v2 = build_view(g, expanded=["flat", "flat/[Relu]"])    # 50,000: numbered chunks
    chunks = [it for it in v2.items if it.group == "in chunks"]
    assert len(chunks) == 25 and chunks[0].title == "1–2,000 of 50,000"
    v3 = build_view(g, expanded=["flat", "flat/[Relu]", "flat/[Relu]/[1-2000]"])
    assert any("not expanded" in n for n in v3.notes) or len(v3.items) <= 2000
    assert len(v3.items) <= 2000


def test_many_distinct_types_fall_back_to_chunks(tmp_path):
    gd = proto.GraphDef()
    for i in range(3000):
        op(gd, f"t/op_{i}", f"Type{i}")
    v = build_view(open_model(_write(tmp_path, gd)), expanded=["t"])
    assert [it.title for it in v.items if it.group] == ["1–2,000 of 3,000", "2,001–3,000 of 3,000"]


def test_empty_graph_draws_nothing(tmp_path):
    p = tmp_path / "empty.pb"
    gd = proto.GraphDef()
    gd.versions.producer = 1
    p.write_bytes(gd.SerializeToString())
    try:
        g = open_model(p)
    except PbscopeError as e:
        assert str(e).startswith(str(p))
        return
    v = build_view(g)
    assert v.items == [] and v.edges == [] and v.notes == ["nothing to draw: no ops in the graph"]
    out = tmp_path / "empty.svg"
    write_picture(v, str(out))
    assert out.read_text().startswith("<svg")


def test_weight_sharing_and_structural_constants(tmp_path):
    data, _ = tf1_mlp()
    p = tmp_path / "mlp.pb"
    p.write_bytes(data)
    g = open_model(p)
    v = build_view(g, expanded=ALL)
    mm = v.find("net/layer_0/MatMul")
    assert [r.label for r in mm.rows] == ["weights"]
    check_invariants(v, dag=True)
    unused = v.find("net/layer_0/Reshape/shape")       # a constant nothing reads stays a node
    assert unused is not None and unused.kind == "op"


# -- hypothesis: random DAGs -----------------------------------------------------------

@st.composite
def dags(draw):
    n = draw(st.integers(1, 60))
    gd = proto.GraphDef()
    names = []
    for i in range(n):
        scope = draw(st.sampled_from(["", "a/", "a/b/", "c/"]))
        name = f"{scope}n{i}"
        k = draw(st.integers(0, min(3, len(names))))
        inputs = draw(st.lists(st.sampled_from(names), min_size=k, max_size=k)) if names else []
        if draw(st.booleans()) and names:
            inputs.append("^" + draw(st.sampled_from(names)))
        op(gd, name, draw(st.sampled_from(["Add", "Relu", "MatMul", "Identity"])), *inputs)
        names.append(name)
    return gd


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gd=dags(), direction=st.sampled_from(["TB", "LR"]), expand=st.sampled_from(["none", "a", "all"]))
def test_random_dags_keep_the_invariants(tmp_path, gd, direction, expand):
    g = open_model(_write(tmp_path, gd, "dag.pb"))
    expanded = {"none": (), "a": ["a/b"], "all": ALL}[expand]
    v = build_view(g, expanded=expanded, direction=direction)
    check_invariants(v, dag=_level_dag(v))
    if not any(it.kind == "scope" for it in v.items):
        check_invariants(v, dag=True)      # no boxes: the drawn graph is the DAG itself


# -- the corpus ------------------------------------------------------------------------

def _corpus_graphs():
    if not (CORPUS / "SOURCES.tsv").exists():
        return []
    with open(CORPUS / "SOURCES.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [r["path"] for r in rows if r["kind"] in ("frozen-pb", "pbtxt", "savedmodel", "ckpt", "keras-h5",
                                                      "keras-weights-h5", "keras-zip", "tflite",
                                                      "tfjs-layers", "tfjs-graph")
            and not r["path"].endswith((".index", "checkpoint")) and "data-0" not in r["path"]]


@pytest.mark.skipif(not _corpus_graphs(), reason="../shared/corpus is not here")
@pytest.mark.parametrize("rel", _corpus_graphs())
def test_corpus_graphs_keep_the_invariants(rel):
    try:
        g = open_model(CORPUS / rel)
    except PbscopeError:
        return                      # refused files are test_corpus.py's business
    for v in (build_view(g), build_view(g, expanded=ALL)):
        check_invariants(v, dag=_level_dag(v))
        assert len(v.items) <= 2000
    calls = [it for it in build_view(g).items if it.call]
    if calls:                       # a SavedModel's call op opens into its function's body
        v = build_view(g, expanded=[calls[0].id])
        box = v.find(calls[0].id)
        assert box.expanded and box.children
        check_invariants(v, dag=_level_dag(v))


# -- JSON, pictures, the command line ---------------------------------------------------

def test_json_shape():
    v = build_view(open_model(DEMO), expanded=["MobileNetV1/Conv2d_0"])
    doc = json.loads(json.dumps(v.to_json()))
    node = next(n for n in doc["nodes"] if n["id"] == "MobileNetV1/Conv2d_0/Conv2D")
    assert {"id", "label", "kind", "op_type", "x", "y", "width", "height", "weights"} <= set(node)
    assert node["kind"] == "op" and node["op_type"] == "Conv2D" and node["label"] == "Conv2D"
    assert node["weights"][0]["shape"] == [3, 3, 3, 16]
    scope = next(n for n in doc["nodes"] if n["id"] == "MobileNetV1/Conv2d_1_depthwise")
    assert scope["kind"] == "scope" and scope["op_type"] is None
    ids = {n["id"] for n in doc["nodes"]}
    assert all({"from", "to", "count", "control"} <= set(e) and e["from"] in ids and e["to"] in ids
               for e in doc["edges"])


def _cli(*args, cwd=None):
    return subprocess.run([*PBSCOPE, "graph", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_cli_svg_png_json(tmp_path):
    svg = tmp_path / "demo.svg"
    r = _cli(str(DEMO), "--expand", "MobileNetV1", "-o", str(svg))
    assert r.returncode == 0, r.stderr
    assert svg.read_text().startswith("<svg") and "Conv2d_0" in svg.read_text()
    png = tmp_path / "demo.png"
    r = _cli(str(DEMO), "--all", "--direction", "LR", "-o", str(png))
    assert r.returncode == 0, r.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = _cli(str(DEMO), "--scope", "MobileNetV1", "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and len(doc["nodes"]) == 17 and doc["scope"] == "MobileNetV1"
    assert not list(tmp_path.glob(".*"))           # no temporary left behind


@pytest.mark.parametrize("args, needle", [
    (["-o", "x.gif"], "must be an .svg or a .png"),
    (["--scope", "nope", "--json"], "no scope named 'nope'"),
    (["-o", "no_such_folder/x.svg"], "cannot write"),
])
def test_cli_bad_input_one_line(tmp_path, args, needle):
    r = _cli(str(DEMO), *args, cwd=tmp_path)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pbscope: error: ") and needle in lines[0], r.stderr


def test_cli_usage_without_output(tmp_path):
    r = _cli(str(DEMO), cwd=tmp_path)
    assert r.returncode == 2 and "-o OUT.svg" in r.stderr
