"""Every file in ../shared/corpus (real models nobody here wrote) either opens with the op
count a plain protobuf parse gives, or is refused with one line that names what it is."""
from __future__ import annotations

import re

import pytest

from pbscope.core.errors import PbscopeError
from pbscope.core.formats import detect, open_model
from tests.fixtures import corpus

# ../shared/corpus, or $PBSCOPE_CORPUS; a fresh clone has neither and skips these (each
# format is then still tested on files the tests make: tests/core/formats/)
CORPUS = corpus.CORPUS
ROWS = corpus.rows()

GRAPHS = ("GraphDef", "GraphDef(text)", "MetaGraphDef", "SavedModel")
# files in the corpus that are not models (assets, configs, fingerprints): refused, by name
NOT_MODELS = ("text file", "empty", "protobuf message, but not a TensorFlow graph")
# Keras, TFLite and TF.js files: they open, or (damaged, hostile, a shard missing) are
# refused with one line; each reader's own tests pin which does what.
READER_KINDS = ("keras-h5", "keras-weights-h5", "keras-zip", "tflite", "tfjs-layers", "tfjs-graph")


def _id(row):
    return row["path"]


@pytest.mark.skipif(not ROWS, reason=corpus.SKIP_REASON)
@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_corpus_file(row):
    path = CORPUS / row["path"]
    try:
        g = open_model(path)
    except PbscopeError as e:
        msg = str(e)
        assert msg.startswith(f"{path}: ") and "\n" not in msg
        if row["kind"] in READER_KINDS:
            return
        assert row["parsed_as"] in ("", "n/a (non-graph proto)", "PARSE-FAIL"), f"a {row['parsed_as']} was refused: {msg}"
        assert any(w in msg for w in NOT_MODELS), msg
        return
    if row["parsed_as"] in GRAPHS:
        real = [op for op in g.ops if not op.synthetic]
        assert len(real) == int(row["node_count"])
        assert sum(1 for op in real if op.type == "Const") == int(row["const_count"])
        assert sum(1 for op in real if op.name.endswith("/read")) == int(row["read_suffix_count"])
    m = re.search(r"ckpt: (\d+) vars", row["note"])
    if m and "INCOMPLETE" not in row["note"]:
        listed = {w.raw_key or w.name for w in g.weights + g.extra_weights}
        assert len(listed) >= int(m.group(1)) - 1    # less the TF2 object graph entry
    # every weight and constant decodes, or fails with our one-line error
    for w in g.constants + g.extra_weights:
        try:
            a = w.array()
        except PbscopeError as e:
            assert "\n" not in str(e)
            continue
        assert a.shape == w.shape


def _model_folders():
    if not CORPUS.exists():
        return []
    return sorted(str(p.parent.relative_to(CORPUS)) for p in CORPUS.rglob("*")
                  if p.name in ("saved_model.pb", "saved_model.pbtxt", "checkpoint") and p.is_file())


@pytest.mark.skipif(not ROWS, reason=corpus.SKIP_REASON)
@pytest.mark.parametrize("folder", _model_folders())
def test_corpus_model_folders_open(folder):
    g = open_model(CORPUS / folder)
    assert g.ops or g.weights
    assert g.format in ("SavedModel", "TF1 checkpoint (.meta + checkpoint)",
                        "TF checkpoint (no .meta: variables only)")


@pytest.mark.skipif(not ROWS, reason=corpus.SKIP_REASON)
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


@pytest.mark.skipif(not ROWS, reason=corpus.SKIP_REASON)
def test_quantized_weights_are_labelled():
    g = open_model(CORPUS / "canaree_stylize/app/src/main/assets/stylize_quantized.pb")
    q = [w for w in g.weights if w.dtype is not None and w.dtype.quantized]
    assert len(q) == 18
    assert all(w.array().dtype.name == "uint8" for w in q)


@pytest.mark.skipif(not ROWS, reason=corpus.SKIP_REASON)
def test_not_frozen_graph_has_weights_without_values():
    g = open_model(CORPUS / "graduation_thesis/TensorFlow/tutorial/models/test.pb")
    variables = [w for w in g.weights if w.rule == "variable"]
    assert len(variables) == 4
    assert all(not w.available and "not frozen" in w.error for w in variables)
    with pytest.raises(PbscopeError, match="not frozen"):
        variables[0].array()


def test_lazy_readers_claim_the_kinds_they_are_listed_for():
    import importlib

    from pbscope.core.formats import LAZY_READERS
    for module in set(LAZY_READERS.values()):
        kinds = importlib.import_module(f"pbscope.core.formats.{module}").KINDS
        assert set(kinds) == {k for k, m in LAZY_READERS.items() if m == module}
