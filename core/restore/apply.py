"""Writing the plan: a NEW model at OUT, the inputs never touched.

OUT is checked first (its folder exists, it is none of the inputs and not inside one,
it exists only with ``force``, it suits the target's kind); the target then writes into a
temporary folder beside OUT, which is fsynced and renamed into place: an error or Cancel
leaves nothing behind.
"""
from __future__ import annotations

import os
import shutil
import time

from .. import tfimport
from ..atomic import fsync_file, fsync_tree, move_into_place, temp_dir_beside
from ..errors import PbscopeError
from ..progress import NO_PROGRESS, Progress
from .matching import normalise
from .plan import PURPOSE, RestorePlan
from .report import RestoreResult


def apply_restore(plan: RestorePlan, out: str, *, force: bool = False, skip=frozenset(),
                  progress: Progress = NO_PROGRESS) -> RestoreResult:
    """Write a new model at ``out`` with the plan's matched variables set from the source.

    TF1 targets: ``out`` is a folder (``out/model.ckpt.*`` + ``out/checkpoint``); Keras
    targets: ``out`` ends with ``.keras``, ``.h5`` or ``.weights.h5``; SavedModel targets:
    ``out`` is the new SavedModel folder. ``skip``: target variable names to leave as they
    are (unticked in the GUI)."""
    tfimport.require(PURPOSE)
    t0 = time.perf_counter()
    out = os.fspath(out)
    out_abs = os.path.abspath(out)
    progress.path = progress.path or out
    loaded = plan._target
    if loaded is None:
        raise PbscopeError(plan.target, "this plan has no loaded target; make it with plan_restore")
    skip = {normalise(s) for s in skip}
    chosen = [r for r in plan.rows if r.status == "matched" and r.target not in skip]
    if not chosen:
        c = plan.counts
        unticked = sum(1 for r in plan.rows if r.status == "matched" and r.target in skip)
        raise PbscopeError(plan.source, f"nothing to restore: no target variable is matched and ticked "
                                        f"({c['matched']} matched, {unticked} of them unticked; "
                                        f"{c['mismatch']} mismatched, {c['missing']} missing, "
                                        f"{c['skipped']} skipped)")
    loaded.check_output(out, out_abs, force)
    check_out(out_abs, out, [plan.source, *loaded.inputs()], force)

    tmp = temp_dir_beside(out_abs)
    try:
        written = loaded.write(plan, chosen, tmp, os.path.basename(out_abs), progress)
        progress.report(0.97, "finishing")
        if written == tmp:
            fsync_tree(tmp)
        else:
            fsync_file(written)
        move_into_place(written, out_abs, out, force)
        if written != tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError):
            raise PbscopeError(out, f"cannot write it: {e.strerror or e}") from None
        raise
    progress.report(1.0, "done")
    checkpoint = os.path.join(out, loaded.checkpoint_name) if loaded.checkpoint_name else None
    return RestoreResult(out=out, written=len(chosen), seconds=time.perf_counter() - t0, kind=plan.kind,
                         kept=len(plan.rows) - len(chosen), checkpoint=checkpoint)


def check_out(out_abs: str, out: str, inputs: list[str], force: bool) -> None:
    """OUT's folder exists, OUT is no input (nor holds one), and is new unless ``force``."""
    parent = os.path.dirname(out_abs)
    if not os.path.isdir(parent):
        raise PbscopeError(out, f"the folder {parent} does not exist")
    for p in (os.path.abspath(p) for p in inputs if p):
        if _same_or_inside(p, out_abs):
            raise PbscopeError(out, f"is an input of this restore ({p}); choose another output")
    if os.path.lexists(out_abs) and not force:
        raise PbscopeError(out, "already exists; use --force to replace it")


def _same_or_inside(path: str, out_abs: str) -> bool:
    """Is ``path`` the output itself, or inside the output folder?"""
    try:
        if os.path.exists(path) and os.path.exists(out_abs) and os.path.samefile(path, out_abs):
            return True
    except OSError:
        pass
    try:
        return os.path.commonpath([os.path.realpath(path), os.path.realpath(out_abs)]) == os.path.realpath(out_abs)
    except ValueError:
        return False
