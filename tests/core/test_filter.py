"""core/filter.py: the vectorized filter gives exactly what matching each name alone gives."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbscope.core import proto
from pbscope.core.filter import FilterIndex, FilterQuery, compile_query
from pbscope.core.formats import open_model
from tests.core.graphs import const, op

PARTS = ["a", "B", "conv", "Conv2D", "w", "read", "é", "x_1", "", "la.y", "*"]


def _graph(tmp_path, names: list[str], tag: str = "g"):
    gd = proto.GraphDef()
    for i, name in enumerate(names):
        if i % 5 == 0:
            const(gd, name, np.ones((2, 2), np.float32))
            op(gd, name + "/read", "Identity", name)
        else:
            op(gd, name, "Relu" if i % 2 else "MatMul", names[0])
    path = tmp_path / f"{tag}.pb"
    path.write_bytes(gd.SerializeToString())
    return open_model(path)


def _expected(g, q: FilterQuery) -> list[int]:
    names = [o.name for o in g.all_ops]
    types = [o.type for o in g.all_ops]
    weights = {w.name for w in (*g.weights, *g.extra_weights)}
    rx = compile_query(q)
    out = []
    for i, n in enumerate(names):
        if q.op_type and types[i] != q.op_type:
            continue
        if q.weights_only and n not in weights:
            continue
        if rx is not None:
            hit = q.text.lower() in n.lower() if q.mode == "text" else rx.search(n) is not None
            if not hit:
                continue
        out.append(i)
    return out


names_st = st.lists(st.lists(st.sampled_from(PARTS), min_size=1, max_size=4).map("/".join),
                    min_size=1, max_size=30, unique=True)
queries = st.builds(FilterQuery,
                    text=st.sampled_from(["", "a", "conv", "CONV2", "w/read", "é", "x_", ".", "a.*w",
                                          "^conv", "read$", "[ab]", "*", "conv*", "*read", "a?c",
                                          "[!a]*", "\\Aa", "w\\Z", "la.y", "B/", "(?<=/)w"]),
                    mode=st.sampled_from(["text", "regex", "glob"]),
                    op_type=st.sampled_from(["", "Relu", "Const", "Identity"]),
                    weights_only=st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=names_st, qs=st.lists(queries, min_size=1, max_size=6))
def test_matches_equal_matching_each_name(tmp_path, names, qs):
    g = _graph(tmp_path, names)
    index = FilterIndex(g)
    for q in qs:                      # one index, several queries: the typing cache too
        try:
            compile_query(q)
        except re.error:
            continue
        assert list(index.run(q).indices) == _expected(g, q), q


def test_typing_narrows_and_backspace_widens(tmp_path):
    g = _graph(tmp_path, [f"model/block_{b}/layer_{i}" for b in range(3) for i in range(40)])
    index = FilterIndex(g)
    for text in ["l", "la", "layer_1", "layer_12", "layer_1", "la", "layer_3", "xyz", "layer"]:
        q = FilterQuery(text)
        assert list(index.run(q).indices) == _expected(g, q), text


def test_names_with_newlines_and_non_ascii(tmp_path):
    g = _graph(tmp_path, ["a\nb", "ünï/çode", "plain", "x\ny/a"])
    index = FilterIndex(g)
    for q in [FilterQuery("b"), FilterQuery("a"), FilterQuery("ÇODE"), FilterQuery("^y", mode="regex"),
              FilterQuery("a$", mode="regex"), FilterQuery("*a", mode="glob"), FilterQuery("\nb")]:
        assert list(index.run(q).indices) == _expected(g, q), q


def test_shown_nodes_are_matches_and_their_ancestors(tmp_path):
    g = _graph(tmp_path, ["m/a/w", "m/a/conv", "m/b/conv", "n/x"])
    r = FilterIndex(g).run(FilterQuery("conv"))
    tree = g.scope_tree
    shown = {tree.path(int(k)) for k in np.flatnonzero(r.shown) if k != tree.root}
    assert shown == {"m", "m/a", "m/a/conv", "m/b", "m/b/conv"} == r.visible
    assert r.parents == {"m", "m/a", "m/b"}


@pytest.mark.parametrize("text", ["", "zzz"])
def test_everything_or_nothing(tmp_path, text):
    g = _graph(tmp_path, ["a", "b/c"])
    r = FilterIndex(g).run(FilterQuery(text))
    assert (r.visible is None) == (text == "") and r.count == (len(g.all_ops) if not text else 0)
