"""Benchmark: restore the ~200 MB graph's weights into a TF1 model defined in code.

    python bench/restore.py                 # the ~200 MB graph bench/load.py generates and caches
    python bench/restore.py --size-mb 20    # a quick check
    python bench/restore.py --repeat 5      # more runs per child (median reported; default 3)

The target is a builder, ``bench/restore.py:big_model`` (below): the variables of
bench/make_big_graph.py's graph, defined again in TF1 graph mode with the same names,
shapes and initializers. Three children, each in a fresh process:

* load    – ``open_model`` + ``[w.array() for w in g.weights]`` + ``np.add.reduce`` over every
            array (as bench/load.py's pbscope child). load_s = open + decode + touch.
* restore – ``import tensorflow`` (timed on its own, not counted), ``open_model(source)``
            (open_s, not in plan_s), then ``plan_restore(source, "bench/restore.py:big_model")``
            → plan_s (of which builder_s: TensorFlow running the builder, from the plan's
            progress reports), then ``apply_restore(plan, out)`` → apply_s (Saver + .meta
            export, the checkpoint write, fsync + rename). Every tensor of the checkpoint is
            then compared with the source (crc32), outside the timings.
* saver   – ``import tensorflow``, the same builder in a fresh graph, its variables set from
            the source's arrays, then ``tf.compat.v1.train.Saver().save(sess, prefix)``
            (Saver construction included, defaults: .meta and state file written, no fsync)
            → saver_s.

Targets: plan_s ≤ 2 × load_s; apply_s ≤ 2 × saver_s. The last line printed is
``RESULT plan_s=<s> load_s=<s> apply_s=<s> saver_s=<s>``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
import _common as C  # noqa: E402

TARGET_PLAN_RATIO = 2.0     # plan_s ≤ 2 × load_s
TARGET_APPLY_RATIO = 2.0    # apply_s ≤ 2 × saver_s
SIZE_ENV = "PBSCOPE_BENCH_SIZE_MB"


# ==========================================================================
# the builder target
# ==========================================================================
def big_model():
    """make_big_graph's model, defined again in the current TF1 default graph: same variable
    names, shapes and initializers. Its size comes from $PBSCOPE_BENCH_SIZE_MB (default
    200), as the cached graph's."""
    from make_big_graph import define, plan
    return define(plan(int(float(os.environ.get(SIZE_ENV, "200")) * 2**20)))


BUILDER = f"{Path(__file__).resolve()}:big_model"


# ==========================================================================
# children
# ==========================================================================
def _crc(a) -> int:
    import numpy as np
    return zlib.crc32(np.ascontiguousarray(a).reshape(-1).view(np.uint8))


def child_load(model: str) -> dict:
    from load import _pbscope_work
    _, arrays, _, (t1, t2, t3, t4), _ = _pbscope_work(model)
    return {"load_s": t4 - t1, "open_s": t2 - t1, "decode_s": t3 - t2, "touch_s": t4 - t3,
            "weights": len(arrays)}


class _Marks:
    """Times of the progress reports, by their text."""

    def __init__(self):
        self.at: dict[str, float] = {}

    def __call__(self, fraction: float, text: str) -> None:
        self.at.setdefault(text.split(" ")[0] if text.startswith("building") else text, time.perf_counter())


def child_restore(model: str, out: str) -> dict:
    C.repo_on_path()
    t0 = time.perf_counter()
    import tensorflow as tf
    tf_import_s = time.perf_counter() - t0
    from pbscope.core.formats import open_model
    from pbscope.core.progress import Progress
    from pbscope.core.restore import apply_restore, plan_restore

    t1 = time.perf_counter()
    source = open_model(model)
    t2 = time.perf_counter()
    pm = _Marks()
    plan = plan_restore(source, BUILDER, progress=Progress(pm))
    t3 = time.perf_counter()
    am = _Marks()
    result = apply_restore(plan, out, progress=Progress(am))
    t4 = time.perf_counter()
    counts = plan.counts

    # correctness, outside the timings: every tensor of the checkpoint is the source's
    reader = tf.train.load_checkpoint(os.path.join(out, "model.ckpt"))
    keys = reader.get_variable_to_shape_map()
    same = sum(1 for w in source.weights
               if w.var_name in keys and _crc(reader.get_tensor(w.var_name)) == _crc(w.array()))
    return {
        "tf_import_s": tf_import_s, "open_s": t2 - t1, "plan_s": t3 - t2, "apply_s": t4 - t3,
        "builder_s": pm.at["matching"] - pm.at["building"],
        "apply_prepare_s": am.at["reading the source's weights"] - t3,
        "apply_write_s": am.at["finishing"] - am.at["writing the checkpoint"],
        "apply_finish_s": t4 - am.at["finishing"],
        "matched": counts["matched"], "rows": len(plan.rows), "written": result.written,
        "ckpt_keys": len(keys), "same": same, "weights": len(source.weights),
        "bytes": sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)),
    }


def child_saver(model: str, out: str) -> dict:
    C.repo_on_path()
    import tensorflow as tf

    from pbscope.core.formats import open_model
    v1 = tf.compat.v1
    source = open_model(model)
    arrays = {w.var_name: w.array() for w in source.weights}
    g = tf.Graph()
    with g.as_default():
        big_model()
        variables = v1.global_variables()
        with v1.Session(graph=g) as sess:
            sess.run([v.initializer for v in variables],
                     {v.initializer.inputs[1]: arrays[v.op.name] for v in variables})
            t = time.perf_counter()
            v1.train.Saver().save(sess, os.path.join(out, "model.ckpt"))
            saver_s = time.perf_counter() - t
    return {"saver_s": saver_s, "variables": len(variables)}


# ==========================================================================
# the parent
# ==========================================================================
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=200.0, help="graph size in MiB (default 200)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each child (median; default 3)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        mode, *rest = args.child
        C.repo_on_path()
        C.emit({"load": child_load, "restore": child_restore, "saver": child_saver}[mode](*rest))
        return 0

    from load import ensure_graph
    model, meta, _ = ensure_graph(args.size_mb, regen=False)
    size = model.stat().st_size
    C.warm_page_cache(model)
    m = C.machine()
    tf_version = C.package_version("tensorflow-cpu")
    if tf_version == "?":
        tf_version = C.package_version("tensorflow")
    print(f"machine: nproc={m['nproc']} python={m['python']} tensorflow={tf_version} "
          f"numpy={C.package_version('numpy')} ram={m.get('ram', '?')}; {m.get('cpu', '?')}")
    print(f"model: {model} ({C.mb(size)} MiB, {meta.get('reads', '?')} weights); "
          f"target: {BUILDER}\n")

    env = {SIZE_ENV: f"{args.size_mb:g}"}
    me = [str(Path(__file__).resolve()), "--child"]
    runs: dict[str, list[dict]] = {"load": [], "restore": [], "saver": []}
    with tempfile.TemporaryDirectory(prefix="pbscope-bench-restore-") as tmp:
        for i in range(args.repeat):
            runs["load"].append(C.run_child(me + ["load", str(model)], env=env))
            out = os.path.join(tmp, f"restored-{i}")
            runs["restore"].append(C.run_child(me + ["restore", str(model), out], env=env))
            saved = os.path.join(tmp, f"saver-{i}")
            os.makedirs(saved)
            runs["saver"].append(C.run_child(me + ["saver", str(model), saved], env=env))
            r = runs["restore"][-1]
            print(f"  round {i + 1}/{args.repeat}: load {runs['load'][-1]['load_s']:.3f} s · plan "
                  f"{r['plan_s']:.3f} s (builder {r['builder_s']:.3f}) · apply {r['apply_s']:.3f} s · "
                  f"Saver().save {runs['saver'][-1]['saver_s']:.3f} s", flush=True)
            import shutil
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(saved, ignore_errors=True)

    def med(mode, key):
        return C.median([r[key] for r in runs[mode]])

    def spread(mode, key):
        xs = [r[key] for r in runs[mode]]
        return f"{min(xs):.3f}–{max(xs):.3f}"

    load_s, plan_s = med("load", "load_s"), med("restore", "plan_s")
    apply_s, saver_s = med("restore", "apply_s"), med("saver", "saver_s")
    r0 = runs["restore"][0]
    rows = [
        ["load: open_model + w.array() + touch (no TF)", f"{load_s:.3f}", spread("load", "load_s")],
        ["plan_restore(source, builder)", f"{plan_s:.3f}", spread("restore", "plan_s")],
        ["  of which TensorFlow runs the builder", f"{med('restore', 'builder_s'):.3f}",
         spread("restore", "builder_s")],
        ["  of which pbscope (load the builder file, match, report)",
         f"{med('restore', 'plan_s') - med('restore', 'builder_s'):.3f}", "-"],
        ["apply_restore(plan, out)", f"{apply_s:.3f}", spread("restore", "apply_s")],
        ["  Saver + .meta export", f"{med('restore', 'apply_prepare_s'):.3f}", spread("restore", "apply_prepare_s")],
        ["  checkpoint write (save op fed from the source)", f"{med('restore', 'apply_write_s'):.3f}",
         spread("restore", "apply_write_s")],
        ["  fsync + rename", f"{med('restore', 'apply_finish_s'):.3f}", spread("restore", "apply_finish_s")],
        ["Saver().save of the same variables (no fsync)", f"{saver_s:.3f}", spread("saver", "saver_s")],
        ["(not counted) import tensorflow", f"{med('restore', 'tf_import_s'):.3f}", spread("restore", "tf_import_s")],
        ["(not counted) open_model(source)", f"{med('restore', 'open_s'):.3f}", spread("restore", "open_s")],
    ]
    print(f"\nResults: median of {args.repeat} fresh processes per child; warm page cache\n")
    print(C.table(["step", "time s", "min–max s"], rows, markdown=True))
    print(f"\ncheckpoint: {r0['ckpt_keys']} tensors, {C.mb(r0['bytes'])} MiB on disk; plan: {r0['matched']} of "
          f"{r0['rows']} target variables matched, {r0['written']} written")
    print(f"check: {r0['same']}/{r0['weights']} source weights are in the checkpoint with identical bytes (crc32)")

    plan_ratio, apply_ratio = plan_s / load_s, apply_s / saver_s
    verdict = lambda ok: "MET" if ok else "MISSED"  # noqa: E731
    print("\nRatios and targets")
    print(f"  plan_s / load_s   = {plan_ratio:6.2f}   target <= {TARGET_PLAN_RATIO:g}   "
          f"{verdict(plan_ratio <= TARGET_PLAN_RATIO)}")
    print(f"  apply_s / saver_s = {apply_ratio:6.2f}   target <= {TARGET_APPLY_RATIO:g}   "
          f"{verdict(apply_ratio <= TARGET_APPLY_RATIO)}")
    ok_values = all(r["same"] == r["weights"] == r["ckpt_keys"] for r in runs["restore"])
    if not ok_values:
        print("  WARNING: the checkpoint's values differ from the source's")
    print(f"\nRESULT plan_s={plan_s:.3f} load_s={load_s:.3f} apply_s={apply_s:.3f} saver_s={saver_s:.3f}")
    return 0 if ok_values else 1


if __name__ == "__main__":
    sys.exit(main())
