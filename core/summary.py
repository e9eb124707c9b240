"""A model's summary: what ``info`` prints and the window's model page shows.

One walk over the graph (op-type counts, the consumer index behind inputs and
outputs, weight totals), done once: in the window's loading worker, or by ``info``.
Both read the same fields, so the figures agree; each only lays them out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .limits import bytes_text, shape_text
from .model import Graph, Op


def model_name(path: str) -> str:
    """A model's name for titles: its file name; a SavedModel version folder (00000123)
    keeps its parent's name too."""
    parts = [p for p in path.replace("\\", "/").rstrip("/").split("/") if p]
    if not parts:
        return path
    if parts[-1].isdigit() and len(parts) > 1:
        return f"{parts[-2]}/{parts[-1]}"
    return parts[-1]


def placeholder_text(op: Op) -> str:
    """``inputs (float32 [?,8])``: an input op with its dtype and shape."""
    try:
        a = op.attrs
    except Exception:  # noqa: BLE001 - a synthetic op or a malformed attr: no shape shown
        a = {}
    shape = a.get("shape")
    return f"{op.name} ({a.get('dtype', '?')} {shape_text(shape if isinstance(shape, list) else None, sep=',')})"


def signature_order(sigs: dict) -> list[str]:
    """serving_default first, private (``__…``) ones last, the rest by name."""
    return sorted(sigs, key=lambda k: (k != "serving_default", k.startswith("__"), k))


@dataclass
class Summary:
    """The model's facts. ``Summary.of(graph)`` walks every op once."""
    inputs: list[Op] = field(default_factory=list)
    outputs: list[Op] = field(default_factory=list)
    op_types: dict[str, int] = field(default_factory=dict)
    params: int = 0
    nbytes: int = 0
    functions: int = 0             # functions in the library
    unavailable: int = 0           # weights (kept-apart ones too) without values
    extra_params: int = 0
    extra_nbytes: int = 0
    path: str = ""
    format: str = ""
    ops: int = 0                   # ops in the graph (not counting functions')
    function_ops: int = 0          # ops inside the library's functions
    weights: int = 0
    extra_weights: int = 0         # kept apart: optimizer slots, step counters, skipped variables
    tags: list[str] = field(default_factory=list)
    signatures: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, graph: Graph) -> Summary:
        extra = list(getattr(graph, "extra_weights", []))
        fops = getattr(graph, "function_ops", [])
        missing = int((~graph.weights.available).sum())
        return cls(graph.inputs, graph.outputs, graph.op_types(), graph.params, graph.nbytes,
                   functions=len({op.name.partition("/")[0] for op in fops}),
                   unavailable=missing + sum(1 for w in extra if not w.available),
                   extra_params=sum(w.size for w in extra), extra_nbytes=sum(w.nbytes for w in extra),
                   path=graph.path, format=graph.format, ops=len(graph.ops), function_ops=len(fops),
                   weights=len(graph.weights), extra_weights=len(extra),
                   tags=list(getattr(graph, "tags", []) or []),
                   signatures=dict(getattr(graph, "signatures", {}) or {}),
                   notes=list(getattr(graph, "notes", []) or []))

    @property
    def name(self) -> str:
        return model_name(self.path)

    @property
    def tensors_only(self) -> bool:
        """A weights file or a bare checkpoint: no graph, every tensor would be an "output"."""
        return set(self.op_types) <= {"Tensor", "Variable"}

    def as_dict(self) -> dict:
        """``info --json``."""
        return {"path": self.path, "format": self.format, "ops": self.ops, "weights": self.weights,
                "params": self.params, "bytes": self.nbytes, "op_types": self.op_types,
                "inputs": [op.name for op in self.inputs], "outputs": [op.name for op in self.outputs],
                "function_ops": self.function_ops, "functions": self.functions,
                "extra_weights": self.extra_weights, "extra_params": self.extra_params,
                "extra_bytes": self.extra_nbytes, "unavailable": self.unavailable,
                "tags": self.tags, "signatures": self.signatures, "notes": self.notes}

    def lines(self, clip: int = 400) -> list[str]:
        """``info``'s text."""
        types = ", ".join(f"{t} {n}" for t, n in self.op_types.items())
        outputs = ", ".join(op.name for op in self.outputs) or "(none)"
        if len(outputs) > clip:
            outputs = outputs[: clip - 1] + "…"
        out = [f"model    {self.path}",
               f"format   {self.format}",
               f"ops      {self.ops:,} ({len(self.op_types)} types)"]
        if self.function_ops:
            n = self.functions
            out.append(f"         + {self.function_ops:,} inside {n:,} function{'s' if n != 1 else ''} "
                       f"of its library")
        out.append(f"weights  {self.weights:,}  ({self.params:,} parameters, {bytes_text(self.nbytes)})")
        if self.extra_weights:
            params = f"{self.extra_params:,} parameter{'s' if self.extra_params != 1 else ''}"
            out.append(f"         + {self.extra_weights:,} kept apart ({params}, "
                       f"{bytes_text(self.extra_nbytes)}): optimizer slots, step counters or variables "
                       f"the saver skips, not exported unless selected")
        if self.unavailable:
            out.append(f"         {self.unavailable:,} without values in the files opened "
                       f"(listed, but cannot be shown or exported)")
        out += [f"inputs   {', '.join(placeholder_text(op) for op in self.inputs) or '(none)'}",
                f"outputs  {outputs}",
                f"op types {types}"]
        if self.tags:
            out.append(f"tags     {', '.join(self.tags)}")
        for name in signature_order(self.signatures):
            sig = self.signatures[name] or {}
            method = sig.get("method") or ""
            out.append(f"signature {name}" + (f"  ({method})" if method else ""))
            for side in ("inputs", "outputs"):
                for k, t in (sig.get(side) or {}).items():
                    t = t or {}
                    out.append(f"  {side[:-1]:<6} {k}: {t.get('dtype', '')} {shape_text(t.get('shape'), sep=',')}  "
                               f"({t.get('name', '')})")
        for note in self.notes:
            out.append(f"note     {note}")
        return out
