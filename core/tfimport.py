"""Import TensorFlow, lazily and quietly, for the features that truly need it.

Browsing never comes here. Restore, unfreeze and "V1" checkpoints do, from a worker
thread in the window, or from the command line, where TensorFlow's start-up notices
(absl and oneDNN lines written straight to file descriptor 2, before any log level
applies) would break the promise of one clear line on stderr. So the import runs with
fd 2 pointed at a temporary file, replayed only if the import fails.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading

from .errors import PbscopeError

_lock = threading.Lock()


def import_tensorflow(purpose: str):
    """The ``tensorflow`` module; PbscopeError naming ``purpose`` if it is not installed."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _lock:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        with tempfile.TemporaryFile() as sink, _fd2_to(sink):
            try:
                import tensorflow as tf
            except ImportError as e:
                raise PbscopeError(None, f"{purpose} needs TensorFlow, which is not installed ({e})") from None
        return tf


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
