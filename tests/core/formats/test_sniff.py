"""What a file is, told from its content (core/formats/sniff.py): one small file per kind,
made here without TensorFlow (protobuf with pbscope's own schema, numpy, h5py, zipfile,
json), and the reader each kind goes to."""
from __future__ import annotations

import json
import pickle
import zipfile

import numpy as np
import pytest
from google.protobuf import text_format

from pbscope.core import proto
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import READERS, LAZY_READERS, detect, open_model, reader_of
from pbscope.core.formats.sniff import _TABLE_MAGIC, LABELS

from ..graphs import const, op


def graph_def():
    gd = proto.GraphDef()
    op(gd, "x", "Placeholder")
    const(gd, "w", np.ones((2, 2), np.float32))
    op(gd, "y", "MatMul", "x", "w")
    gd.versions.producer = 1882
    return gd


def meta_graph():
    mg = proto.MetaGraphDef()
    mg.meta_info_def.tags.append("serve")
    mg.graph_def.CopyFrom(graph_def())
    return mg


def saved_model():
    sm = proto.SavedModel(saved_model_schema_version=1)
    sm.meta_graphs.add().CopyFrom(meta_graph())
    return sm


def write(path, data: bytes | str):
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    return path


@pytest.fixture
def files(tmp_path):
    """{kind: path}: a small file or folder of every kind sniff tells apart."""
    t = tmp_path
    out = {
        "graphdef": write(t / "g.pb", graph_def().SerializeToString()),
        # the name says .pb, the content says text: the content wins
        "graphdef-text": write(t / "text_saved_as.pb", text_format.MessageToString(graph_def())),
        "metagraph": write(t / "m.meta", meta_graph().SerializeToString()),
        "metagraph-text": write(t / "m.meta.pbtxt", "# a comment first\n" + text_format.MessageToString(meta_graph())),
        "savedmodel": write(t / "saved_model.pb", saved_model().SerializeToString()),
        "checkpoint-state": write(t / "checkpoint", 'model_checkpoint_path: "model.ckpt"\n'),
        "checkpoint-index": write(t / "model.ckpt.index", b"\x00" * 40 + _TABLE_MAGIC),
        "checkpoint-data": write(t / "model.ckpt.data-00000-of-00001", np.zeros(8, np.float32).tobytes()),
        "npy": t / "a.npy",
        "npz": t / "a.npz",
        "pickle": write(t / "w.pkl", pickle.dumps({"w": np.ones(2)}, protocol=4)),
        "safetensors": t / "w.safetensors",
        "tflite": write(t / "m.tflite", b"\x1c\x00\x00\x00TFL3" + b"\x00" * 40),
        "onnx": write(t / "m.onnx", b"\x08\x07" + b"\x3a\x02\x0a\x00"),     # ir_version, graph
        "protobuf": write(t / "other.pb", b"\x0a\x03abc\x10\x01"),
        "zip": t / "other.zip",
        "keras": t / "m.keras",
        "hdf5": t / "m.h5",
    }
    sm_text = t / "smtext"
    sm_text.mkdir()
    out["savedmodel-text"] = write(sm_text / "saved_model.pbtxt", text_format.MessageToString(saved_model()))
    np.save(out["npy"], np.arange(3))
    np.savez(out["npz"], a=np.arange(3))
    from safetensors.numpy import save_file
    save_file({"w": np.ones(2, np.float32)}, str(out["safetensors"]))
    with zipfile.ZipFile(out["zip"], "w") as z:
        z.writestr("readme.txt", "hello")
    with zipfile.ZipFile(out["keras"], "w") as z:
        z.writestr("config.json", "{}")
        z.writestr("metadata.json", "{}")
        z.writestr("model.weights.h5", b"")
    import h5py
    with h5py.File(out["hdf5"], "w") as f:
        f["x"] = np.arange(3)
    for name in ("sm", "ckpt", "npys", "tfjs"):
        (t / name).mkdir()
    write(t / "sm" / "saved_model.pb", saved_model().SerializeToString())
    out["savedmodel-dir"] = t / "sm"
    write(t / "ckpt" / "checkpoint", 'model_checkpoint_path: "model.ckpt"\n')
    out["checkpoint-dir"] = t / "ckpt"
    out["checkpoint-prefix"] = t / "model.ckpt"          # no such file: model.ckpt.index beside it
    np.save(t / "npys" / "0.npy", np.arange(2))
    write(t / "npys" / "index.json", '{"a": "0.npy"}')
    out["npy-dir"] = t / "npys"
    write(t / "tfjs" / "group1-shard1of1.bin", np.zeros(4, np.float32).tobytes())
    manifest = [{"paths": ["group1-shard1of1.bin"], "weights": [{"name": "w", "shape": [4], "dtype": "float32"}]}]
    out["json"] = write(t / "tfjs" / "model.json", json.dumps({"format": "graph-model", "modelTopology": {"node": []},
                                                               "weightsManifest": manifest}))
    out["tfjs-shard"] = t / "tfjs" / "group1-shard1of1.bin"
    return out


def test_every_kind_is_told_from_its_content(files):
    assert set(files) == set(LABELS)
    for kind, path in files.items():
        got = detect(path)
        assert got.name == kind, (path, got)
        assert got.label == LABELS[kind]


def test_folders_name_the_file_inside(files, tmp_path):
    assert detect(tmp_path / "tfjs").name == "json"
    assert detect(tmp_path / "tfjs").path == str(tmp_path / "tfjs" / "model.json")
    assert detect(files["savedmodel-dir"]).path == str(files["savedmodel-dir"])


def test_every_kind_but_two_has_a_reader():
    assert set(LABELS) - set(READERS) - set(LAZY_READERS) == {"onnx", "protobuf"}
    for kind in LABELS:
        reader = reader_of(kind)
        assert (reader is None) == (kind in ("onnx", "protobuf"))
        if reader is not None:
            assert kind in reader.KINDS


@pytest.mark.parametrize("kind", ["onnx", "protobuf"])
def test_kinds_without_a_reader_are_named(files, kind):
    with pytest.raises(PbscopeError, match=f"this is {LABELS[kind]}; pbscope does not open this kind"):
        open_model(files[kind])


@pytest.mark.parametrize("make,cause", [
    (lambda t: write(t / "empty.pb", b""), "the file is empty (0 bytes)"),
    (lambda t: write(t / "notes.pbtxt", "just some notes\n"), "a text file, but not a TensorFlow graph"),
    (lambda t: write(t / "noise.pb", b"\xff" * 64), "not a TensorFlow model"),
    (lambda t: t / "missing.pb", "no such file or folder"),
])
def test_what_is_no_model_is_one_line(tmp_path, make, cause):
    path = make(tmp_path)
    with pytest.raises(PbscopeError) as e:
        detect(path)
    assert str(e.value) == f"{path}: {cause}" or str(e.value).startswith(f"{path}: {cause}")


def test_a_folder_of_graphs_names_them(tmp_path):
    write(tmp_path / "a.pb", graph_def().SerializeToString())
    write(tmp_path / "b.pbtxt", text_format.MessageToString(graph_def()))
    with pytest.raises(PbscopeError, match=r"it has 2 \.pb/\.pbtxt files: open one of them"):
        detect(tmp_path)
