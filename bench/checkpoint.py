"""Benchmark: open a ~1 GB TF1 checkpoint (.meta + .index + data) and browse it.

    python bench/checkpoint.py               # ~1 GiB, generated once in ~/.cache/pbscope-bench/
    python bench/checkpoint.py --size-mb 100 # a quick check

Each figure comes from a fresh child process, the files warm in the page cache:

* read   – the floor: read the .meta and .index, parse the .meta with protobuf's compiled
           parser and every index entry (BundleEntryProto) likewise.
* tf     – for reference, what TensorFlow needs to list them: import_meta_graph +
           list_variables (TF's import not counted).
* open   – pbscope's ``open_model(prefix)``: graph from the .meta, variables listed from the
           .index, no values read.
* browse – open, build the scope tree, then preview the largest tensor as the window does
           (values, statistics, histogram); peak RSS of that child.

Targets: open ≤ 2× read; browsing RSS ≤ 300 MB plus the largest previewed tensor.
The last line is ``RESULT open_s=<s> read_s=<s> browse_peak_rss_mb=<MB> largest_tensor_mb=<MB>``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

VERSION = 2


def generate(size_mb: float, prefix: Path) -> None:
    """TF1 graph mode: a stack of big matrices and biases, one Adam step, Saver.save."""
    import os
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np
    import tensorflow as tf
    v1 = tf.compat.v1
    n_layers = 16
    width = int((size_mb * C.MB / 3 / n_layers / 4) ** 0.5)   # weights + two Adam slots = size_mb
    with tf.Graph().as_default() as g:
        v1.set_random_seed(0)
        x = v1.placeholder(tf.float32, [None, width], name="x")
        h = x
        with v1.variable_scope("model", use_resource=False):
            for i in range(n_layers):
                with v1.variable_scope(f"layer_{i}"):
                    # random initializers, as training scripts use: the .meta stays small
                    w = v1.get_variable("kernel", [width, width], initializer=v1.random_normal_initializer(0, 0.01))
                    b = v1.get_variable("bias", [width], initializer=v1.zeros_initializer())
                    h = tf.nn.relu(tf.matmul(h, w) + b)
        loss = tf.reduce_mean(h)
        train = v1.train.AdamOptimizer().minimize(loss, global_step=v1.train.get_or_create_global_step())
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(train, {x: np.ones((1, width), np.float32)})
            v1.train.Saver().save(sess, str(prefix))


def child(mode: str, prefix: str) -> None:
    """Imports first, then the timed work, repeated ``REPEAT`` times in the process (median)."""
    C.repo_on_path()
    if mode == "tf":
        import os
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf

        def work():
            with tf.Graph().as_default():
                tf.compat.v1.train.import_meta_graph(prefix + ".meta")
            return tf.train.list_variables(prefix)
        C.emit({"seconds": _median_time(work), "peak": C.peak_rss()})
        return
    from pbscope.core import proto
    from pbscope.core.formats import open_model
    from pbscope.core.formats.tensorbundle import _table_records
    if mode == "read":
        def work():
            with open(prefix + ".meta", "rb") as f:
                proto.MetaGraphDef.FromString(f.read())
            with open(prefix + ".index", "rb") as f:
                return [proto.BundleEntryProto.FromString(v) for k, v in _table_records(f.read()) if k]
        C.emit({"seconds": _median_time(work), "peak": C.peak_rss()})
        return
    if mode == "open":
        open_model(prefix)   # warm the code paths once, as the read child's first call does too
        C.emit({"seconds": _median_time(lambda: open_model(prefix)), "peak": C.peak_rss(),
                "ops": len(open_model(prefix).ops), "weights": len(open_model(prefix).weights),
                "extra": len(open_model(prefix).extra_weights)})
        return
    t = time.perf_counter()
    g = open_model(prefix)
    out = {"seconds": time.perf_counter() - t}
    if mode == "browse":
        import numpy as np

        from pbscope.core.stats import tensor_stats
        g.root
        w = max(g.weights, key=lambda w: w.nbytes)
        a = w.array()
        stats = tensor_stats(a)
        flat = a.reshape(-1)
        np.histogram(flat[np.isfinite(flat)], bins=100)
        out.update(largest=w.nbytes, browse_s=time.perf_counter() - t, mean=stats["mean"])
    out["peak"] = C.peak_rss()
    C.emit(out)


REPEAT = 21


def _median_time(work) -> float:
    work()
    times = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        work()
        times.append(time.perf_counter() - t)
    return C.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=1024.0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.generate:
        generate(float(args.generate[0]), Path(args.generate[1]))
        C.emit({})
        return 0
    if args.child:
        child(*args.child)
        return 0
    tag = f"{args.size_mb:g}".replace(".", "_")
    folder = C.CACHE / f"ckpt_v{VERSION}_{tag}mb"
    prefix = folder / "model.ckpt"
    if not (folder / "checkpoint").exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"generating a ~{args.size_mb:g} MiB checkpoint in {folder} (TensorFlow, one time) ...", flush=True)
        # in a child: TensorFlow's memory must not count in the children measured below
        C.run_child([__file__, "--generate", str(args.size_mb), str(prefix)], timeout=3600)
    files = sorted(folder.iterdir())
    total = sum(f.stat().st_size for f in files)
    for f in files:
        C.warm_page_cache(f)
    print(f"checkpoint {prefix}: {C.mb(total)} MiB in {len(files)} files; machine {C.machine()}")
    runs = {m: [C.run_child([__file__, "--child", m, str(prefix)]) for _ in range(args.repeat)]
            for m in ("read", "open", "browse")}
    runs["tf"] = [C.run_child([__file__, "--child", "tf", str(prefix)])]
    read_s = C.median([r["seconds"] for r in runs["read"]])
    open_s = C.median([r["seconds"] for r in runs["open"]])
    browse = runs["browse"]
    peak = max(r["peak"] for r in browse)
    largest = browse[0]["largest"]
    print()
    print(C.table(["child", "time s (median)", "peak RSS MiB"], [
        ["read + parse .meta and .index (protobuf)", f"{read_s:.4f}", C.mb(max(r['peak'] for r in runs['read']))],
        ["TF: import_meta_graph + list_variables", f"{runs['tf'][0]['seconds']:.4f}", C.mb(runs['tf'][0]['peak'])],
        ["pbscope open_model(prefix)", f"{open_s:.4f}", C.mb(max(r['peak'] for r in runs['open']))],
        ["open + tree + preview largest tensor", f"{C.median([r['browse_s'] for r in browse]):.4f}", C.mb(peak)],
    ]))
    r = runs["open"][0]
    print(f"\ntimes are medians of {REPEAT} calls in each child after one warm-up call, imports excluded")
    print(f"\n{r['ops']} ops, {r['weights']} weights, {r['extra']} kept apart (optimizer state); "
          f"largest tensor {C.mb(largest)} MiB; {args.repeat} runs each")
    ok1 = open_s <= 2 * read_s
    ok2 = peak <= 300 * C.MB + largest
    print(f"  open / read = {open_s / read_s:.2f}   target <= 2   {'MET' if ok1 else 'MISSED'}")
    print(f"  browse peak RSS {C.mb(peak)} MiB <= 300 + {C.mb(largest)} MiB   {'MET' if ok2 else 'MISSED'}")
    print()
    print(f"RESULT open_s={open_s:.4f} read_s={read_s:.4f} browse_peak_rss_mb={peak / C.MB:.1f} "
          f"largest_tensor_mb={largest / C.MB:.1f}")
    return 0 if ok1 and ok2 else 1


if __name__ == "__main__":
    sys.exit(main())
