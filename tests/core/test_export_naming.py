"""Export file naming (the window's Export and ``export`` without -o share it) and the
key styles' names."""
from __future__ import annotations

import os

import pytest
from pbscope.core.errors import PbscopeError
from pbscope.core.export import (
    FORMATS,
    SUFFIXES,
    default_export_path,
    export_stem,
    key_style,
)


def test_files_and_extensions(tmp_path):
    model = tmp_path / "m.pb"
    model.write_bytes(b"")
    assert default_export_path(model) == str(tmp_path / "m_weights.pkl")
    for fmt, suffix in SUFFIXES.items():
        assert default_export_path(model, "/x", fmt) == os.path.join("/x", f"m_weights{suffix}")
    assert default_export_path("m.pbtxt") == "m_weights.pkl"          # relative stays relative
    with pytest.raises(PbscopeError):
        default_export_path(model, fmt="zip")


def test_checkpoints_and_savedmodels_are_named_after_what_holds_them(tmp_path):
    ckpt = tmp_path / "run7"
    ckpt.mkdir()
    for name in ("model.ckpt-100.index", "model.ckpt-100", "checkpoint", "variables.index"):
        assert export_stem(ckpt / name) == (str(ckpt), "run7"), name
    assert export_stem(ckpt / "net.ckpt.meta") == (str(ckpt), "net")
    version = tmp_path / "half_plus_two" / "00000123"
    version.mkdir(parents=True)
    assert default_export_path(version) == str(tmp_path / "half_plus_two_00000123_weights.pkl")
    assert default_export_path(str(version) + os.sep, fmt="npy") == str(tmp_path / "half_plus_two_00000123_weights")
    assert default_export_path(tmp_path / "half_plus_two") == str(tmp_path / "half_plus_two_weights.pkl")


def test_key_styles_and_the_old_name():
    assert key_style("tf1") == "tf1" and key_style("seed") == "tf1" and key_style("var") == "var"
    with pytest.raises(PbscopeError, match="use 'tf1' or 'var'"):
        key_style("nope")
    assert not any("seed" in d.lower() for d in FORMATS.values())
