"""No process-wide state left changed: the collector after pauses (threads included), the
environment and fd 2 after TensorFlow's quiet import."""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading

import pytest

from pbscope.core.gcpause import gc_paused
from tests.procs import PRELUDE, ROOT


def test_gc_pause_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()       # was off before: stays off
    finally:
        gc.enable()


def test_overlapping_pauses_in_two_threads_leave_it_on():
    """A starts, B starts, A ends, B ends (and the other order): on exactly when both ended."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with gc_paused():
            a_in.set()
            b_in.wait(5)
        seen["after_a"] = gc.isenabled()
        a_out.set()

    def b():
        a_in.wait(5)
        with gc_paused():
            b_in.set()
            a_out.wait(5)
            seen["b_still_paused"] = not gc.isenabled()

    ts = [threading.Thread(target=f) for f in (a, b)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(10)
    assert seen == {"after_a": False, "b_still_paused": True}
    assert gc.isenabled()


def test_tensorflow_import_leaves_env_and_stderr_as_they_were():
    pytest.importorskip("tensorflow")
    code = PRELUDE + (
        "import os, sys; before = os.fstat(2); "
        "from pbscope.core.tfimport import import_tensorflow; import_tensorflow('a test'); "
        "after = os.fstat(2); "
        "print(os.environ.get('TF_CPP_MIN_LOG_LEVEL'), (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino))")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["None", "True"]
    assert r.stderr == ""           # TensorFlow's start-up notices stayed off stderr
