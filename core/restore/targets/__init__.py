"""One module per kind of target, each with ``open_target(spec, source, progress) -> Target``
(base.py has the protocol; tf1.py what the builder and checkpoint targets share)."""
from __future__ import annotations

from . import builder, checkpoint, keras, savedmodel
from .base import Target, TargetVar

MODULES = {"builder": builder, "checkpoint": checkpoint, "keras": keras, "savedmodel": savedmodel}


def open_target(spec, source, progress) -> Target:
    """The target ``spec`` names (core.restore.detect), loaded by its kind's module."""
    return MODULES[spec.kind].open_target(spec, source, progress)


__all__ = ["Target", "TargetVar", "open_target"]
