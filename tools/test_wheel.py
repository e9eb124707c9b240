"""Run the test suite against an installed wheel instead of the clone.

    python tools/test_wheel.py [PYTEST ARGS…]

Builds the wheel (no network: the build backend is in requirements-dev.txt), installs it
into a fresh venv that sees this Python's packages (the dependencies, pytest), and runs
pytest there with PBSCOPE_TEST_INSTALLED=1: the tests then import the installed `pbscope`
and start `python -m pbscope` instead of this clone's main.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="pbscope-wheel-") as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp / "dist"),
                        str(ROOT)], check=True, stdout=subprocess.DEVNULL)
        wheel = next((tmp / "dist").glob("pbscope-*.whl"))
        venv.create(tmp / "venv", system_site_packages=True, with_pip=False)
        py = tmp / "venv" / "bin" / "python"
        subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps",
                        "--no-index", str(wheel)], check=True)
        print(f"testing {wheel.name} installed in {tmp / 'venv'}", flush=True)
        env = dict(os.environ, PBSCOPE_TEST_INSTALLED="1")
        env.pop("PYTHONPATH", None)
        return subprocess.run([str(py), "-m", "pytest", *args], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
