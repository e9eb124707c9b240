"""Keras models: ``.keras`` archives and HDF5 ``.h5`` files (full models and save_weights).

Three layouts of weights, read with h5py (never Keras, never TensorFlow):

* Keras 2 HDF5 (``model.save('m.h5')`` under ``model_weights/``, or ``save_weights`` at
  the root): each layer's group lists its variables in a ``weight_names`` attribute;
* Keras 3 weights store (``.weights.h5``, and ``model.weights.h5`` inside a ``.keras``):
  ``layers/<snake_class>/vars/<i>``, named from the config (keras_vars.py);
* a ``.keras`` whose weights are ``model.weights.npz``: Keras' npz store pickles each
  layer's dict of arrays, so it is refused in one line (pbscope never unpickles).

The tree: each layer is an op whose type is its class, named by its path (nested models
are scopes: ``head/dense``), its inputs from the config's inbound nodes, so the graph
view draws the layer graph. Each variable is a Weight named ``<layer path>/<variable>``
(``head/dense/kernel``), an op of type ``Variable`` under its layer; that name is also
its export key, and what core.restore calls a Keras target's variables, so restoring
into a model of the same architecture matches them all. Values are read when asked.
"""
from __future__ import annotations

import io
import json
import re
import zipfile

import numpy as np

from .. import proto
from ..errors import PbscopeError, first_line
from ..model import Graph, Op, Weight
from ..progress import NO_PROGRESS, Progress
from ..tensors import TensorError, dtype_for_numpy
from .keras_config import ConfigError, Layer, parse_model, snake_case
from .keras_h5 import H5Source, attr_list, attr_text, stored_problem
from .keras_vars import NON_TRAINABLE, RNN_CELLS, class_from_group, shape_problem, var_names
from .sniff import Kind
from .weightsfile import weight_node

KINDS = ("hdf5", "keras", "zip")
MAX_JSON = 64 << 20
STORE_LAYERS = ("layers", "_layer_checkpoint_dependencies")   # the latter: files of Keras 2.13
_PART = re.compile(r"^\d+$")
NO_CONFIG = "weights only: no model config; layer types told from their names"


def open_graph(kind: Kind, progress: Progress = NO_PROGRESS) -> Graph:
    path = kind.path
    progress.report(0.0, "reading")
    try:
        if kind.name == "hdf5":
            graph = _open_h5(path)
        else:
            graph = _open_archive(path)
    except PbscopeError:
        raise
    except (OSError, ValueError, RuntimeError, KeyError, TypeError, zipfile.BadZipFile) as e:
        raise PbscopeError(path, f"not a readable Keras file: {first_line(e)}") from None
    progress.report(1.0, "done")
    return graph


# -- the files --------------------------------------------------------------------

def _open_h5(path: str) -> Graph:
    src = H5Source(path)
    f = src.file
    text = attr_text(f, "model_config")
    model = _parse_config(path, text) if text else None
    version = attr_text(f, "keras_version") or attr_text(f.get("model_weights", f), "keras_version")
    notes = [f"saved by Keras {version}"] if version else []
    if "model_weights" in f:
        notes += [] if model is not None else [NO_CONFIG]
        b = _Builder(path, src, "Keras HDF5 model (.h5)", notes, model)
        b.legacy(f["model_weights"], "model_weights/")
        if "optimizer_weights" in f:
            b.legacy_optimizer(f["optimizer_weights"], "optimizer_weights/")
    elif attr_list(f, "layer_names") is not None:
        b = _Builder(path, src, "Keras HDF5 weights (save_weights)", notes + [NO_CONFIG])
        b.legacy(f, "")
    elif any(k in f for k in STORE_LAYERS):
        b = _Builder(path, src, "Keras weights (.weights.h5)", notes + [NO_CONFIG])
        b.store(f)
    else:
        raise PbscopeError(path, "an HDF5 file, but not a Keras model: no model_config, "
                                 "layer_names or layers/ in it")
    return b.finish()


def _open_archive(path: str) -> Graph:
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError) as e:
        raise PbscopeError(path, f"a damaged zip archive: {first_line(e)}") from None
    with z:
        infos = {i.filename: i for i in z.infolist()}
        if "config.json" not in infos:
            raise PbscopeError(path, "a zip archive, but not a Keras archive: no config.json in it")
        if "model.weights.h5" not in infos:
            if "model.weights.npz" in infos:
                raise PbscopeError(path, _npz_refusal(z))
            raise PbscopeError(path, "a zip archive with a config.json, but no model.weights.h5: "
                                     "not a Keras archive pbscope reads")
        model = _parse_config(path, _member_text(z, infos["config.json"]))
        meta = _member_text(z, infos["metadata.json"]) if "metadata.json" in infos else ""
    notes = []
    try:
        version = json.loads(meta).get("keras_version") if meta else None
    except (ValueError, AttributeError, RecursionError):    # metadata only gives a note
        version = None
    if isinstance(version, str):
        notes.append(f"saved by Keras {version}")
    src = H5Source(path, infos["model.weights.h5"])
    b = _Builder(path, src, "Keras 3 model (.keras)", notes, model)
    b.store(src.file)
    return b.finish()


def _npz_refusal(z: zipfile.ZipFile) -> str:
    """Why a .keras with model.weights.npz is not read. Keras' npz store saves each layer's
    dict of arrays as a pickled object array; the .npy headers say so without unpickling."""
    members = [i for i in z.infolist() if i.filename == "model.weights.npz"]   # duplicates too
    entries = pickled = 0
    for info in members:
        if info.file_size > MAX_JSON:
            return f"a Keras archive whose weights are model.weights.npz ({info.file_size:,} bytes); " \
                   "pbscope reads Keras weights from model.weights.h5 only"
        with z.open(info) as f:
            data = f.read(MAX_JSON + 1)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as npz:
                for m in npz.infolist():
                    entries += 1
                    with npz.open(m) as f:
                        pickled += _npy_dtype(f).hasobject
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            entries += 1     # not an npz at all: np.load would unpickle it
            pickled += 1
    if pickled:
        return (f"a Keras archive whose weights (model.weights.npz) hold pickled Python objects "
                f"({pickled} of {entries} entries); pbscope never unpickles, so it refuses to read them")
    return "a Keras archive whose weights are model.weights.npz; pbscope reads Keras weights from model.weights.h5 only"


def _npy_dtype(f) -> np.dtype:
    major, _ = np.lib.format.read_magic(f)
    read = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
    return read(f)[2]


def _member_text(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    with z.open(info) as f:
        data = f.read(MAX_JSON + 1)
    if len(data) > MAX_JSON:
        raise PbscopeError(z.filename, f"{info.filename} is over {MAX_JSON >> 20} MiB: not a Keras config")
    return data.decode("utf-8", "replace")


def _parse_config(path: str, text: str) -> Layer:
    try:
        return parse_model(json.loads(text))
    except RecursionError:
        raise PbscopeError(path, "the model config is nested too deeply") from None
    except (ValueError, ConfigError) as e:
        raise PbscopeError(path, f"the model config is not a Keras model's: {first_line(e)}") from None


# -- the graph ---------------------------------------------------------------------

class _Builder:
    """Collects layer ops and weights, then makes the Graph."""

    def __init__(self, path: str, src: H5Source, fmt: str, notes: list[str], model: Layer | None = None):
        self.path, self.src, self.model = path, src, model
        self.graph = Graph(path, fmt, notes=notes)
        self.layers: dict[str, Layer] = {}         # op name → layer
        self.by_name: dict[str, list[Layer]] = {}  # a layer's own name → layers so named
        if model is not None:
            for layer in list(model.walk())[1:]:
                self.layers[layer.path] = layer
                self.by_name.setdefault(layer.name, []).append(layer)
        self.vars: dict[str, list[tuple]] = {}     # layer path → [(name, dataset, raw key, layer)]
        self.orphans: list[tuple] = []             # weights of no known layer
        self.extra: list[tuple] = []               # optimizer state
        self.missing: dict[str, str] = {}          # weight name → why it has no values
        self.classes: dict[str, str] = {}          # weights only: layer path → class told by its group

    # Keras 2 layout -----------------------------------------------------------------
    def legacy(self, group, prefix: str) -> None:
        names = attr_list(group, "layer_names") or []
        for lname in names:
            sub = group.get(lname)
            matches = self.by_name.get(lname, [])
            top = next((m for m in matches if "/" not in m.path), matches[0] if matches else None)
            path = top.path if top is not None else lname
            if sub is None:
                if top is not None and var_names(top.class_name, top.config):
                    for v in var_names(top.class_name, top.config):
                        self._add(path, f"{path}/{v}", None, None, top)
                        self.missing[f"{path}/{v}"] = f"the file has no group {prefix}{lname}"
                continue
            wnames = attr_list(sub, "weight_names") or []
            named = self._legacy_names(top, path, wnames)
            for wname, name in zip(wnames, named):
                owner = self._owner(name) or top
                self._add(owner.path if owner is not None else path, name, f"{prefix}{lname}/{wname}",
                          wname, owner)
        top_level = group.get("top_level_model_weights")
        if top_level is not None:
            for wname in attr_list(top_level, "weight_names") or []:
                self._add("", _strip(wname), f"{prefix}top_level_model_weights/{wname}", wname, None)

    def _legacy_names(self, layer: Layer | None, path: str, wnames: list[str]) -> list[str]:
        """Each weight as ``<layer path>/<variable>``: the part of the file's name after the
        layer's own name (``sequential/lstm/lstm_cell/kernel`` in layer ``lstm`` is
        ``lstm/lstm_cell/kernel``); for a nested model, after an inner layer's name."""
        inner = {x.name: x.path for x in (layer.walk() if layer is not None and layer.is_model else ())}
        own = path.rpartition("/")[2]
        out = []
        for wname in wnames:
            parts = _strip(wname).split("/")
            if own in parts:
                out.append("/".join([path] + parts[parts.index(own) + 1:]))
                continue
            hit = next((i for i, p in enumerate(parts) if p in inner and inner[p] != path), None)
            if hit is not None:
                out.append("/".join([inner[parts[hit]]] + parts[hit + 1:]))
            else:   # Keras 2 named it after another layer ('dense_2_1/kernel' in 'dense_2')
                out.append("/".join([path] + (parts[1:] or parts)))
        if len(set(out)) < len(out):
            out = ["/".join([path, _strip(w)]) for w in wnames]
        return out

    def legacy_optimizer(self, group, prefix: str) -> None:
        for wname in attr_list(group, "weight_names") or []:
            self.extra.append((f"optimizer/{_strip(wname)}", f"{prefix}{wname}", wname))

    def _owner(self, name: str) -> Layer | None:
        head = name
        while "/" in head:
            head = head.rpartition("/")[0]
            if head in self.layers:
                return self.layers[head]
        return None

    # Keras 3 weights store ----------------------------------------------------------
    def store(self, f) -> None:
        key = next((k for k in STORE_LAYERS if k in f), None)
        if self.model is not None:
            self._store_model(self.model, f, key, "")
        elif key is not None:
            self._store_groups(f[key], f"{key}/", "")
        claimed = {d for entries in self.vars.values() for _, d, _, _ in entries}
        claimed |= {d for _, d, _, _ in self.orphans}
        for name in _datasets(f):
            if name in claimed:
                continue
            pretty = "/".join(p for p in name.split("/") if p not in ("vars", *STORE_LAYERS))
            if name.startswith("optimizer/"):
                self.extra.append((pretty, name, name))
            else:
                self.orphans.append((pretty, name, name, None))

    def _store_model(self, model: Layer, f, key: str | None, base: str) -> None:
        used: dict[str, int] = {}
        for layer in model.saved_layers():
            group_path = f"{base}{key}/{_unique(snake_case(layer.class_name), used)}" if key else None
            group = f.get(group_path) if group_path else None
            if layer.is_model:
                sub_key = next((k for k in STORE_LAYERS if group is not None and k in group), key)
                self._store_model(layer, f, sub_key, f"{group_path}/" if group_path else base)
            else:
                self._store_layer(layer, layer.path, layer.class_name, layer.config, group, group_path)

    def _store_groups(self, group, base: str, prefix: str) -> None:
        """Layers of a store without a config: each group's name tells its class."""
        for gname in group:
            sub = group[gname]
            if not hasattr(sub, "keys"):
                continue
            vars_group = sub.get("vars")
            lname = (attr_text(vars_group, "name") if vars_group is not None else None) or gname
            path = f"{prefix}{lname}"
            inner = next((k for k in STORE_LAYERS if k in sub), None)
            if inner is not None:
                self._store_groups(sub[inner], f"{base}{gname}/{inner}/", f"{path}/")
                continue
            self.classes[path] = class_from_group(gname) or "Layer"
            self._store_layer(None, path, self.classes[path], {}, sub, f"{base}{gname}")

    def _store_layer(self, layer: Layer | None, path: str, class_name: str, config: dict, group,
                     group_path: str | None) -> None:
        expected = var_names(class_name, config)
        if group is None:
            for v in expected or ():
                self._add(path, f"{path}/{v}", None, None, layer)
                self.missing[f"{path}/{v}"] = "the config names it, but the weights file has no group for its layer"
            return
        self._store_vars(layer, path, path, group, group_path, expected)
        cell = RNN_CELLS.get(class_name)
        for sub in group:   # sublayers a layer keeps as attributes (an RNN's cell)
            if sub == "vars" or not hasattr(group[sub], "keys"):
                continue
            vars_group = group[sub].get("vars")
            sub_name = (attr_text(vars_group, "name") if vars_group is not None else None) or \
                (snake_case(cell) if sub == "cell" and cell else sub.lstrip("_"))
            # an RNN's config holds its cell's (use_bias, …); other sublayers keep numbers
            expected_sub = var_names(cell, config) if sub == "cell" and cell else None
            self._store_vars(layer, path, f"{path}/{sub_name}", group[sub], f"{group_path}/{sub}", expected_sub)

    def _store_vars(self, layer, layer_path, prefix, group, group_path, expected) -> None:
        """``group``'s ``vars/<i>`` as ``<prefix>/<name>``, names from ``expected`` in order."""
        vars_group = group.get("vars")
        indices = sorted((k for k in (vars_group or {}) if _PART.match(k)), key=int)
        names = list(expected or ())
        for i, k in enumerate(indices):
            var = names[i] if i < len(names) else k
            self._add(layer_path, f"{prefix}/{var}", f"{group_path}/vars/{k}", f"{group_path}/vars/{k}", layer)
        for var in names[len(indices):]:
            self._add(layer_path, f"{prefix}/{var}", None, None, layer)
            self.missing[f"{prefix}/{var}"] = f"the config names it, but {group_path}/vars has no dataset for it"

    # both -----------------------------------------------------------------------------
    def _add(self, layer_path: str, name: str, dataset: str | None, raw: str | None, layer) -> None:
        entry = (name, dataset, raw, layer)
        if layer is not None:
            self.vars.setdefault(layer.path, []).append(entry)
        elif layer_path in self.layers or (self.model is None and layer_path):
            self.vars.setdefault(layer_path, []).append(entry)
        else:
            self.orphans.append(entry)

    def finish(self) -> Graph:
        g = self.graph
        ops: list[Op] = []
        weights: list[Weight] = []
        extra: list[Weight] = []
        datasets: dict[str, str] = {}     # weight name → its dataset
        dtypes: dict[str, np.dtype] = {}
        seen: set[str] = set()
        layer_of: dict[int, Layer] = {}

        def weight(name, dataset, raw, layer, out, rule="keras"):
            while name in seen or (name in self.layers):
                name += "_"
            seen.add(name)
            op = Op(g, len(ops), name, "Variable", (), "")
            ops.append(op)
            w = self._weight(op, name, dataset, raw, layer, rule)
            if dataset is not None and w.error is None:
                datasets[name] = dataset
                dtypes[name] = self.src.file[dataset].dtype
            out.append(w)

        if self.model is not None:
            for layer in list(self.model.walk())[1:]:
                op = Op(g, len(ops), layer.path, layer.class_name, tuple(layer.inputs), "")
                layer_of[op.index] = layer
                ops.append(op)
                seen.add(layer.path)
                for entry in self.vars.get(layer.path, ()):
                    weight(*entry, weights)
        else:   # weights only: an op per layer group, of the class its name tells
            for lpath, entries in self.vars.items():
                cls = self.classes.get(lpath) or class_from_group(lpath.rpartition("/")[2]) or "Layer"
                ops.append(Op(g, len(ops), lpath, cls, (), ""))
                seen.add(lpath)
                for entry in entries:
                    weight(*entry, weights)
        for entry in self.orphans:
            weight(*entry, weights)
        for name, dataset, raw in self.extra:
            weight(name, dataset, raw, None, extra, rule="optimizer")
        g.ops = ops
        src = self.src
        g.value_loader = lambda w: self._load(w, datasets.get(w.name), dtypes.get(w.name))
        g.page_release = lambda w: src.release(datasets[w.name]) if w.name in datasets else None
        g.node_parser = lambda op: _node(op, layer_of.get(op.index))
        if extra:
            g.notes.append(f"{len(extra)} optimizer variables kept apart")
        return g.finish(lambda _: (weights, extra))

    def _weight(self, op: Op, name: str, dataset: str | None, raw: str | None, layer, rule: str) -> Weight:
        role = name.rpartition("/")[2]
        dtype = shape = None
        error = self.missing.get(name)
        if dataset is not None:
            ds = self.src.file.get(dataset)
            if ds is None or not hasattr(ds, "shape"):
                error = f"the file names {dataset}, but has no such dataset"
            else:
                shape = tuple(int(d) for d in ds.shape)
                try:
                    dtype = dtype_for_numpy(ds.dtype)
                except TensorError as e:
                    error = str(e)
                error = error or stored_problem(ds)
                if error is None and layer is not None:
                    error = shape_problem(layer.class_name, layer.config, role, shape)
                if error is None:
                    self.src.locate(dataset, ds)
        elif error is None:
            error = "no values in the file"
        w = Weight(op, name, name, dtype, shape, self.graph, role=role, rule=rule, error=error,
                   raw_key=_strip(raw) if raw and _strip(raw) != name else None)
        w.trainable = rule != "optimizer" and role not in NON_TRAINABLE
        return w

    def _load(self, w: Weight, dataset: str | None, dtype: np.dtype | None) -> np.ndarray | None:
        if dataset is None:
            return None
        try:
            return self.src.read(dataset, w.shape, dtype)
        except PbscopeError:
            raise
        except (OSError, ValueError, RuntimeError, TypeError) as e:
            raise PbscopeError(self.path, f"{w.name}: cannot read it: {first_line(e)}") from None


def _node(op: Op, layer: Layer | None):
    """A NodeDef for the details pane: a layer's config as attrs, a variable's dtype and shape."""
    node = proto.NodeDef(name=op.name, op=op.type)
    if layer is not None:
        shape = layer.config.get("batch_shape") or layer.config.get("batch_input_shape")
        if layer.class_name == "InputLayer" and isinstance(shape, list):
            for d in shape:
                node.attr["shape"].shape.dim.add(size=d if _int64(d) and d >= 0 else -1)
        for k, v in sorted(layer.config.items()):
            if k in ("name", "layers", "shape") or k in node.attr:
                continue
            a = node.attr[k]
            if isinstance(v, bool):
                a.b = v
            elif _int64(v):
                a.i = v
            elif isinstance(v, float):
                a.f = v
            elif isinstance(v, str):
                a.s = v.encode()
            elif isinstance(v, list) and v and all(_int64(x) for x in v):
                a.list.i.extend(v)
            else:
                a.s = json.dumps(v, sort_keys=True).encode()
        return node
    return weight_node(op, node)


def _int64(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and -(1 << 63) <= v < 1 << 63


def _strip(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name


def _unique(name: str, used: dict[str, int]) -> str:
    """Keras' ``_get_unique_name``: the second ``conv2d`` of a model is ``conv2d_1``."""
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _datasets(f) -> list[str]:
    out: list[str] = []
    f.visititems(lambda name, obj: out.append(name) if hasattr(obj, "shape") else None)
    return out
