"""Shared test setup: the code under test as `pbscope`, Qt offscreen, TF-made models."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
# The code under test: this clone, registered as the package `pbscope` (see main.use_clone),
# or, with PBSCOPE_TEST_INSTALLED=1, the pbscope installed in this Python (a wheel).
from tests.procs import INSTALLED  # noqa: E402

if not INSTALLED:
    import main  # noqa: E402,F401 - registers the clone as `pbscope`
else:
    import pbscope.core  # noqa: E402

    assert not pbscope.core.__file__.startswith(ROOT + os.sep), "PBSCOPE_TEST_INSTALLED=1, yet the clone is imported"

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tf_models(tmp_path_factory):
    """Models written by TensorFlow, made once per run (see tests/fixtures/models.py):
    {'tf1': tf1_frozen, 'tf2': tf2_keras_frozen, 'dtypes': all_dtypes, 'rnn': tf1_rnn_frozen}."""
    pytest.importorskip("tensorflow")
    from tests.fixtures import models
    return models.generate_all(tmp_path_factory.mktemp("models"))
