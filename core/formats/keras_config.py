"""A Keras model config (the JSON of ``model_config`` or ``config.json``) as a layer tree.

Both dialects are read: Keras 2 (``inbound_nodes`` as lists of ``[layer, node, tensor,
kwargs]``; an old Sequential whose config is the list of its layers) and Keras 3
(``inbound_nodes`` as ``{"args", "kwargs"}`` holding ``__keras_tensor__`` dicts with a
``keras_history``). A layer's ``path`` is its name scoped by the models that nest it
(``head/dense``); its ``inputs`` are the op names of the layers that feed it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

MODEL_CLASSES = {"Sequential", "Functional", "Model"}


class ConfigError(ValueError):
    """The config is JSON, but not a Keras model's."""


@dataclass(eq=False)
class Layer:
    name: str
    path: str
    class_name: str
    config: dict
    inputs: list[str] = field(default_factory=list)
    layers: list["Layer"] | None = None      # a nested model's layers, in config order

    @property
    def is_model(self) -> bool:
        return self.layers is not None

    def saved_layers(self) -> list["Layer"]:
        """The layers Keras 3's weights store walks: a Sequential's InputLayer is not one."""
        assert self.layers is not None
        if self.class_name == "Sequential" and self.layers and self.layers[0].class_name == "InputLayer":
            return self.layers[1:]
        return self.layers

    def walk(self):
        """This layer, then every layer nested in it, depth first in config order."""
        yield self
        for sub in self.layers or ():
            yield from sub.walk()


def parse_model(cfg) -> Layer:
    """The root model (path ''), from the parsed JSON. Raises ConfigError."""
    if not isinstance(cfg, dict) or not isinstance(cfg.get("class_name"), str) or "config" not in cfg:
        raise ConfigError("the config is not a Keras model: no class_name and config")
    root = Layer(_name_of(cfg) or "model", "", cfg["class_name"], _dict(cfg["config"]))
    if not _is_model(cfg):
        raise ConfigError(f"the config describes a {cfg['class_name']}, not a model with layers")
    root.layers = _layers(cfg, "", [])
    return root


def snake_case(name: str) -> str:
    """Keras' ``naming.to_snake_case``: how its weights store names a layer's group."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _dict(v) -> dict:
    return v if isinstance(v, dict) else {}


def _name_of(d: dict) -> str | None:
    name = d.get("name")
    if not isinstance(name, str):
        name = _dict(d.get("config")).get("name")
    return name if isinstance(name, str) and name else None


def _is_model(d: dict) -> bool:
    conf = d.get("config")
    return d.get("class_name") in MODEL_CLASSES or isinstance(conf, list) or \
        (isinstance(conf, dict) and isinstance(conf.get("layers"), list))


def _layer_dicts(d: dict) -> list[dict]:
    conf = d.get("config")
    items = conf if isinstance(conf, list) else _dict(conf).get("layers", [])
    if not isinstance(items, list):
        raise ConfigError("the model's layers are not a list")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("class_name"), str):
            raise ConfigError("a layer in the config has no class_name")
        out.append(item)
    return out


def _layers(model: dict, prefix: str, outer_inputs: list[str]) -> list[Layer]:
    """The layers of ``model`` under ``prefix``; ``outer_inputs`` feed its input layers."""
    sequential = model.get("class_name") == "Sequential" or isinstance(model.get("config"), list)
    out: list[Layer] = []
    paths: dict[str, str] = {}
    used: dict[str, int] = {}
    n_inputs = 0
    for i, d in enumerate(_layer_dicts(model)):
        name = _name_of(d) or f"{snake_case(d['class_name'])}_{i}"
        if name in used:     # a broken config: keep both layers apart
            used[name] += 1
            name = f"{name}_{used[name]}"
        used[name] = 0
        path = f"{prefix}{name}"
        layer = Layer(name, path, d["class_name"], _dict(d.get("config")))
        if layer.class_name == "InputLayer":
            if len(outer_inputs) > 1 and n_inputs < len(outer_inputs):
                layer.inputs = [outer_inputs[n_inputs]]
            else:
                layer.inputs = list(outer_inputs)
            n_inputs += 1
        elif sequential:
            layer.inputs = [out[-1].path] if out else list(outer_inputs)
        else:
            layer.inputs = _inbound(d.get("inbound_nodes"), paths, prefix)
        if _is_model(d):
            layer.layers = _layers(d, path + "/", layer.inputs)
        paths[name] = path
        out.append(layer)
    return out


def _inbound(nodes, paths: dict[str, str], prefix: str) -> list[str]:
    """Op names ("layer" or "layer:k" for its k-th output) of every call of the layer."""
    found: list[tuple] = []
    if isinstance(nodes, list):
        for node in nodes:
            if isinstance(node, dict):                 # Keras 3
                _histories(node.get("args"), found)
                _histories(node.get("kwargs"), found)
            elif isinstance(node, list):               # Keras 2: [[name, node, tensor, kwargs], …]
                for t in node:
                    if isinstance(t, list) and len(t) >= 3 and isinstance(t[0], str):
                        found.append(tuple(t[:3]))
    out = []
    for name, _node, tensor in found:
        op = paths.get(name, f"{prefix}{name}")
        out.append(f"{op}:{tensor}" if isinstance(tensor, int) and tensor > 0 else op)
    return out


def _histories(v, found: list, depth: int = 0) -> None:
    if depth > 32:
        return
    if isinstance(v, dict):
        hist = _dict(v.get("config")).get("keras_history") if v.get("class_name") == "__keras_tensor__" else None
        if isinstance(hist, list) and len(hist) >= 3 and isinstance(hist[0], str):
            found.append(tuple(hist[:3]))
            return
        for x in v.values():
            _histories(x, found, depth + 1)
    elif isinstance(v, list):
        for x in v:
            _histories(x, found, depth + 1)
