"""Benchmark: open, export and browse a ~100 MB .tflite made by TFLiteConverter.

    python bench/tflite.py                 # ~100 MB model, cached in ~/.cache/pbscope-bench/
    python bench/tflite.py --size-mb 10    # a quick check
    python bench/tflite.py --regen         # rebuild the cached model

The model is a Keras MLP (Dense 512 → 512, repeated) converted to float32 TFLite. Each
measurement runs in a fresh child process, the file already in the page cache:

* open      – ``open_model(path)``: the flatbuffer walked, ops, weights and notes built.
* structure – the floor: the same tables walked with the same runtime and generated
              accessors (operator codes; every buffer's data length, offset and size; each
              subgraph's tensors with name, shape, type, buffer and quantization; each
              operator's code and input/output vectors), nothing built, no values read.
              Target: open ≤ 2× structure (median of --repeat runs after one warm-up).
* export    – ``export_weights`` of every weight to a .npy folder and to safetensors,
              against the limit: ``np.save`` of the same arrays (already in hand) to one
              file each, fsynced as pbscope's are. Median of 3. Target: ≤ 1.5× the limit.
* browse    – open, build the scope tree, every op's attributes, and the preview's
              statistics of the largest weight. Target: peak RSS ≤ 300 MB + that tensor.

The last line is ``RESULT open_s=… structure_s=… open_ratio=… npy_s=… safetensors_s=…
np_save_s=… export_ratio=… browse_peak_mb=…``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

WIDTH = 512
OPEN_RATIO, EXPORT_RATIO, BROWSE_MB = 2.0, 1.5, 300


def ensure_model(size_mb: float, regen: bool) -> Path:
    layers = max(1, round(size_mb * C.MB / 4 / (WIDTH * WIDTH + WIDTH)))
    path = C.CACHE / f"mlp_{layers}x{WIDTH}.tflite"
    if path.exists() and not regen:
        return path
    C.CACHE.mkdir(parents=True, exist_ok=True)
    print(f"making {path} ({layers} Dense layers of {WIDTH}) with TFLiteConverter…", flush=True)
    C.run_child([__file__, "--make", str(path), str(layers)], timeout=3600)
    return path


def make(path: str, layers: int) -> None:
    import numpy as np
    import tensorflow as tf
    keras = tf.keras
    keras.utils.set_random_seed(0)
    x = inp = keras.Input((WIDTH,))
    for i in range(layers):
        x = keras.layers.Dense(WIDTH, activation="relu", name=f"dense_{i:03d}")(x)
    data = tf.lite.TFLiteConverter.from_keras_model(keras.Model(inp, x)).convert()
    tmp = path + ".tmp"
    Path(tmp).write_bytes(data)
    os.replace(tmp, path)
    C.emit({"bytes": len(data), "layers": layers, "np": np.__version__})


# -- children ------------------------------------------------------------------------

def walk_structure(path: str) -> int:
    """The floor for opening: every table pbscope's reader reads, read and dropped."""
    from pbscope.core.formats.tflite import map_file
    from pbscope.core.formats.tflite_schema import Model
    buf = map_file(path)
    m = Model.GetRootAs(buf, 0)
    n = 0
    for i in range(m.OperatorCodesLength()):
        c = m.OperatorCodes(i)
        n += c.BuiltinCode() + c.DeprecatedBuiltinCode() + len(c.CustomCode() or b"")
    for i in range(m.BuffersLength()):
        b = m.Buffers(i)
        n += b.DataLength() + b.Offset() + b.Size()
    for s in range(m.SubgraphsLength()):
        g = m.Subgraphs(s)
        g.Name()
        for i in range(g.TensorsLength()):
            t = g.Tensors(i)
            t.Name(), t.ShapeAsNumpy(), t.Type(), t.Buffer(), t.IsVariable()
            q = t.Quantization()
            if q is not None:
                q.ScaleAsNumpy(), q.ZeroPointAsNumpy()
            n += 1
        for i in range(g.OperatorsLength()):
            o = g.Operators(i)
            o.OpcodeIndex(), o.InputsAsNumpy(), o.OutputsAsNumpy()
            n += 1
        g.InputsAsNumpy(), g.OutputsAsNumpy()
    return n


def child_time(mode: str, path: str, repeat: int) -> None:
    C.repo_on_path()
    from pbscope.core.formats import open_model
    fn = (lambda: open_model(path)) if mode == "open" else (lambda: walk_structure(path))
    fn()    # warm-up: imports, first page faults
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    C.emit({"median": C.median(times), "min": min(times)})


def child_export(mode: str, path: str, out: str) -> None:
    C.repo_on_path()
    import numpy as np
    from pbscope.core.export import export_weights
    from pbscope.core.formats import open_model
    g = open_model(path)
    if mode == "np.save":
        arrays = [(w.key, w.array()) for w in g.weights]
        os.mkdir(out)
        t = time.perf_counter()
        for i, (_, a) in enumerate(arrays):
            with open(os.path.join(out, f"{i:05d}.npy"), "wb") as f:
                np.save(f, a)
                f.flush()
                os.fsync(f.fileno())
        seconds = time.perf_counter() - t
    else:
        t = time.perf_counter()
        export_weights(g.weights, out, fmt=mode)
        seconds = time.perf_counter() - t
    C.emit({"seconds": seconds, "payload": g.nbytes, "count": len(g.weights)})


def child_browse(path: str) -> None:
    C.repo_on_path()
    from pbscope.core.formats import open_model
    from pbscope.core.stats import summarize
    base = C.rss().get("VmRSS", 0)
    g = open_model(path)
    g.root
    for op in g.ops:
        op.attrs
    largest = max(g.weights, key=lambda w: w.nbytes)
    summarize(largest.array())
    C.emit({"peak": C.peak_rss(), "base": base, "largest": largest.nbytes, "ops": len(g.ops),
            "weights": len(g.weights)})


# -- parent --------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=100.0)
    ap.add_argument("--regen", action="store_true")
    ap.add_argument("--repeat", type=int, default=15, help="timed runs of open and structure")
    ap.add_argument("--make", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.make:
        make(args.make[0], int(args.make[1]))
        return 0
    if args.child:
        kind, *rest = args.child
        {"time": lambda: child_time(rest[0], rest[1], int(rest[2])),
         "export": lambda: child_export(*rest), "browse": lambda: child_browse(*rest)}[kind]()
        return 0

    model = ensure_model(args.size_mb, args.regen)
    C.warm_page_cache(model)
    print(f"model: {model} ({C.mb(model.stat().st_size)} MiB); machine: {C.machine()}")
    t = {m: C.run_child([__file__, "--child", "time", m, str(model), str(args.repeat)])
         for m in ("structure", "open")}
    exports = {}
    with tempfile.TemporaryDirectory(prefix="pbscope-bench-tflite-") as tmp:
        for mode, name in (("np.save", "limit"), ("npy", "npy"), ("safetensors", "w.safetensors")):
            runs = []
            for _ in range(3):
                out = os.path.join(tmp, name)
                runs.append(C.run_child([__file__, "--child", "export", mode, str(model), out]))
                shutil.rmtree(out, ignore_errors=True) if os.path.isdir(out) else os.unlink(out)
            exports[mode] = dict(runs[0], seconds=C.median([r["seconds"] for r in runs]))
    browse = C.run_child([__file__, "--child", "browse", str(model)])

    open_ratio = t["open"]["median"] / t["structure"]["median"]
    limit = exports["np.save"]["seconds"]
    ratios = {m: exports[m]["seconds"] / limit for m in ("npy", "safetensors")}
    peak_mb = browse["peak"] / C.MB
    rows = [["structure walk (floor)", C.seconds(t["structure"]["median"]), C.seconds(t["structure"]["min"]),
             ""],
            ["open_model", C.seconds(t["open"]["median"]), C.seconds(t["open"]["min"]),
             f"{open_ratio:.2f}×"],
            ["np.save of the arrays (limit)", C.seconds(limit), "", ""],
            ["export .npy folder", C.seconds(exports["npy"]["seconds"]), "", f"{ratios['npy']:.2f}×"],
            ["export safetensors", C.seconds(exports["safetensors"]["seconds"]), "",
             f"{ratios['safetensors']:.2f}×"]]
    print()
    print(C.table(["run", "median s", "min s", "ratio"], rows))
    print(f"\n{browse['ops']:,} ops, {browse['weights']:,} weights, {C.mb(exports['npy']['payload'])} MiB of "
          f"values; largest tensor {C.mb(browse['largest'])} MiB")
    budget = BROWSE_MB + browse["largest"] / C.MB
    worst = max(ratios.values())
    checks = [(f"open {open_ratio:.2f}× the structure walk (≤ {OPEN_RATIO})", open_ratio <= OPEN_RATIO),
              (f"export {worst:.2f}× np.save (≤ {EXPORT_RATIO})", worst <= EXPORT_RATIO),
              (f"browse peak RSS {peak_mb:.1f} MiB (≤ {budget:.1f})", peak_mb <= budget)]
    for text, ok in checks:
        print(f"  {text:<52} {'MET' if ok else 'MISSED'}")
    print()
    print(f"RESULT open_s={t['open']['median']:.4f} structure_s={t['structure']['median']:.4f} "
          f"open_ratio={open_ratio:.2f} npy_s={exports['npy']['seconds']:.3f} "
          f"safetensors_s={exports['safetensors']['seconds']:.3f} np_save_s={limit:.3f} "
          f"export_ratio={worst:.2f} browse_peak_mb={peak_mb:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
