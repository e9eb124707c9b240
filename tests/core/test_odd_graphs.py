"""One deliberately odd GraphDef, and today's answers for it written out literally.

Duplicated names (one name three times, with different types and inputs), an empty name,
inputs to missing ops, ^control inputs to existing and missing ops, explicit ``x:0``
ports, an empty input string, names with consecutive, trailing and leading slashes, a
name that is both an op and a scope, non-ASCII names. The same graph is read from binary
(.pb) and from text (.pbtxt): both must give the same answers.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from google.protobuf import text_format

from pbscope.core import cli, proto
from pbscope.core.formats import open_model
from tests.core.graphs import const, op
from tests.core.reference import describe_tree


def odd_graph_def():
    gd = proto.GraphDef()
    op(gd, "dup", "Placeholder")                        # 0
    op(gd, "", "NoOp", "dup")                           # 1  an empty name
    op(gd, "dup", "Relu", "dup", "^missing_ctl")        # 2  dup again; reads itself (by name)
    const(gd, "w", np.array([[1, 2], [3, 4]], np.float32))   # 3  op and scope: w, w/read
    op(gd, "w/read", "Identity", "w")                   # 4
    op(gd, "a//b", "Foo", "dup:0", "w/read")            # 5  consecutive slashes, explicit :0
    op(gd, "a/b/", "Relu", "a//b", "^w")                # 6  trailing slash, control to an op
    op(gd, "dup", "Identity", "nope:1", "^dup")         # 7  dup a third time; missing input
    op(gd, "é/ß", "AddN", "a/b/:1", "", "w/read:0")     # 8  UTF-8; an empty input string
    op(gd, "/lead", "Identity", "é/ß")                  # 9  leading slash
    op(gd, "out", "NoOp", "^é/ß", "^ghost")             # 10 control to a missing op
    op(gd, "lead", "NoOp")                              # 11 same leaf as "/lead" at the root
    return gd


NAMES = ["dup", "", "dup", "w", "w/read", "a//b", "a/b/", "dup", "é/ß", "/lead", "out", "lead"]
TYPES = ["Placeholder", "NoOp", "Relu", "Const", "Identity", "Foo", "Relu", "Identity", "AddN",
         "Identity", "NoOp", "NoOp"]
RAW_INPUTS = [(), ("dup",), ("dup", "^missing_ctl"), (), ("w",), ("dup:0", "w/read"),
              ("a//b", "^w"), ("nope:1", "^dup"), ("a/b/:1", "", "w/read:0"), ("é/ß",),
              ("^é/ß", "^ghost"), ()]

# name → [(consumer index, consumer name, slot)]: file order, slot counts data inputs, -1 = control
CONSUMERS = {
    "dup": [(1, "", 0), (2, "dup", 0), (5, "a//b", 0), (7, "dup", -1)],
    "": [(8, "é/ß", 1)],
    "w": [(4, "w/read", 0), (6, "a/b/", -1)],
    "w/read": [(5, "a//b", 1), (8, "é/ß", 2)],
    "a//b": [(6, "a/b/", 0)],
    "a/b/": [(8, "é/ß", 0)],
    "é/ß": [(9, "/lead", 0), (10, "out", -1)],
    "/lead": [],
    "out": [],
    "lead": [],
    "missing_ctl": [(2, "dup", -1)],
    "nope": [(7, "dup", 0)],
    "nope:1": [],
    "ghost": [(10, "out", -1)],
    "a/b": [],
    "a": [],
    "^dup": [],
}

# the scope tree: name, path, " op" if an op sits there, op count, weight count, params
TREE = """\
'' path='' ops=12 w=1 p=4
  'dup' path='dup' op ops=1 w=0 p=0
  '' path='' op ops=1 w=0 p=0
  'dup (2)' path='dup' op ops=1 w=0 p=0
  'w' path='w' op ops=2 w=1 p=4
    'read' path='w/read' op ops=1 w=0 p=0
  'a' path='a' ops=2 w=0 p=0
    '' path='a/' ops=1 w=0 p=0
      'b' path='a//b' op ops=1 w=0 p=0
    'b' path='a/b' ops=1 w=0 p=0
      '' path='a/b/' op ops=1 w=0 p=0
  'dup (3)' path='dup' op ops=1 w=0 p=0
  'é' path='é' ops=1 w=0 p=0
    'ß' path='é/ß' op ops=1 w=0 p=0
  'lead' path='/lead' op ops=1 w=0 p=0
  'out' path='out' op ops=1 w=0 p=0
  'lead (2)' path='lead' op ops=1 w=0 p=0"""

LS_TEXT = """\
dup     Placeholder
        NoOp
dup     Relu
w       Const        float32  [2,2]                    16 B  w:0
w/read  Identity
a//b    Foo
a/b/    Relu
dup     Identity
é/ß     AddN
/lead   Identity
out     NoOp
lead    NoOp
"""


@pytest.fixture(params=["pb", "pbtxt"])
def odd(request, tmp_path):
    gd = odd_graph_def()
    path = tmp_path / f"odd.{request.param}"
    if request.param == "pb":
        path.write_bytes(gd.SerializeToString())
    else:
        path.write_text(text_format.MessageToString(gd), encoding="utf-8")
    return path


def test_ops_names_types_inputs(odd):
    g = open_model(odd)
    assert g.format == ("GraphDef" if odd.suffix == ".pb" else "GraphDef (text)")
    assert [o.name for o in g.ops] == NAMES
    assert [o.type for o in g.ops] == TYPES
    assert [o.raw_inputs for o in g.ops] == RAW_INPUTS
    assert [o.device for o in g.ops] == [""] * 12
    assert all(g.ops[i].index == i for i in range(len(g.ops)))
    assert len(g) == 12 and g.function_ops == [] and g.all_ops == g.ops
    assert not any(o.synthetic for o in g.ops)
    # get() and op(): the first op of a name
    assert g.get("dup") is g.ops[0] and g.op("dup") is g.ops[0]
    assert g.get("") is g.ops[1]
    assert g.get("lead") is g.ops[11] and g.get("/lead") is g.ops[9]
    assert g.get("nope") is None and g.get("dup:0") is None and g.get("a/b") is None
    # inputs split as written
    e = g.ops[8]
    assert e.inputs == ["a/b/:1", "", "w/read:0"]
    assert e.input_ops == ["a/b/", "", "w/read"]
    assert e.control_inputs == []
    assert g.ops[10].control_inputs == ["é/ß", "ghost"] and g.ops[10].inputs == []
    assert g.ops[7].input_ops == ["nope"] and g.ops[7].control_inputs == ["dup"]
    assert g.op_types() == {"Identity": 3, "NoOp": 3, "Relu": 2, "AddN": 1, "Const": 1,
                            "Foo": 1, "Placeholder": 1}


def test_consumers(odd):
    g = open_model(odd)
    for name, want in CONSUMERS.items():
        assert [(c.index, c.name, slot) for c, slot in g.consumers(name)] == want, name
    # every duplicate "dup" op reports the consumers of the name
    assert g.ops[0].consumers == g.ops[2].consumers == g.ops[7].consumers == g.consumers("dup")


def test_outputs_and_inputs(odd):
    g = open_model(odd)
    assert [o.name for o in g.outputs] == ["/lead", "out", "lead"]
    assert [o.index for o in g.outputs] == [9, 10, 11]
    assert [o.name for o in g.inputs] == ["dup"]
    assert [o.index for o in g.inputs] == [0]


def test_scope_tree(odd):
    g = open_model(odd)
    assert "\n".join(describe_tree(g.root)) == TREE
    root = g.root
    assert list(root.children) == ["dup", "", "dup (2)", "w", "a", "dup (3)", "é", "lead", "out", "lead (2)"]
    assert [s.op.index for s in root.rows if s.op is not None] == [0, 1, 2, 3, 7, 9, 10, 11]
    w = root.children["w"]
    assert w.op is g.ops[3] and w.weight is g.weights[0] and list(w.children) == ["read"]
    assert w.children["read"].op is g.ops[4] and w.children["read"].weight is None
    assert root.children["dup (3)"].op is g.ops[7]
    assert root.nbytes == 16
    # find() splits on "/": fine inside, but a leading-slash name is not where find looks
    assert root.find("a/b") is root.children["a"].children["b"]
    assert root.find("a//b").op is g.ops[5]
    assert root.find("a/b/").op is g.ops[6]
    assert root.find("é/ß").op is g.ops[8]
    assert root.find("").op is g.ops[1]
    # TODAY: "/lead" sits at the root as "lead" (its empty first part dropped), so the op
    # "lead" becomes its duplicate "lead (2)", and find("/lead") finds nothing.
    assert root.find("lead").op is g.ops[9]
    assert root.find("/lead") is None
    assert [s.path for s in root.walk()] == [
        "", "dup", "", "dup", "w", "w/read", "a", "a/", "a//b", "a/b", "a/b/", "dup", "é",
        "é/ß", "/lead", "out", "lead"]


def test_weights_and_find_weight(odd):
    g = open_model(odd)
    assert [(w.name, w.key, w.var_name, w.shape, w.dtype_name, w.rule, w.role) for w in g.weights] == \
        [("w", "w:0", "w", (2, 2), "float32", "tf1-read", "w")]
    assert g.extra_weights == []
    w = g.weights[0]
    assert w.op is g.ops[3]
    np.testing.assert_array_equal(w.array(), np.array([[1, 2], [3, 4]], np.float32))
    assert g.params == 4 and g.nbytes == 16
    assert g.find_weight("w") is w
    assert g.find_weight("w:0") is w
    for name in ("w/read", "w/read:0", "dup", "", ":0", "a", "é/ß", "nope"):
        assert g.find_weight(name) is None, name
    assert g.weight_of("w") is w and g.weight_of("dup") is None
    assert g.ops[3].weight is w and g.ops[4].weight is None
    assert [c.name for c in g.constants] == ["w"]


def test_cli_ls(odd, capsys):
    assert cli.main(["ls", str(odd)]) == 0
    assert capsys.readouterr().out == LS_TEXT
    assert cli.main(["ls", str(odd), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{"name": n, "op": t} if n != "w" else
                    {"name": "w", "op": "Const", "key": "w:0", "shape": [2, 2], "dtype": "float32", "bytes": 16}
                    for n, t in zip(NAMES, TYPES)]
    assert cli.main(["ls", str(odd), "--weights"]) == 0
    assert capsys.readouterr().out == "w  Const  float32  [2,2]                    16 B  w:0\n"
    assert cli.main(["ls", str(odd), "--filter", "DUP"]) == 0
    assert capsys.readouterr().out == "dup  Placeholder\ndup  Relu\ndup  Identity\n"
    assert cli.main(["ls", str(odd), "--op", "noop", "--json"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["", "out", "lead"]


def test_attrs_and_node(odd):
    g = open_model(odd)
    gd = odd_graph_def()
    for o, n in zip(g.ops, gd.node):
        assert o.node == n, o.name
    assert g.ops[3].attrs == {"dtype": "float32", "value": "<tensor float32 [2, 2]>"}
    assert g.ops[0].attrs == {}


def test_text_graph_nodes_are_not_changed_by_opening(tmp_path):
    gd = proto.GraphDef()
    op(gd, "c", "Const")
    op(gd, "c/read", "Identity", "c")
    op(gd, "v", "VariableV2")
    path = tmp_path / "bare.pbtxt"
    path.write_text(text_format.MessageToString(gd), encoding="utf-8")
    g = open_model(path)
    assert [o.node for o in g.ops] == list(gd.node)
    assert g.ops[0].attrs == {} and g.ops[2].attrs == {}


def test_binary_graph_nodes_without_attrs(tmp_path):
    """The same bare graph from binary: nodes as in the file; weights without values."""
    gd = proto.GraphDef()
    op(gd, "c", "Const")
    op(gd, "c/read", "Identity", "c")
    op(gd, "v", "VariableV2")
    path = tmp_path / "bare.pb"
    path.write_bytes(gd.SerializeToString())
    g = open_model(path)
    assert [o.node for o in g.ops] == list(gd.node)
    assert g.ops[0].attrs == {} and g.ops[2].attrs == {}
    assert [(w.name, w.shape, w.dtype_name, w.rule, w.available) for w in g.weights] == \
        [("c", None, "?", "tf1-read", False), ("v", None, "?", "variable", False)]
    assert g.weights[0].error == "the Const has no value"
