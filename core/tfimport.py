"""Import TensorFlow, lazily and quietly, for the features that truly need it.

Browsing never comes here. Restore, unfreeze and "V1" checkpoints do, from a worker
thread in the window, or from the command line, where TensorFlow's start-up notices
(absl and oneDNN lines written straight to file descriptor 2, before any log level
applies) would break the promise of one clear line on stderr. So the import runs with
fd 2 pointed at a temporary file, replayed only if the import fails, and with
TF_CPP_MIN_LOG_LEVEL=3; both are put back as they were once the import is done (TensorFlow
reads the level once, at its first log line, which the import writes).

TensorFlow is optional (the ``pbscope[tf]`` extra): ``available()`` asks without importing,
and ``require()`` raises the one line that says what to install.
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import tempfile
import threading

from .errors import PbscopeError

_lock = threading.Lock()
INSTALL_HINT = "pip install 'pbscope[tf]'"


def available() -> bool:
    """Whether TensorFlow is installed (found, not imported: that takes seconds)."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"] is not None
    try:
        return importlib.util.find_spec("tensorflow") is not None
    except (ImportError, ValueError):
        return False


def missing_message(purpose: str) -> str:
    """The one line a feature that needs TensorFlow gives without it."""
    return f"{purpose} needs TensorFlow, which is not installed: {INSTALL_HINT}"


def require(purpose: str) -> None:
    """PbscopeError saying what to install if TensorFlow is not there; cheap, imports nothing."""
    if not available():
        raise PbscopeError(None, missing_message(purpose))


def import_tensorflow(purpose: str):
    """The ``tensorflow`` module; PbscopeError naming ``purpose`` if it is not installed."""
    require(purpose)
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _lock:
        with tempfile.TemporaryFile() as sink, _fd2_to(sink), _env("TF_CPP_MIN_LOG_LEVEL", "3"):
            try:
                import tensorflow as tf
            except ImportError as e:
                raise PbscopeError(None, f"{missing_message(purpose)} ({e})") from None
        return tf


@contextlib.contextmanager
def _env(name: str, default: str):
    """``name`` set to ``default`` unless the user set it; as it was afterwards."""
    before = os.environ.get(name)
    if before is None:
        os.environ[name] = default
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)


@contextlib.contextmanager
def _fd2_to(sink):
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):      # no real fd 2 (an embedding host): leave it be
        yield
        return
    os.dup2(sink.fileno(), 2)
    ok = False
    try:
        yield
        ok = True
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        if not ok:                      # the import failed: show what TensorFlow said
            sink.seek(0)
            sys.stderr.write(sink.read().decode("utf-8", "replace"))


@contextlib.contextmanager
def quiet(tf):
    """TensorFlow's Python logger at ERROR while a block runs (deprecation notes)."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)
