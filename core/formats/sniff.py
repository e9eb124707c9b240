"""Tell what a file is from its content, not its name.

``sniff(path)`` returns a Kind: what the file holds (a binary GraphDef, a text
MetaGraphDef, a SavedModel folder, a checkpoint index, a Keras file, …). Readers
claim kinds; kinds no reader claims get a message that names them.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from ..errors import PbscopeError
from ..proto.wire import I32, I64, LEN, VARINT, WireError, read_varint

HEAD = 1 << 16

# What each kind is called in messages.
LABELS = {
    "graphdef": "a binary TensorFlow GraphDef",
    "graphdef-text": "a TensorFlow GraphDef in text format",
    "metagraph": "a TensorFlow MetaGraphDef (.meta)",
    "metagraph-text": "a TensorFlow MetaGraphDef in text format",
    "savedmodel": "a TensorFlow SavedModel (saved_model.pb)",
    "savedmodel-text": "a TensorFlow SavedModel in text format (saved_model.pbtxt)",
    "savedmodel-dir": "a TensorFlow SavedModel folder",
    "checkpoint-dir": "a folder holding a TensorFlow checkpoint",
    "checkpoint-state": "a TensorFlow 'checkpoint' state file",
    "checkpoint-index": "a TensorFlow checkpoint index (.index)",
    "checkpoint-data": "a TensorFlow checkpoint data shard (.data-*)",
    "checkpoint-prefix": "a TensorFlow checkpoint prefix",
    "hdf5": "an HDF5 file (Keras .h5)",
    "zip": "a zip archive, but not an .npz or .keras file",
    "npz": "a NumPy .npz archive",
    "keras": "a Keras 3 model (.keras)",
    "npy-dir": "a folder of .npy files with an index.json",
    "pickle": "a Python pickle",
    "npy": "a numpy .npy array",
    "safetensors": "a safetensors file",
    "tflite": "a TensorFlow Lite model (.tflite)",
    "json": "a JSON file",
    "tfjs-shard": "a TF.js weight shard (its model.json is beside it)",
    "onnx": "an ONNX model",
    "protobuf": "a protobuf message, but not a TensorFlow graph",
}

_TEXT_FIELDS = {
    **dict.fromkeys(("node", "library", "versions", "version", "debug_info"), "graphdef-text"),
    **dict.fromkeys(("meta_info_def", "graph_def", "saver_def", "collection_def", "signature_def",
                     "asset_file_def", "object_graph_def"), "metagraph-text"),
    **dict.fromkeys(("saved_model_schema_version", "meta_graphs"), "savedmodel-text"),
    **dict.fromkeys(("model_checkpoint_path", "all_model_checkpoint_paths"), "checkpoint-state"),
}
_FIRST_TEXT_FIELD = re.compile(rb"\A(?:\s|#[^\n]*(?:\n|\Z))*([A-Za-z_][A-Za-z0-9_]*)\s*[:{<]")
_OP_NAME = re.compile(rb"\A[A-Za-z_][A-Za-z0-9_>]*\Z")
_DATA_SHARD = re.compile(r"\.data-\d{5}-of-\d{5}$")
_TABLE_MAGIC = bytes.fromhex("57fb808b247547db")  # leveldb table footer: TF's .index files


@dataclass(frozen=True)
class Kind:
    name: str
    path: str
    size: int = 0
    detail: str = ""

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)


def sniff(path: str | os.PathLike) -> Kind:
    """What ``path`` holds. Raises PbscopeError when it is no model at all."""
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.exists(path + ".index"):     # a checkpoint prefix: model.ckpt
            return Kind("checkpoint-prefix", path)
        raise PbscopeError(path, "no such file or folder") from None
    except OSError as e:
        raise PbscopeError(path, f"cannot read it: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        return _sniff_dir(path)
    if not stat.S_ISREG(st.st_mode):
        raise PbscopeError(path, "not a regular file")
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD)
            tail = b""
            if st.st_size >= 48:
                f.seek(st.st_size - 8)
                tail = f.read(8)
    except PermissionError:
        raise PbscopeError(path, "permission denied: cannot read the file") from None
    except OSError as e:
        raise PbscopeError(path, f"cannot read it: {e.strerror or e}") from None
    if st.st_size == 0:
        raise PbscopeError(path, "the file is empty (0 bytes)")
    return Kind(sniff_bytes(path, head, tail, st.st_size), path, st.st_size)


def sniff_bytes(path: str, head: bytes, tail: bytes, size: int) -> str:
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "hdf5"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head[4:8] == b"TFL3":
        return "tflite"
    if len(head) > 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle"
    if len(head) >= 10 and _looks_like_safetensors(head, size):
        return "safetensors"
    if tail == _TABLE_MAGIC:
        return "checkpoint-index"
    if _is_text(head):
        if head.lstrip()[:1] == b"{":
            return "json"   # TF.js model.json, or some other JSON: its reader tells
        m = _FIRST_TEXT_FIELD.match(head)
        kind = _TEXT_FIELDS.get(m.group(1).decode()) if m else None
        if kind:
            return kind
        raise PbscopeError(path, "a text file, but not a TensorFlow graph in protobuf text format")
    binary = _binary_kind(head, size)
    if binary in (None, "protobuf") and _DATA_SHARD.search(os.path.basename(path)):
        return "checkpoint-data"  # raw tensor bytes: only the name tells
    if binary in (None, "protobuf") and path.endswith(".index"):
        return "checkpoint-index"  # a damaged one: its reader says what is wrong
    if binary:
        return binary
    if _listed_in_tfjs_manifest(path):
        return "tfjs-shard"
    raise PbscopeError(path, "not a TensorFlow model: neither a protobuf GraphDef nor any format pbscope knows")


def _listed_in_tfjs_manifest(path: str) -> bool:
    """Raw weight bytes have no magic: a shard is known by the model.json beside it."""
    folder, name = os.path.split(os.path.abspath(path))
    try:
        with open(os.path.join(folder, "model.json"), "rb") as f:
            text = f.read(64 << 20)
    except OSError:
        return False
    return b'"weightsManifest"' in text and b'"' + name.encode("utf-8", "replace") + b'"' in text


def _zip_kind(path: str) -> str:
    """npz (members are .npy arrays), a Keras 3 .keras file, or another zip."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return "zip"
    if names and all(n.endswith(".npy") for n in names):
        return "npz"
    if "config.json" in names and any(n.endswith(".weights.h5") or n == "model.weights.h5" for n in names):
        return "keras"
    return "zip"


def _looks_like_safetensors(head: bytes, size: int) -> bool:
    n = int.from_bytes(head[:8], "little")
    return 2 <= n <= size - 8 and head[8:9] == b"{"


def _is_text(head: bytes) -> bool:
    sample = head[:4096]
    try:
        s = sample.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(sample) - 4:   # a multi-byte char cut at the end is fine
            return False
        s = sample[:e.start].decode("utf-8")
    return all(c.isprintable() or c in "\t\n\r\f\v" for c in s)


def _fields(buf, start, end, limit=16):
    """Up to ``limit`` (field, wire, start, end) at the top of buf[start:end].

    ``buf`` may be the head of a longer file: a length-delimited field that runs past
    its end is still returned (with its true end), and the walk stops there.
    """
    out = []
    end = min(end, len(buf))
    try:
        _walk_heads(buf, start, end, limit, out)
    except WireError:
        # the head of a larger file may cut the last field's tag or length
        if not out or len(buf) < HEAD or end < len(buf):
            raise
    return out


def _walk_heads(buf, pos, end, limit, out):
    while pos < end and len(out) < limit:
        tag, pos = read_varint(buf, pos, end)
        f, w = tag >> 3, tag & 7
        if f == 0 or w not in (VARINT, I64, LEN, I32):
            raise WireError(pos, "not protobuf")
        if w == LEN:
            n, pos = read_varint(buf, pos, end)
            out.append((f, w, pos, pos + n))
            pos += n
        elif w == VARINT:
            _, e = read_varint(buf, pos, end)
            out.append((f, w, pos, e))
            pos = e
        else:
            n = 8 if w == I64 else 4
            out.append((f, w, pos, pos + n))
            pos += n


def _node_like(buf, s, e) -> bool:
    """Does buf[s:e] look like a NodeDef: fields 1..7, all length-delimited, an op name?"""
    try:
        fields = _fields(buf, s, e, limit=64)
    except WireError:
        return False
    op = None
    for f, w, fs, fe in fields:
        if w != LEN or not 1 <= f <= 7:
            return False
        if f == 2 and op is None:
            op = bytes(buf[fs:fe])
    return op is not None and 0 < len(op) < 256 and bool(_OP_NAME.match(op))


def _message_like(buf, s, e, allowed) -> bool:
    """Do the first fields of buf[s:e] walk as protobuf, all (field, wire) in ``allowed``?"""
    try:
        fields = _fields(buf, s, min(e, len(buf)), limit=8)
    except WireError:
        return False
    return bool(fields) and all((f, w) in allowed for f, w, _, _ in fields)


_GRAPHDEF = {(1, LEN), (2, LEN), (3, VARINT), (4, LEN), (5, LEN)}
_METAGRAPH = {(f, LEN) for f in range(1, 8)}
_META_INFO = {(1, LEN), (2, LEN), (3, LEN), (4, LEN), (5, LEN), (6, LEN), (7, VARINT), (8, LEN)}


def _binary_kind(head: bytes, size: int) -> str | None:
    """Classify by the first top-level fields (``head`` may be a prefix of the file)."""
    try:
        fields = _fields(head, 0, len(head))
    except WireError:
        return None
    if not fields:
        return None
    kinds = {(f, w) for f, w, _, _ in fields}
    (f0, w0, s0, e0) = fields[0]
    if kinds <= {(1, VARINT), (2, LEN)} and (2, LEN) in kinds:
        return "savedmodel"
    if (f0, w0) == (1, LEN):
        if _node_like(head, s0, e0):
            return "graphdef" if kinds <= _GRAPHDEF else "protobuf"
        if kinds <= _METAGRAPH and _message_like(head, s0, e0, _META_INFO):
            return "metagraph"
        return "protobuf"
    if (f0, w0) == (2, LEN) and kinds <= _METAGRAPH | _GRAPHDEF:
        # no field 1: a GraphDef with only a function library, or a MetaGraphDef
        # without meta_info_def (its graph_def then starts with a node)
        inner = _fields(head, s0, min(e0, len(head)), limit=1) if e0 > s0 else []
        if inner and inner[0][:2] == (1, LEN) and _node_like(head, inner[0][2], inner[0][3]):
            return "metagraph" if kinds <= _METAGRAPH else "protobuf"
        return "graphdef" if kinds <= _GRAPHDEF else "protobuf"
    if (f0, w0) in ((3, VARINT), (4, LEN)) and kinds <= _GRAPHDEF:
        return "graphdef"
    if (1, VARINT) in kinds and ((7, LEN) in kinds or (8, LEN) in kinds):
        return "onnx"
    return "protobuf" if len(fields) > 1 else None


def _sniff_dir(path: str) -> Kind:
    try:
        names = set(os.listdir(path))
    except OSError as e:
        raise PbscopeError(path, f"cannot list the folder: {e.strerror or e}") from None
    if "model.json" in names:      # a TF.js model's folder
        return Kind("json", os.path.join(path, "model.json"))
    if "index.json" in names and any(n.endswith(".npy") for n in names):
        return Kind("npy-dir", path)
    if "saved_model.pb" in names or "saved_model.pbtxt" in names:
        return Kind("savedmodel-dir", path)
    if "checkpoint" in names or any(n.endswith((".index", ".meta")) for n in names):
        return Kind("checkpoint-dir", path)
    graphs = sorted(n for n in names if n.endswith((".pb", ".pbtxt")))
    hint = f" (it has {len(graphs)} .pb/.pbtxt files: open one of them)" if graphs else ""
    raise PbscopeError(path, "a folder with no TensorFlow model in it: no saved_model.pb, "
                             f"no checkpoint{hint}")


