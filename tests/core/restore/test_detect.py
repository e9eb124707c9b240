"""What a TARGET string names (core/restore/detect.py), on files made here: no TensorFlow.

Checkpoints are recognised as the checkpoint reader recognises them (formats/sniff.py,
formats/checkpoint.resolve); the files only need to look right to the sniffing: an
.index ends with the table magic, a .meta is a MetaGraphDef in text format."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pbscope.core.errors import PbscopeError
from pbscope.core.restore import TARGETS_HINT, TargetSpec, detect

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "resources" / "demo_mobilenet_v1.pb"
TABLE_MAGIC = bytes.fromhex("57fb808b247547db")
META_TEXT = 'meta_info_def { }\ngraph_def { node { name: "w" op: "VariableV2" } }\n'


def checkpoint(folder: Path, name: str = "model.ckpt", meta: bool = True, index: bool = True,
               state: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    prefix = folder / name
    if index:
        (folder / f"{name}.index").write_bytes(b"\0" * 40 + TABLE_MAGIC)
        (folder / f"{name}.data-00000-of-00001").write_bytes(b"\0" * 16)
    if meta:
        (folder / f"{name}.meta").write_text(META_TEXT)
    if state:
        (folder / "checkpoint").write_text(f'model_checkpoint_path: "{name}"\n')
    return prefix


def error(target) -> str:
    with pytest.raises(PbscopeError) as e:
        detect(str(target))
    assert "\n" not in str(e.value)
    return str(e.value)


def test_checkpoint_by_prefix_meta_index_shard_state_and_folder(tmp_path):
    prefix = checkpoint(tmp_path / "ckpt", state=True)
    want = TargetSpec("checkpoint", str(prefix), meta=str(prefix) + ".meta")
    for given in (prefix, f"{prefix}.meta", f"{prefix}.index", f"{prefix}.data-00000-of-00001",
                  tmp_path / "ckpt", tmp_path / "ckpt" / "checkpoint"):
        assert detect(str(given)) == want, given
    assert want.prefix == want.path


def test_checkpoint_folder_without_a_state_file(tmp_path):
    prefix = checkpoint(tmp_path / "one", "model.ckpt-100")
    assert detect(str(tmp_path / "one")) == TargetSpec("checkpoint", str(prefix), meta=f"{prefix}.meta")
    checkpoint(tmp_path / "two", "a.ckpt")
    checkpoint(tmp_path / "two", "b.ckpt")
    assert error(tmp_path / "two").endswith("holds 2 .meta graphs and no 'checkpoint' file; give one "
                                            f"checkpoint prefix (e.g. {tmp_path / 'two' / 'b.ckpt'})")


def test_checkpoint_with_a_part_missing(tmp_path):
    no_meta = checkpoint(tmp_path / "a", meta=False)
    assert error(no_meta) == f"{no_meta}: the checkpoint model.ckpt has no .meta graph; pbscope needs " \
                             "model.ckpt.meta to know the model"
    assert "has no .meta graph" in error(tmp_path / "a")
    no_index = checkpoint(tmp_path / "b", index=False)
    for given in (no_index, f"{no_index}.meta"):
        assert error(given) == f"{given}: the checkpoint model.ckpt has no .index (only TF1 V2 checkpoints " \
                               "are supported)"
    state = checkpoint(tmp_path / "c", state=True).parent / "checkpoint"
    state.write_text('model_checkpoint_path: "gone.ckpt"\n')
    assert "points to 'gone.ckpt'" in error(tmp_path / "c")


def test_savedmodel_folder_or_its_graph(tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"\x08\x01")
    assert detect(str(folder)) == TargetSpec("savedmodel", str(folder))
    assert detect(str(folder / "saved_model.pb")) == TargetSpec("savedmodel", str(folder))


def test_keras_files(tmp_path):
    keras_file = tmp_path / "model.keras"
    with zipfile.ZipFile(keras_file, "w") as z:
        z.writestr("config.json", "{}")
        z.writestr("model.weights.h5", b"")
    h5 = tmp_path / "model.h5"
    h5.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    assert detect(str(keras_file)) == TargetSpec("keras", str(keras_file))
    assert detect(str(h5)) == TargetSpec("keras", str(h5))
    weights = tmp_path / "model.weights.h5"
    weights.write_bytes(h5.read_bytes())
    assert error(weights).endswith("a Keras weights file holds no model to restore into; "
                                   "give the .keras (or .h5) model file")


def test_builder_specs_by_name_alone(tmp_path):
    assert detect("some/where/build.py:define") == TargetSpec("builder", "some/where/build.py", function="define")
    assert detect("C:/x/Build.PY:f") == TargetSpec("builder", "C:/x/Build.PY", function="f")
    assert error("b.py:1st") == "b.py: '1st' is not a function name; write b.py:FUNCTION"
    assert error("b.py") == "b.py: name the builder function: b.py:FUNCTION"


def test_bad_paths_give_one_clear_line(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("just notes\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    meta_only = tmp_path / "graph.pbtxt"
    meta_only.write_text(META_TEXT)
    cases = {
        tmp_path / "nope": "no such file or folder",
        notes: "not a model to restore into: a text file, but not a TensorFlow graph",
        empty: "not a model to restore into: a folder with no TensorFlow model in it",
        DEMO: "not a model to restore into: it is a binary TensorFlow GraphDef, whose weights are constants "
              "(unfreeze it first: pbscope unfreeze)",
        meta_only: "not a model to restore into: it is a TensorFlow MetaGraphDef in text format with no "
                   "checkpoint beside it",
    }
    for path, want in cases.items():
        line = error(path)
        assert line.startswith(f"{path}: {want}"), line
        if want.startswith("not a model"):
            assert line.endswith(TARGETS_HINT)
