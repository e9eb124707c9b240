"""The plan: for every variable of the chosen model, what the restore would do to it.

``plan_restore`` loads the target (targets/), matches the source's weights to its
variables by name (matching.py) and returns a RestorePlan: rows of matched, mismatch,
missing or skipped, and the source keys no variable takes. Shape or dtype mismatches are
reported with both sides and never applied. ``except_last`` skips every target variable
under the final layer's scope (trainable or not); ``excludes`` skips the scopes named.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from .. import tfimport
from ..errors import PbscopeError
from ..model import Graph, Weight
from ..progress import NO_PROGRESS, Progress
from .detect import detect
from .matching import compile_maps, same_dtype, same_shape, source_names, under
from .report import plan_table, shape_list, shape_text
from .targets import open_target
from .targets.base import TargetVar

STATUSES = ("matched", "mismatch", "missing", "skipped")
PURPOSE = "restoring into a model"


@dataclass
class PlanRow:
    """One target variable and what the restore does to it."""
    target: str                          # variable name (TF1: without ':0'; Keras: its path)
    shape: tuple | None                  # None dims: unknown
    dtype: str
    trainable: bool
    status: str                          # one of STATUSES
    source: str | None = None            # the source key (Weight.key) that names it
    source_shape: tuple | None = None
    source_dtype: str | None = None
    why: str = ""                        # the reason of a mismatch or a skip
    weight: Weight | None = field(default=None, repr=False, compare=False)
    relayout: bool = False               # the source's stored layout is mapped to the target's

    def source_value(self):
        """The source weight's values, in the target's layout (a TFLite kernel transposed)."""
        a = self.weight.array()
        return self.weight.layout.apply(a) if self.relayout else a

    def as_dict(self) -> dict:
        d = {"target": self.target, "shape": shape_list(self.shape), "dtype": self.dtype,
             "trainable": self.trainable, "status": self.status, "source": self.source,
             "source_shape": shape_list(self.source_shape)}
        if self.source_dtype is not None:
            d["source_dtype"] = self.source_dtype
        if self.why:
            d["why"] = self.why
        return d


@dataclass
class RestorePlan:
    source: str                          # the source's path
    target: str                          # the TARGET string as given
    kind: str                            # 'checkpoint' | 'builder' | 'keras' | 'savedmodel'
    rows: list[PlanRow]
    unused: list[str]                    # source keys whose name no target variable has
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _target: object = field(default=None, repr=False, compare=False)   # the loaded Target

    def by_status(self, status: str) -> list[PlanRow]:
        return [r for r in self.rows if r.status == status]

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for r in self.rows:
            out[r.status] += 1
        return out

    @property
    def unmatched_trainable(self) -> list[PlanRow]:
        return [r for r in self.rows if r.trainable and r.status in ("mismatch", "missing")]

    @property
    def strict_ok(self) -> bool:
        """Every trainable target variable is matched (skipped ones do not count)."""
        return not self.unmatched_trainable

    def strict_failure(self) -> str:
        bad = self.unmatched_trainable
        if not bad:
            return "every trainable variable is matched"
        names = ", ".join(f"{r.target} ({r.status})" for r in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        n = len(bad)
        return f"{n} trainable variable{'s' if n != 1 else ''} unmatched: {names}{more} (see the plan)"

    def summary(self) -> str:
        c = self.counts
        return (f"{len(self.rows)} target variables: {c['matched']} matched, {c['mismatch']} mismatched "
                f"(not applied), {c['missing']} missing, {c['skipped']} skipped; "
                f"{len(self.unused)} source key{'s' if len(self.unused) != 1 else ''} unused")

    def table(self, color: bool | None = None) -> str:
        """The plan as text (report.plan_table): rows grouped by status, the unused source
        keys, then the counts; ANSI colours by default when stdout is a terminal."""
        return plan_table(self, color)

    def as_dict(self) -> dict:
        """JSON-safe: matched, mismatched, missing, skipped (lists of rows), unused (keys),
        target, source, plus kind, counts and strict_ok."""
        return {
            "source": self.source, "target": self.target, "kind": self.kind,
            "matched": [r.as_dict() for r in self.by_status("matched")],
            "mismatched": [r.as_dict() for r in self.by_status("mismatch")],
            "missing": [r.as_dict() for r in self.by_status("missing")],
            "skipped": [r.as_dict() for r in self.by_status("skipped")],
            "unused": list(self.unused),
            "counts": {**self.counts, "unused": len(self.unused)},
            "strict_ok": self.strict_ok,
            "notes": list(self.notes),
        }


def plan_restore(source: Graph, target: str, *, maps=(), excludes=(), except_last: bool = False,
                 weights: list[Weight] | None = None, progress: Progress = NO_PROGRESS) -> RestorePlan:
    """Match the source's weights to the variables of the model ``target`` names.

    ``maps``: [(OLD, NEW)] renames of source names, applied in order; ``excludes``:
    target scopes to skip; ``weights``: a subset of ``source.weights`` to use.
    Raises PbscopeError with one line for anything the user can fix, first of all a
    missing TensorFlow (every target needs it to be written)."""
    tfimport.require(PURPOSE)
    t0 = time.perf_counter()
    target = os.fspath(target)
    progress.path = progress.path or target
    rules = compile_maps(maps)
    chosen = list(source.weights if weights is None else weights)
    if not chosen:
        raise PbscopeError(source.path, "no source weights to restore from" if weights is None
                           else "no source weights selected")
    src = source_names(source.path, chosen, rules)

    spec = detect(target)
    progress.report(0.02, "loading the target")
    loaded = open_target(spec, source, progress)
    progress.report(0.9, "matching")

    skip_scopes = [(s, f"--exclude {s}") for s in excludes]
    notes = []
    if except_last:
        last = loaded.last_scope()
        if last:
            skip_scopes.append((last, "--except-last"))
            notes.append(f"--except-last: the final layer is {last}")
        else:
            notes.append("--except-last: the target has no trainable variables; nothing skipped")
    rows = [match_row(tv, src.get(tv.name), skip_scopes) for tv in loaded.variables]
    names = {tv.name for tv in loaded.variables}
    if not any(r.source for r in rows):
        raise PbscopeError(source.path, "no source key matches any target variable (source keys like "
                           f"{_examples([w.key for w in src.values()])}; target variables like "
                           f"{_examples([tv.name for tv in loaded.variables])}); rename with --map OLD=NEW")
    for scope in excludes:
        if not any(r.why == f"--exclude {scope}" for r in rows):
            notes.append(f"--exclude {scope}: no target variable is under it")
    unused = [w.key for n, w in src.items() if n not in names]
    progress.report(1.0, "planned")
    return RestorePlan(source=source.path, target=target, kind=spec.kind, rows=rows, unused=unused,
                       notes=notes, seconds=time.perf_counter() - t0, _target=loaded)


def match_row(tv: TargetVar, w: Weight | None, skip_scopes) -> PlanRow:
    """The row of one target variable, given the source weight of its name (or None).
    A skip wins over everything; an unreadable value, a dtype or a shape that differs is a
    mismatch (a layout the source can be mapped to, like TFLite's kernels, is matched)."""
    row = PlanRow(tv.name, tv.shape, tv.dtype, tv.trainable, "missing")
    if w is not None:
        row.source, row.source_shape, row.weight = w.key, w.shape, w
    for scope, why in skip_scopes:
        if under(tv.name, scope):
            row.status, row.why = "skipped", why
            return row
    if w is None:
        return row
    if not w.available:
        row.status, row.why = "mismatch", f"the source value is unreadable: {w.error}"
        return row
    if not same_dtype(tv, w):
        row.status, row.source_dtype = "mismatch", w.dtype_name
        row.why = f"dtype {w.dtype_name} in the source, {tv.dtype} in the target"
        return row
    if not same_shape(tv.shape, w.shape) and w.layout is not None and same_shape(tv.shape, w.layout.shape):
        row.status, row.relayout, row.why = "matched", True, w.layout.note
        return row
    if not same_shape(tv.shape, w.shape):
        row.status = "mismatch"
        row.why = f"shape {shape_text(w.shape)} in the source, {shape_text(tv.shape)} in the target"
        return row
    row.status = "matched"
    return row


def _examples(names: list[str], n: int = 2) -> str:
    shown = ", ".join(repr(x) for x in names[:n])
    return shown + (", …" if len(names) > n else "")
