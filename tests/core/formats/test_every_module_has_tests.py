"""tests/core/formats mirrors core/formats: each reader module has its test file, which opens
small files the tests make (a fresh clone without ../shared/corpus still tests every format).
A helper module is tested through the reader that uses it, named here."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent

# helper module → the test file that covers it
COVERED_BY = {
    "functions": "test_graphdef.py",          # function library ops
    "nodedef_columns": "test_graphdef.py",    # and test_graphdef_records.py, test_graphdef_streaming.py
    "variables": "test_checkpoint.py",        # and test_metagraph.py, test_savedmodel.py
    "keras_h5": "test_keras.py",
    "keras_config": "test_keras.py",
    "keras_vars": "test_keras.py",
}


def test_each_module_of_core_formats_has_a_test_file():
    modules = sorted(p.stem for p in (ROOT / "core" / "formats").glob("*.py") if p.stem != "__init__")
    missing = [m for m in modules if not (HERE / COVERED_BY.get(m, f"test_{m}.py")).is_file()]
    assert not missing, f"core/formats modules without tests in tests/core/formats: {missing}"
    assert set(COVERED_BY) <= set(modules), "COVERED_BY names a module that is gone"
