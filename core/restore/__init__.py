"""Restore weights into a model the user chooses, with a match report first.

The recipe's section 6 as a tool: "define the original graph in code, then assign each
variable the saved value whose key equals ``var.name``". ``plan_restore`` says, for
every variable of the chosen model, what would happen to it; ``apply_restore`` writes
a NEW model with the matched values and never touches its inputs::

    plan = plan_restore(open_model("frozen.pb"), "builders.py:define", except_last=True)
    print(plan.table())                  # matched / mismatch / missing / skipped, unused keys
    apply_restore(plan, "restored/")     # restored/model.ckpt.{meta,index,data-…} + checkpoint

The parts, each with its why in its docstring:

* detect.py     what the TARGET string names (builder, TF1 checkpoint, Keras file, SavedModel);
* targets/      one module per kind behind one protocol (base.py): open, variables, final
                layer, write; tf1.py is what builder and checkpoint targets share;
* matching.py   the rules, without TensorFlow: names, ``--map``, scopes, dtypes, shapes;
* plan.py       PlanRow, RestorePlan, plan_restore;
* apply.py      apply_restore: OUT checked, written beside it, renamed into place;
* report.py     the plan's table and the result's summary.

TensorFlow (and Keras) are imported inside the functions only: ``import core.restore``
is cheap and TF-free, as the GUI needs. TensorFlow is an optional extra: without it,
plan_restore and apply_restore raise the one line that says what to install, before any
work. Callers use this package's names (the GUI and tests reach ``plan_restore`` and
``apply_restore`` as attributes of ``core.restore``).
"""
from __future__ import annotations

from .apply import apply_restore
from .detect import TARGETS_HINT, TargetSpec, builder_target, detect, is_builder
from .matching import NORM_SCOPES, compile_maps, final_scope, map_name, normalise
from .plan import STATUSES, PlanRow, RestorePlan, plan_restore
from .report import KIND_LABELS, RestoreResult
from .targets.base import Target, TargetVar
from .targets.tf1 import CKPT

_compile_maps = compile_maps      # the name tests and callers used before the split

__all__ = ["CKPT", "KIND_LABELS", "NORM_SCOPES", "STATUSES", "TARGETS_HINT", "PlanRow", "RestorePlan",
           "RestoreResult", "Target", "TargetSpec", "TargetVar", "apply_restore", "builder_target", "compile_maps", "detect",
           "is_builder",
           "final_scope", "map_name", "normalise", "plan_restore"]
