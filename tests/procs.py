"""Child processes that run pbscope: this clone's (``main.py``), or the installed package's
(``python -m pbscope``) when the tests run against a wheel (PBSCOPE_TEST_INSTALLED=1)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = os.environ.get("PBSCOPE_TEST_INSTALLED") == "1"
# The command, as argv: `PBSCOPE + ["info", path]`
PBSCOPE = [sys.executable, "-m", "pbscope"] if INSTALLED else [sys.executable, str(ROOT / "main.py")]
# Put before the code of a `python -c` child that runs with cwd=ROOT and imports pbscope.*
PRELUDE = "" if INSTALLED else "import main; "
