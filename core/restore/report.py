"""The plan's table and the result's summary: the text the CLI prints and the GUI shows.

Kept apart from the matching so that the wording and colours can change without
touching what a plan decides.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass

KIND_LABELS = {"checkpoint": "TF1 checkpoint", "builder": "TF1 builder", "keras": "Keras model",
               "savedmodel": "SavedModel"}
COLOURS = {"matched": "\033[32m", "mismatch": "\033[31m", "missing": "\033[33m", "skipped": "\033[36m"}
# the table's order: what happens first, what went wrong last (next to the summary)
TABLE_ORDER = ("matched", "skipped", "missing", "mismatch")


@dataclass
class RestoreResult:
    out: str
    written: int                # target variables given the source's values
    seconds: float
    kind: str                   # the target's kind: 'checkpoint' | 'builder' | 'keras' | 'savedmodel'
    kept: int = 0               # target variables that kept the target's values
    checkpoint: str | None = None   # TF1: the checkpoint prefix (OUT/model.ckpt)

    def as_dict(self) -> dict:
        return {"out": self.out, "kind": self.kind, "written": self.written, "kept": self.kept,
                "checkpoint": self.checkpoint, "seconds": round(self.seconds, 4)}

    def summary(self) -> str:
        where = (f"the TF1 checkpoint {self.checkpoint}" if self.checkpoint else
                 f"the SavedModel {self.out}" if self.kind == "savedmodel" else f"the Keras model {self.out}")
        return (f"restored {self.written} variable{'s' if self.written != 1 else ''} into {where} "
                f"in {self.seconds:.2f} s; {self.kept} kept the target's values")


def plan_table(plan, color: bool | None = None) -> str:
    """A RestorePlan as text: rows grouped by status (matched, skipped, missing, mismatch),
    the unused source keys, the notes, then the counts. ``color``: ANSI colours for the
    status words (default: when stdout is a terminal and NO_COLOR is unset)."""
    if color is None:
        color = stdout_is_tty() and not os.environ.get("NO_COLOR")
    head = ["status", "target variable", "shape", "dtype", "train", "source key", "source shape", "note"]
    groups = [r for s in TABLE_ORDER for r in plan.rows if r.status == s]
    cells = [[r.status, r.target, shape_text(r.shape), r.dtype, "yes" if r.trainable else "no",
              r.source or "-", shape_text(r.source_shape) if r.source else "-", r.why] for r in groups]
    widths = [max([len(head[i])] + [len(c[i]) for c in cells]) for i in range(len(head))]
    widths[-1] = 0   # the note column is last: no padding

    def line(c, colour_status=False):
        parts = [v.ljust(w) for v, w in zip(c, widths)]
        if colour_status and color:
            parts[0] = COLOURS[c[0]] + parts[0] + "\033[0m"
        return "  ".join(parts).rstrip()

    out = [f"restore plan: {plan.source} -> {KIND_LABELS.get(plan.kind, plan.kind)} {plan.target}",
           "", line(head), "  ".join("-" * max(w, len(h)) for w, h in zip(widths, head))]
    out += [line(c, True) for c in cells]
    if plan.unused:
        out.append("")
        out.append(f"unused source keys ({len(plan.unused)}): no target variable has their name")
        out += [f"  {k}" for k in plan.unused]
    for note in plan.notes:
        out.append(f"note: {note}")
    out.append("")
    out.append(plan.summary())
    return "\n".join(out)


def shape_text(shape) -> str:
    if shape is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def shape_list(shape):
    """JSON-safe: None for an unknown rank, None for each unknown dimension."""
    return None if shape is None else [None if d is None else int(d) for d in shape]


def stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
