"""Benchmark: unfreeze a ~200 MB TF1 frozen graph, against freezing it back.

    python bench/unfreeze.py                 # the 200 MiB graph bench/load.py makes (cached)
    python bench/unfreeze.py --size-mb 20    # a quick check on a smaller graph
    python bench/unfreeze.py --repeat 9      # more rounds (median reported; default 5)

Unfreezing is the reverse of TensorFlow's own freezing, so that is the yardstick.
Each measurement runs in a fresh subprocess:

* unfreeze – ``import tensorflow`` (timed apart: tf_import_s), then pbscope's
             ``open_model(path)`` + ``unfreeze(g, tmpdir)``: unfreeze_s. It writes the
             checkpoint folder (model.ckpt.meta/.index/.data, checkpoint), fsynced.
             Peak RSS is ``ru_maxrss`` at the end; the baseline is VmRSS after the import.
* freeze   – ``import tensorflow``; ``import_meta_graph`` + ``Saver.restore`` of that very
             checkpoint (not counted: it only sets the model up with variables); then
             ``convert_variables_to_constants(sess, graph.as_graph_def(), outputs)`` +
             ``SerializeToString()``: freeze_s.
* crc      – pbscope reads the original .pb's weights (crc32 of each), to check that
             the re-frozen graph holds the original's values bit for bit.

The file is read once before any measurement (warm page cache). The last line is
``RESULT unfreeze_s=<s> freeze_s=<s> peak_rss_mb=<MiB>`` (peak_rss_mb: the unfreeze
child's whole peak, TensorFlow's own ~500 MiB included).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

TARGET_TIME_RATIO = 3.0     # unfreeze_s <= 3 x freeze_s
TARGET_RSS_RATIO = 2.5      # peak RSS <= 2.5 x file size (judged above TF's import baseline)


# ==========================================================================
# children
# ==========================================================================
def child_unfreeze(path: str, outdir: str) -> dict:
    t0 = time.perf_counter()
    import tensorflow as tf
    tf_import_s = time.perf_counter() - t0
    from pbscope.core.formats import open_model
    from pbscope.core.progress import Progress
    from pbscope.core.unfreeze import unfreeze
    base, base_peak = C.rss(), C.peak_rss()

    marks: list[tuple[str, float, int]] = []
    start = time.perf_counter()

    def on_progress(fraction: float, text: str) -> None:
        text = text.split(":")[0]          # "setting variables: <name>" → one phase
        if not marks or marks[-1][0] != text:
            marks.append((text, time.perf_counter() - start, C.rss().get("VmRSS", 0)))

    t1 = time.perf_counter()
    g = open_model(path)
    t2 = time.perf_counter()
    report = unfreeze(g, outdir, progress=Progress(on_progress))
    t3 = time.perf_counter()
    peak, end = C.peak_rss(), C.rss()
    files = {p.name: p.stat().st_size for p in Path(outdir).iterdir()}
    return {
        "mode": "unfreeze", "tf_version": tf.__version__, "tf_import_s": tf_import_s,
        "open_s": t2 - t1, "unfreeze_call_s": t3 - t2, "total_s": t3 - t1,
        "variables": len(report.variables), "trainable": report.trainable,
        "non_trainable": report.non_trainable, "outputs": [op.name for op in g.outputs],
        "ops": len(g.ops), "files": files,
        "rss_base": base.get("VmRSS"), "peak_base": base_peak, "peak_rss": peak, "rss_end": end,
        "phases": marks,
    }


def child_freeze(prefix: str, outputs: list[str]) -> dict:
    t0 = time.perf_counter()
    import tensorflow as tf
    tf_import_s = time.perf_counter() - t0
    from tensorflow.python.framework import tensor_util
    v1 = tf.compat.v1
    tf.get_logger().setLevel("ERROR")
    base = C.rss()
    graph = tf.Graph()
    with graph.as_default():
        t1 = time.perf_counter()
        saver = v1.train.import_meta_graph(prefix + ".meta")
        sess = v1.Session(graph=graph)
        saver.restore(sess, prefix)
        names = [v.op.name for v in v1.global_variables()]
        t2 = time.perf_counter()
        frozen = v1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), outputs)
        t3 = time.perf_counter()
        data = frozen.SerializeToString()
        t4 = time.perf_counter()
        peak = C.peak_rss()
        sess.close()
    wanted = set(names)
    crc = {}
    for node in frozen.node:
        if node.op == "Const" and node.name in wanted:
            a = tensor_util.MakeNdarray(node.attr["value"].tensor)
            crc[node.name] = zlib.crc32(a.tobytes())
    return {
        "mode": "freeze", "tf_import_s": tf_import_s, "load_s": t2 - t1,
        "convert_s": t3 - t2, "serialize_s": t4 - t3, "total_s": t4 - t2,
        "bytes": len(data), "ops": len(frozen.node), "variables": len(names),
        "rss_base": base.get("VmRSS"), "peak_rss": peak, "crc": crc,
    }


def child_crc(path: str) -> dict:
    import numpy as np

    from pbscope.core.formats import open_model
    g = open_model(path)
    return {"mode": "crc", "crc": {w.name: zlib.crc32(np.ascontiguousarray(w.array()).tobytes())
                                   for w in g.weights}}


def run_as_child(argv: list[str]) -> int:
    C.repo_on_path()
    mode = argv[0]
    if mode == "unfreeze":
        res = child_unfreeze(argv[1], argv[2])
    elif mode == "freeze":
        res = child_freeze(argv[1], json.loads(argv[2]))
    elif mode == "crc":
        res = child_crc(argv[1])
    else:
        raise SystemExit(f"unknown child mode {mode!r}")
    C.emit(res)
    return 0


# ==========================================================================
# the parent
# ==========================================================================
_s, _spread = C.seconds, C.spread


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Unfreeze a big TF1 frozen graph with pbscope, "
                                             "against TensorFlow freezing it back.")
    ap.add_argument("--size-mb", type=float, default=200.0,
                    help="size of the generated graph in MiB (default 200; cached by bench/load.py)")
    ap.add_argument("--regen", action="store_true", help="rebuild the graph even if cached")
    ap.add_argument("--graph", help="benchmark this frozen .pb instead of a generated one")
    ap.add_argument("--repeat", type=int, default=5, help="rounds of unfreeze + freeze (default 5)")
    ap.add_argument("--json", help="also write every figure to this JSON file")
    args = ap.parse_args(argv)

    from load import ensure_graph
    m = C.machine()
    tf_version = C.package_version("tensorflow-cpu")
    if tf_version == "?":
        tf_version = C.package_version("tensorflow")
    print("pbscope unfreeze benchmark")
    print(f"machine: nproc={m['nproc']} python={m['python']} tensorflow={tf_version} "
          f"numpy={C.package_version('numpy')} protobuf={C.package_version('protobuf')} "
          f"ram={m.get('ram', '?')}")
    print(f"         {m.get('cpu', '?')}; {m['platform']}")

    if args.graph:
        path, meta = Path(args.graph), {}
    else:
        path, meta, made = ensure_graph(args.size_mb, args.regen)
    size = path.stat().st_size
    print(f"graph: {path}")
    print(f"       {size:,} bytes = {size / C.MB:.1f} MiB"
          + (f"; {meta['ops']} ops, {meta['reads']} weights (Const X + Identity X/read)" if meta else ""))
    warm = C.warm_page_cache(path)
    print(f"page cache: warm — the file was read once ({warm:.2f} s) before any measurement\n")

    me = [str(Path(__file__).resolve()), "--child"]
    work = Path(tempfile.mkdtemp(prefix="pbscope-unfreeze-bench-"))
    runs: dict[str, list[dict]] = {"unfreeze": [], "freeze": []}
    try:
        for i in range(args.repeat):
            out = work / f"round{i}"
            u = C.run_child(me + ["unfreeze", str(path), str(out)])
            runs["unfreeze"].append(u)
            f = C.run_child(me + ["freeze", str(out / "model.ckpt"), json.dumps(u["outputs"])])
            runs["freeze"].append(f)
            print(f"  round {i + 1}/{args.repeat}: unfreeze {u['total_s']:.3f} s "
                  f"(peak RSS {C.mb(u['peak_rss'])} MiB), freeze {f['total_s']:.3f} s", flush=True)
            shutil.rmtree(out, ignore_errors=True)
        original = C.run_child(me + ["crc", str(path)])["crc"]
        u0, f0 = runs["unfreeze"][0], runs["freeze"][0]
        files = dict(u0["files"])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def med(mode, key):
        return C.median([r[key] for r in runs[mode]])

    unfreeze_s, freeze_s = med("unfreeze", "total_s"), med("freeze", "total_s")
    peak = max(r["peak_rss"] for r in runs["unfreeze"])
    base = min(r["rss_base"] for r in runs["unfreeze"])
    above = max(r["peak_rss"] - r["rss_base"] for r in runs["unfreeze"])
    fpeak = max(r["peak_rss"] for r in runs["freeze"])
    fbase = min(r["rss_base"] for r in runs["freeze"])

    print(f"\nResults (median of {args.repeat} fresh processes each; peak RSS = the highest run's; "
          "warm page cache; TensorFlow's import not counted in the times)\n")
    rows = [
        ["import tensorflow (tf_import_s; VmRSS after it = 'RSS before' below)",
         _s(med("unfreeze", "tf_import_s")), _spread([r["tf_import_s"] for r in runs["unfreeze"]]),
         "-", "-", "-", "-"],
        ["pbscope: open_model + unfreeze → checkpoint folder (unfreeze_s)", _s(unfreeze_s),
         _spread([r["total_s"] for r in runs["unfreeze"]]), C.mb(base), C.mb(peak), C.mb(above),
         f"{peak / size:.2f} ({above / size:.2f} above base)"],
        ["TF: convert_variables_to_constants + SerializeToString (freeze_s)", _s(freeze_s),
         _spread([r["total_s"] for r in runs["freeze"]]), C.mb(fbase), C.mb(fpeak),
         C.mb(fpeak - fbase), f"{fpeak / size:.2f}"],
    ]
    print(C.table(["method", "time s", "min–max s", "RSS before MiB", "peak RSS MiB",
                   "peak − before MiB", "peak/file"], rows, markdown=True))

    print("\nPhases of one unfreeze (seconds from the start of open_model; VmRSS MiB when the phase began)\n")
    phases = [("open_model", 0.0, u0["rss_base"])] + [(text, t, rss) for text, t, rss in u0["phases"]]
    prow = [[text, f"{t:.3f}", C.mb(rss)] for text, t, rss in phases]
    prow.append(["(returned)", f"{u0['total_s']:.3f}", C.mb(u0["rss_end"].get("VmRSS"))])
    print(C.table(["phase", "at s", "VmRSS MiB"], prow, markdown=True))
    print(f"\nfreeze phases (median s): load (import_meta_graph + restore, not counted) "
          f"{_s(med('freeze', 'load_s'))} · convert_variables_to_constants {_s(med('freeze', 'convert_s'))} · "
          f"SerializeToString {_s(med('freeze', 'serialize_s'))}")

    print(f"\nunfreeze: {u0['variables']} variables ({u0['trainable']} trainable, "
          f"{u0['non_trainable']} not), files: "
          + ", ".join(f"{k} {v:,} B" for k, v in sorted(files.items())))
    same = sum(1 for k, v in f0["crc"].items() if original.get(k) == v)
    ok = same == len(original) == len(f0["crc"])
    print(f"round trip: the re-frozen graph has {f0['ops']} ops (original {u0['ops']}), "
          f"{f0['bytes']:,} bytes (original {size:,}); {same}/{len(original)} weights identical "
          "to the original's (crc32)")

    r_time, r_rss, r_above = unfreeze_s / freeze_s, peak / size, above / size
    verdict = lambda ok_: "MET" if ok_ else "MISSED"  # noqa: E731
    print("\nRatios and targets")
    print(f"  unfreeze_s / freeze_s            = {r_time:6.2f}   target <= {TARGET_TIME_RATIO}   "
          f"{verdict(r_time <= TARGET_TIME_RATIO)}")
    print(f"  (peak RSS - import base) / file  = {r_above:6.2f}   target <= {TARGET_RSS_RATIO}   "
          f"{verdict(r_above <= TARGET_RSS_RATIO)}   (the target's measure: unfreeze's own memory)")
    print(f"  peak RSS / file, TF included     = {r_rss:6.2f}   (> {TARGET_RSS_RATIO}: importing TensorFlow "
          f"alone takes {C.mb(base)} MiB = {base / size:.2f}x the file)")
    if not ok:
        print("  WARNING: the re-frozen graph's weights differ from the original's")
    if size < 100 * C.MB:
        print(f"  (the targets are meant for the 200 MiB graph: at {size / C.MB:.0f} MiB fixed costs dominate)")

    if args.json:
        Path(args.json).write_text(json.dumps(
            {"machine": m, "tensorflow": tf_version, "graph": str(path), "bytes": size, "meta": meta,
             "runs": {k: [{kk: vv for kk, vv in r.items() if kk != "crc"} for r in v]
                      for k, v in runs.items()},
             "ratios": {"unfreeze/freeze": r_time, "peak/file": r_rss, "above/file": r_above}},
            indent=1))

    print(f"\nRESULT unfreeze_s={unfreeze_s:.3f} freeze_s={freeze_s:.3f} peak_rss_mb={peak / C.MB:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(run_as_child(sys.argv[2:]))
    sys.exit(main())
