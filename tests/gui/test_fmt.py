"""The one shape formatter (core.limits.shape_text, re-exported by gui.fmt) and the one
error line (gui.fmt.error_line), which is the command line's for a PbscopeError."""
from __future__ import annotations

import pytest

from pbscope.core.errors import Cancelled, PbscopeError
from pbscope.gui import fmt


@pytest.mark.parametrize("shape,text,compact", [
    ([3, 3, 32], "[3, 3, 32]", "3×3×32"),
    ((1024,), "[1024]", "1024"),
    ([], "[]", "scalar"),
    (None, "?", "?"),
    ([None, 3], "[?, 3]", "?×3"),
    ([-1, 224, 224, 3], "[?, 224, 224, 3]", "?×224×224×3"),
    ([2] * 10, "[2, 2, 2, 2, 2, 2, 2, 2, …] (10 dims)", "2×2×2×2×2×2×2×2×… (10 dims)"),
    ([10**30, 2], "[1e+30, 2]", "1e+30×2"),
    ([1.5], "[1.5]", "1.5"),
])
def test_shape_text(shape, text, compact):
    from pbscope.core.limits import shape_text
    assert fmt.shape_text is shape_text
    assert shape_text(shape) == text
    assert shape_text(shape, compact=True) == compact


def test_the_dialogs_and_core_share_it():
    from pbscope.core import limits
    from pbscope.gui import diff_view, restore_dialog
    assert restore_dialog.shape_text is limits.shape_text
    assert diff_view._shape([3, 3]) == "[3, 3]" and diff_view._shape(None) == ""
    assert limits.shape_text([3, 3, 32], compact=True) == "3×3×32"
    assert limits.shape_text([None, 224], sep=",") == "[?,224]"


def test_error_line_of_a_pbscope_error():
    assert fmt.error_line(PbscopeError("/m/a.pb", "not a GraphDef")) == "/m/a.pb: not a GraphDef"
    assert fmt.error_line(PbscopeError(None, "needs TensorFlow"), "/ignored") == "needs TensorFlow"
    assert fmt.error_line(Cancelled("/m/a.pb")) == "/m/a.pb: cancelled"


def test_error_line_of_anything_else():
    e = ValueError("bad value\nsecond line\n")
    assert fmt.error_line(e, "/m/a.pb", "cannot open it") == "/m/a.pb: cannot open it: ValueError: bad value"
    assert fmt.error_line(e) == "ValueError: bad value"
    assert fmt.error_line(KeyError("k"), doing="cannot export") == "cannot export: KeyError: 'k'"
    assert fmt.error_line(RuntimeError(), "/x") == "/x: RuntimeError"

    class Broken(Exception):
        def __str__(self):
            raise RuntimeError("no text")
    assert fmt.error_line(Broken(), "/x", "cannot compare") == "/x: cannot compare: Broken"


def test_error_details():
    e = PbscopeError("/m/a.pb", "truncated")
    assert fmt.error_details(e, "Traceback: …") == "File: /m/a.pb\nCause: truncated\n\nTraceback: …"
    assert fmt.error_details(PbscopeError(None, "x"), "", "/p") == "File: /p\nCause: x"
    assert fmt.error_details(ValueError("v"), "TB") == "TB"
    try:
        raise ValueError("raised")
    except ValueError as raised:
        assert fmt.error_details(raised).endswith("ValueError: raised\n")


def test_window_line_is_the_command_line_line(tmp_path, capsys):
    """The same PbscopeError: the CLI prints 'pbscope: error: ' + the window's line."""
    from pbscope.core import cli
    from pbscope.core.formats import open_model
    missing = tmp_path / "nope.pb"
    with pytest.raises(PbscopeError) as info:
        open_model(str(missing))
    assert cli.main(["info", str(missing)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"pbscope: error: {fmt.error_line(info.value)}"]
    assert fmt.error_line(info.value) == f"{missing}: no such file or folder"
