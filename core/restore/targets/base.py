"""What every kind of target offers the plan and the apply: one small protocol.

A target module has ``open(spec, source, progress) -> Target``; the Target lists its
variables, names its final layer for ``--except-last`` and writes the restored model into
a temporary folder (core.restore.apply checks OUT, then renames the result into place).
TensorFlow is imported by the target modules' functions only, never at import time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ...errors import first_line

if TYPE_CHECKING:
    from ...progress import Progress
    from ..plan import PlanRow, RestorePlan


@dataclass
class TargetVar:
    name: str                    # normalised: no ':0'
    shape: tuple | None
    dtype: str
    dtype_number: int | None     # TF's DataType enum, when known
    trainable: bool
    obj: object = field(default=None, repr=False)   # tf.Variable / keras Variable / Weight


class Target(Protocol):
    kind: str                     # 'checkpoint' | 'builder' | 'keras' | 'savedmodel'
    path: str                     # the builder file, checkpoint prefix, Keras file or SavedModel folder
    variables: list[TargetVar]    # every variable, in the target's order
    checkpoint_name: str | None   # TF1: the prefix written in OUT (model.ckpt); else None

    def last_scope(self) -> str | None:
        """The final layer's scope (``--except-last``), or None without trainable variables."""

    def inputs(self) -> list[str]:
        """The target's files and folders, which the output may not be or be inside."""

    def check_output(self, out: str, out_abs: str, force: bool) -> None:
        """PbscopeError if OUT cannot hold this kind of model (before anything is written)."""

    def write(self, plan: RestorePlan, chosen: list[PlanRow], folder: str, name: str,
              progress: Progress) -> str:
        """Write the restored model into the empty temporary ``folder``; return what is to be
        renamed to OUT: ``folder`` itself, or the file ``folder/name``."""


class TargetBase:
    """Defaults for the protocol's optional parts."""
    kind = ""
    path = ""
    checkpoint_name: str | None = None

    def inputs(self) -> list[str]:
        return [self.path]

    def check_output(self, out: str, out_abs: str, force: bool) -> None:
        return None


def describe(e: BaseException) -> str:
    return f"{type(e).__name__}: {first_line(e)}" if str(e) else type(e).__name__
