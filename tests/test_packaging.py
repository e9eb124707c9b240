"""pyproject.toml: a wheel and an sdist build from the repo; the wheel installs one package,
`pbscope`, with its data, the `pbscope` command and `python -m pbscope`; the base install
needs no TensorFlow, which the `tf` extra adds."""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from tests.procs import ROOT


DEMO = ROOT / "resources" / "demo_mobilenet_v1.pb"
TF_NAMES = {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly", "keras", "tf-keras"}

def _requirements(name: str) -> list[Requirement]:
    lines = (ROOT / name).read_text().splitlines()
    return [Requirement(line.split("#")[0].strip()) for line in lines
            if line.split("#")[0].strip() and not line.startswith("-")]


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """The sdist, and the wheel built from it (as `python -m build` does), without network:
    the build backend comes from requirements-dev.txt."""
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=600, cwd=out)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return {"wheel": next(out.glob("pbscope-*.whl")), "sdist": next(out.glob("pbscope-*.tar.gz"))}


def test_the_wheel_holds_one_package_with_its_data(dists):
    names = zipfile.ZipFile(dists["wheel"]).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"pbscope"}, tops
    for must in ("pbscope/__main__.py", "pbscope/main.py", "pbscope/core/formats/graphdef.py",
                 "pbscope/core/proto/tensorflow.fds", "pbscope/gui/main_window.py",
                 "pbscope/resources/demo_mobilenet_v1.pb", "pbscope/resources/style/dark_palette.json",
                 "pbscope/resources/icons/scope.svg", "pbscope/resources/i18n/pbscope_zh_CN.qm",
                 "pbscope/resources/fonts/NotoSansSC-pbscope-subset.ttf", "pbscope/resources/fonts/OFL.txt"):
        assert must in names, must
    assert not [n for n in names if n.startswith("pbscope/tests/") or n.startswith("pbscope/bench/")]
    assert all(n.endswith(".py") or n.endswith(".pyi") or n.startswith("pbscope/resources/")
               or n.startswith("pbscope/core/proto/") or ".dist-info/" in n for n in names), names
    meta = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "pbscope = pbscope.main:entry" in zipfile.ZipFile(dists["wheel"]).read(meta).decode()


def test_the_sdist_holds_the_sources_and_the_tests(dists):
    names = tarfile.open(dists["sdist"]).getnames()
    base = names[0].split("/")[0]
    for must in ("pyproject.toml", "requirements.txt", "requirements-tf.txt", "main.py", "__main__.py",
                 "core/model.py", "gui/app.py", "resources/demo_mobilenet_v1.pb", "tests/conftest.py"):
        assert f"{base}/{must}" in names, must


def test_tensorflow_is_only_in_the_extra(dists):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"pbscope": "pbscope.main:entry"}
    base = {r.name.lower() for r in _requirements("requirements.txt")}
    assert not base & TF_NAMES, base
    assert {r.name.lower() for r in _requirements("requirements-tf.txt")} >= {"tensorflow-cpu", "keras"}
    # the wheel's metadata: TensorFlow only under extra == "tf"
    wheel = zipfile.ZipFile(dists["wheel"])
    text = wheel.read(next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    requires = [Requirement(line.split(":", 1)[1].strip()) for line in text.splitlines()
                if line.startswith("Requires-Dist:")]
    for req in requires:
        if req.name.lower() in TF_NAMES:
            assert req.marker is not None and "extra" in str(req.marker) and '"tf"' in str(req.marker), req
    assert {r.name.lower() for r in requires if r.marker is None} == base


def test_the_base_requirements_pull_no_tensorflow():
    """What the base requirements depend on, followed through the installed distributions'
    own metadata: TensorFlow and Keras never come in."""
    seen, todo = set(), [r.name for r in _requirements("requirements.txt")]
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    assert not seen & TF_NAMES, sorted(seen & TF_NAMES)
    assert "numpy" in seen and "pyside6-essentials" in seen


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory) -> Path:
    """A venv with the wheel installed (its dependencies from this Python's site-packages)."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    py = env_dir / "bin" / "python"
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps",
                        "--no-index", "--quiet", str(dists["wheel"])], capture_output=True, text=True)
    if r.returncode != 0 and "no such option: --python" in r.stderr:     # pip < 22.3
        r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                            "--prefix", str(env_dir), str(dists["wheel"])], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return env_dir


def test_the_command_and_python_m_run_the_installed_package(installed, tmp_path):
    py, exe = installed / "bin" / "python", installed / "bin" / "pbscope"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([str(exe), "info", str(DEMO)], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0 and "GraphDef" in r.stdout and "179" in r.stdout, r.stderr
    r = subprocess.run([str(py), "-m", "pbscope", "--version"], capture_output=True, text=True, cwd=tmp_path, env=env)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert r.returncode == 0 and r.stdout.strip() == f"pbscope {version}", r.stderr
    code = ("import pbscope.core.model as m, sys; print(m.__file__); "
            "import importlib.util as u; print([n for n in ('core', 'gui', 'resources') if u.find_spec(n)])")
    r = subprocess.run([str(py), "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    where, generic = r.stdout.splitlines()
    assert where.startswith(str(installed)), where
    assert generic == "[]", "generic top-level names importable: " + generic
