"""Every file in ../shared/corpus (real models nobody here wrote) either opens with the op
count a plain protobuf parse gives, or is refused with one line that names what it is."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.errors import PbscopeError
from core.formats import detect, open_model

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
ROWS = []
if (CORPUS / "SOURCES.tsv").exists():
    with open(CORPUS / "SOURCES.tsv", newline="") as f:
        ROWS = list(csv.DictReader(f, delimiter="\t"))

# What a refusal must name, by the file's kind in SOURCES.tsv.
REFUSAL_WORDS = {
    "savedmodel": ("SavedModel", "checkpoint", "text file", "empty", "protobuf message"),
    "ckpt": ("checkpoint", "MetaGraphDef"),
    "other": ("",),
}


def _id(row):
    return row["path"]


@pytest.mark.skipif(not ROWS, reason="../shared/corpus is not here")
@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_corpus_file(row):
    path = CORPUS / row["path"]
    try:
        g = open_model(path)
    except PbscopeError as e:
        msg = str(e)
        assert msg.startswith(f"{path}: ") and "\n" not in msg
        assert row["parsed_as"] not in ("GraphDef", "GraphDef(text)"), f"a GraphDef was refused: {msg}"
        words = REFUSAL_WORDS.get(row["kind"], ("",))
        assert any(w in msg for w in words), msg
        return
    assert row["parsed_as"] in ("GraphDef", "GraphDef(text)"), f"opened a {row['parsed_as']}"
    assert len(g.ops) == int(row["node_count"])
    consts = sum(1 for op in g.ops if op.type == "Const")
    assert consts == int(row["const_count"])
    reads = sum(1 for op in g.ops if op.name.endswith("/read"))
    assert reads == int(row["read_suffix_count"])
    # every weight and constant decodes, or fails with our one-line error
    for w in g.constants:
        try:
            a = w.array()
        except PbscopeError as e:
            assert "\n" not in str(e)
            continue
        assert a.shape == w.shape


@pytest.mark.skipif(not ROWS, reason="../shared/corpus is not here")
def test_corpus_kinds_are_detected_by_content():
    kinds = {}
    for row in ROWS:
        try:
            kinds[row["path"]] = detect(CORPUS / row["path"]).name
        except PbscopeError:
            kinds[row["path"]] = "refused"
    text_pb = "graduation_thesis/TensorFlow/tutorial/models/test_text.pb"
    assert kinds[text_pb] == "graphdef-text"          # text saved with a .pb name
    assert kinds["daviesx_mnist/cnn.ckpt.meta"] == "metagraph"
    assert kinds["daviesx_mnist/checkpoint"] == "checkpoint-state"
    assert kinds["daviesx_mnist/fc2.ckpt.index"] == "checkpoint-index"
    sm = [p for p in kinds if p.endswith("saved_model.pb")]
    assert sm and all(kinds[p] == "savedmodel" for p in sm)


@pytest.mark.skipif(not ROWS, reason="../shared/corpus is not here")
def test_quantized_weights_are_labelled():
    g = open_model(CORPUS / "canaree_stylize/app/src/main/assets/stylize_quantized.pb")
    q = [w for w in g.weights if w.dtype is not None and w.dtype.quantized]
    assert len(q) == 18
    assert all(w.array().dtype.name == "uint8" for w in q)


@pytest.mark.skipif(not ROWS, reason="../shared/corpus is not here")
def test_not_frozen_graph_has_weights_without_values():
    g = open_model(CORPUS / "graduation_thesis/TensorFlow/tutorial/models/test.pb")
    variables = [w for w in g.weights if w.rule == "variable"]
    assert len(variables) == 4
    assert all(not w.available and "not frozen" in w.error for w in variables)
    with pytest.raises(PbscopeError, match="not frozen"):
        variables[0].array()
