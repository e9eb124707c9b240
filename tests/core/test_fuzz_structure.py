"""A short pass of the structure-aware fuzz (tools/fuzz_long.py; the long pass and its
figures are in docs/fuzzing.md): corpus files and files made here, re-serialised with
hostile field values, for every reader, through info, ls, show and export in children
capped at 4 GB, two at a time. Nothing may end in a traceback, a crash, a timeout or a
bad refusal, nothing may be left beside the export, and no child may pass 500 MB RSS."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pbscope.core import proto
from pbscope.core.formats import open_model
from tools import fuzz_long

ROOT = Path(__file__).resolve().parents[2]
SHORT_PASS = 440     # 40 mutants per reader kind


@pytest.fixture(scope="module")
def short_pass(tmp_path_factory) -> dict:
    """The fuzz in a fresh process (its children are forked from it, so they must not
    inherit this test process's imports), two children at a time."""
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "fuzz_long.py"), "--count", str(SHORT_PASS),
                        "--seed", "20261204", "--jobs", "2", "--work", str(tmp_path_factory.mktemp("fuzz"))],
                       capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    result = r.stdout.strip().splitlines()[-1]
    assert result.startswith("RESULT "), r.stdout[-3000:] + r.stderr[-3000:]
    counts = dict(kv.split("=", 1) for kv in result.split()[1:])
    counts["failed"] = [line for line in r.stdout.splitlines() if line.startswith("FAILED")]
    counts["code"] = r.returncode
    return counts


def test_short_pass_has_no_traceback_crash_timeout_or_leftover(short_pass):
    assert not short_pass["failed"] and short_pass["code"] == 0, "\n".join(short_pass["failed"])[:4000]
    for outcome in ("traceback", "crash", "timeout", "bad-refusal", "leftover"):
        assert short_pass[outcome] == "0", outcome
    assert int(short_pass["runs"]) == 4 * SHORT_PASS
    assert int(short_pass["ok"]) > 0 and int(short_pass["refused"]) > 0     # both paths exercised


def test_short_pass_covers_every_reader_and_stays_small(short_pass):
    kinds = dict(kv.split(":") for kv in short_pass["kinds"].split(","))
    seeded = {k for k, files in fuzz_long.seeds().items() if files}    # without ../shared: the made files
    assert set(kinds) == seeded
    if fuzz_long.CORPUS.is_dir():
        assert seeded == set(fuzz_long.KINDS)
    assert float(short_pass["peak_rss_mb"]) <= 500


def test_re_serialised_checkpoint_index_is_read_back_equal(tmp_path):
    """The fuzz's SSTable writer writes what the reader reads (so mutants reach the entries)."""
    records = [(b"", proto.BundleHeaderProto(num_shards=1).SerializeToString())]
    e = proto.BundleEntryProto(dtype=1, size=12)
    e.shape.dim.add(size=3)
    records.append((b"w", e.SerializeToString()))
    fuzz_long.write_table(tmp_path / "m.ckpt.index", records)
    assert fuzz_long.read_table(tmp_path / "m.ckpt.index") == records
    (tmp_path / "m.ckpt.data-00000-of-00001").write_bytes(np.arange(3, dtype=np.float32).tobytes())
    np.testing.assert_array_equal(open_model(tmp_path / "m.ckpt").find_weight("w").array(), [0, 1, 2])


def test_mutants_are_deterministic_and_hostile(tmp_path):
    pool = fuzz_long.seeds()
    kinds = [k for k in fuzz_long.KINDS if pool[k]]       # without ../shared: the made seeds only
    for i in range(len(kinds)):
        a = fuzz_long.make_mutant(i, 7, pool, tmp_path / f"a{i}")
        b = fuzz_long.make_mutant(i, 7, pool, tmp_path / f"b{i}")
        files = sorted(p.relative_to(tmp_path / f"a{i}") for p in (tmp_path / f"a{i}").rglob("*") if p.is_file())
        assert a[0] == b[0] == kinds[i] and files
        assert all((tmp_path / f"a{i}" / f).read_bytes() == (tmp_path / f"b{i}" / f).read_bytes() for f in files)
    rng = random.Random(1)
    shapes = [fuzz_long.hostile_shape(rng) for _ in range(200)]
    assert any(len(s) > 32 for s in shapes) and any(d < 0 for s in shapes for d in s)


def test_made_tflite_is_read_back_with_its_values(tmp_path):
    """The TFLite seed made without TensorFlow: a kernel inside the flatbuffer and a bias
    past it at Buffer.offset/size, both read back equal (so mutants reach real tensors)."""
    p = tmp_path / "m.tflite"
    p.write_bytes(fuzz_long.made_tflite())
    values = {w.name.rsplit("/", 1)[-1]: w.array() for w in open_model(p).weights}   # …/dense/kernel
    np.testing.assert_array_equal(values["kernel"], np.arange(12, dtype=np.float32).reshape(3, 4))
    np.testing.assert_array_equal(values["bias"], [0.5, -1, 2])
    walk = fuzz_long.FlatWalk(p.read_bytes())
    assert len(walk.buffer_offsets) == 1 and len(walk.shapes) == 4 and walk.opcode_refs
