"""Benchmark: open, export and browse a ~100 MB TF.js layers model.

    python bench/tfjs.py                 # ~100 MB model, cached in ~/.cache/pbscope-bench/
    python bench/tfjs.py --size-mb 20    # a quick check
    python bench/tfjs.py --regen         # rebuild the cached model

The model is written here with numpy from the documented format: a model.json whose
modelTopology is a Keras 2 functional config (residual blocks of Conv2D 3×3 256→256 +
BatchNormalization + ReLU + Add, verbose layer configs as Keras writes them) and a
weightsManifest of float32 weights, cut into 4 MB shards as tfjs-converter does.

Each figure comes from a fresh child process, with the files in the page cache:

* open      – ``open_model(model.json)`` (best of --repeat, each from a collected heap: on
              a shared machine a few-ms figure is mostly scheduler noise above its best;
              medians are printed too), against ``json.load`` of the same model.json (its
              structure: the floor any reader pays). Target ≤ 2×.
* export    – ``export_weights`` of every weight to a folder of .npy files (fsynced), against
              ``np.save`` of the same arrays, already in memory, one file each (fsynced too).
              Target ≤ 1.5×.
* browse    – open, then every weight's values and statistics as the preview shows them;
              peak RSS (``ru_maxrss``). Target ≤ 300 MB plus the largest tensor.

The last line is ``RESULT open_s=… json_load_s=… open_ratio=… export_s=… np_save_s=…
export_ratio=… browse_peak_rss_mb=… largest_tensor_mb=…``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

TARGET_OPEN_RATIO = 2.0
TARGET_EXPORT_RATIO = 1.5
TARGET_RSS_MB = 300
CHANNELS = 256
SHARD = 4 << 20


# ==========================================================================
# the model
# ==========================================================================
def _init(kind: str) -> dict:
    return {"class_name": kind, "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform",
                                           "seed": None} if kind == "VarianceScaling" else {}}


def _layer(cls: str, name: str, inputs: list[str], **config) -> dict:
    config = {"name": name, "trainable": True, "dtype": "float32", **config}
    return {"class_name": cls, "name": name, "config": config,
            "inbound_nodes": [[[i, 0, 0, {}] for i in inputs]] if inputs else []}


def make_model(folder: Path, size_mb: float) -> None:
    """model.json + group1-shard*of*.bin: ~size_mb of float32 weights."""
    import numpy as np
    kernel = 9 * CHANNELS * CHANNELS * 4
    blocks = max(1, round(size_mb * C.MB / kernel))
    layers = [_layer("InputLayer", "input_1", [], batch_input_shape=[None, 32, 32, CHANNELS], sparse=False)]
    weights: list[tuple[str, tuple[int, ...]]] = []
    prev = "input_1"
    conv = dict(filters=CHANNELS, kernel_size=[3, 3], strides=[1, 1], padding="same",
                data_format="channels_last", dilation_rate=[1, 1], activation="linear", use_bias=True,
                kernel_initializer=_init("VarianceScaling"), bias_initializer=_init("Zeros"),
                kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                kernel_constraint=None, bias_constraint=None)
    bn = dict(axis=[3], momentum=0.99, epsilon=0.001, center=True, scale=True,
              beta_initializer=_init("Zeros"), gamma_initializer=_init("Ones"),
              moving_mean_initializer=_init("Zeros"), moving_variance_initializer=_init("Ones"),
              beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None)
    for b in range(blocks):
        c, n, r, a = f"block{b}_conv", f"block{b}_bn", f"block{b}_relu", f"block{b}_add"
        layers += [_layer("Conv2D", c, [prev], **conv), _layer("BatchNormalization", n, [c], **bn),
                   _layer("ReLU", r, [n], max_value=None, negative_slope=0.0, threshold=0.0),
                   _layer("Add", a, [r, prev])]
        weights += [(f"{c}/kernel", (3, 3, CHANNELS, CHANNELS)), (f"{c}/bias", (CHANNELS,))]
        weights += [(f"{n}/{role}", (CHANNELS,)) for role in ("gamma", "beta", "moving_mean", "moving_variance")]
        prev = a
    layers += [_layer("GlobalAveragePooling2D", "pool", [prev], data_format="channels_last"),
               _layer("Dense", "predictions", ["pool"], units=1000, activation="softmax", use_bias=True,
                      kernel_initializer=_init("VarianceScaling"), bias_initializer=_init("Zeros"))]
    weights += [("predictions/kernel", (CHANNELS, 1000)), ("predictions/bias", (1000,))]

    folder.mkdir(parents=True, exist_ok=True)
    total = sum(4 * int(np.prod(s)) for _, s in weights)
    count = -(-total // SHARD)
    paths = [f"group1-shard{i + 1}of{count}.bin" for i in range(count)]
    rng = np.random.default_rng(0)
    blob = bytearray()
    written = 0
    for _, shape in weights:
        blob += rng.standard_normal(shape, dtype=np.float32).tobytes()
        while len(blob) >= SHARD:
            (folder / paths[written]).write_bytes(bytes(blob[:SHARD]))
            del blob[:SHARD]
            written += 1
    if blob:
        (folder / paths[written]).write_bytes(bytes(blob))
    topology = {"keras_version": "2.4.0", "backend": "tensorflow", "model_config": {
        "class_name": "Functional", "config": {"name": "resnet", "layers": layers,
                                               "input_layers": [["input_1", 0, 0]],
                                               "output_layers": [["predictions", 0, 0]]}}}
    manifest = [{"paths": paths, "weights": [{"name": n, "shape": list(s), "dtype": "float32"}
                                             for n, s in weights]}]
    doc = {"format": "layers-model", "generatedBy": "bench/tfjs.py", "convertedBy": None,
           "modelTopology": topology, "weightsManifest": manifest}
    (folder / "model.json").write_text(json.dumps(doc))


# ==========================================================================
# children
# ==========================================================================
def child_open(model: str, repeat: int) -> dict:
    """Each timed open starts from a collected heap, as a user's first open does: the
    previous Graph (its ops point back at it) is collected before, not during, the next."""
    import gc
    C.repo_on_path()
    from pbscope.core.formats import open_model
    open_model(model)   # warm: imports, first-use caches
    loads, opens = [], []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        with open(model, "rb") as f:
            doc = json.load(f)
        loads.append(time.perf_counter() - t)
        del doc
        gc.collect()
        t = time.perf_counter()
        g = open_model(model)
        opens.append(time.perf_counter() - t)
    return {"open_s": min(opens), "json_load_s": min(loads), "open_median_s": C.median(opens),
            "json_load_median_s": C.median(loads), "opens": opens, "loads": loads,
            "ops": len(g.ops), "weights": len(g.weights), "nbytes": g.nbytes}


def _fsync_tree(folder: str) -> None:
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as f:
            os.fsync(f.fileno())


def child_export(model: str, mode: str, out: str) -> dict:
    C.repo_on_path()
    import numpy as np

    from pbscope.core.formats import open_model
    g = open_model(model)
    if mode == "np_save":
        prepared = {w.key: np.array(w.array()) for w in g.weights}
        os.makedirs(out)
    t = time.perf_counter()
    if mode == "pbscope":
        from pbscope.core.export import export_weights
        export_weights(g.weights, out, fmt="npy")
    else:
        for i, (k, a) in enumerate(prepared.items()):
            np.save(os.path.join(out, f"{i:05d}.npy"), a)
        _fsync_tree(out)
    return {"s": time.perf_counter() - t, "bytes": g.nbytes}


def child_browse(model: str) -> dict:
    C.repo_on_path()
    from pbscope.core.formats import open_model
    from pbscope.core.stats import tensor_stats
    base = C.rss().get("VmRSS", 0)
    g = open_model(model)
    opened = C.rss().get("VmRSS", 0)
    for w in g.weights:
        tensor_stats(w.array())
    return {"rss_base": base, "rss_open": opened, "peak_rss": C.peak_rss(), "rss_end": C.rss(),
            "largest": max(w.nbytes for w in g.weights)}


# ==========================================================================
# parent
# ==========================================================================
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Open, export and browse a ~100 MB TF.js layers model.")
    ap.add_argument("--size-mb", type=float, default=100.0, help="weights in MB (default 100)")
    ap.add_argument("--regen", action="store_true", help="rebuild the model even if cached")
    ap.add_argument("--repeat", type=int, default=21, help="timed opens per child (default 21)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        kind, rest = args.child[0], args.child[1:]
        result = {"open": lambda: child_open(rest[0], int(rest[1])),
                  "export": lambda: child_export(*rest),
                  "browse": lambda: child_browse(rest[0])}[kind]()
        C.emit(result)
        return 0

    folder = C.CACHE / f"tfjs_{args.size_mb:g}mb"
    model = folder / "model.json"
    if args.regen or not model.exists():
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        make_model(folder, args.size_mb)
        print(f"wrote {folder} in {time.perf_counter() - t:.1f} s")
    for p in folder.iterdir():
        C.warm_page_cache(p)
    me = str(Path(__file__).resolve())

    o = C.run_child([me, "--child", "open", str(model), str(args.repeat)])
    with tempfile.TemporaryDirectory(dir=C.CACHE) as tmp:
        ex = C.run_child([me, "--child", "export", str(model), "pbscope", os.path.join(tmp, "pbscope")])
        ns = C.run_child([me, "--child", "export", str(model), "np_save", os.path.join(tmp, "np_save")])
    br = C.run_child([me, "--child", "browse", str(model)])

    open_ratio = o["open_s"] / o["json_load_s"]
    export_ratio = ex["s"] / ns["s"]
    peak = br["peak_rss"] / C.MB
    largest = br["largest"] / C.MB
    print(f"model    {model}: {o['ops']} ops, {o['weights']} weights, {C.mb(o['nbytes'])} MB, "
          f"model.json {C.mb(model.stat().st_size)} MB")
    print(C.table(["figure", "pbscope", "floor", "ratio", "target"], [
        ["open (s)", f"{o['open_s']:.4f}", f"{o['json_load_s']:.4f} json.load",
         f"{open_ratio:.2f}", f"≤ {TARGET_OPEN_RATIO}"],
        ["export npy (s)", C.seconds(ex["s"]), C.seconds(ns["s"]) + " np.save",
         f"{export_ratio:.2f}", f"≤ {TARGET_EXPORT_RATIO}"],
        ["browse peak RSS (MB)", f"{peak:.1f}", "-", "-", f"≤ {TARGET_RSS_MB} + {largest:.1f}"],
    ]))
    print(f"open median {o['open_median_s']:.4f} s, spread {C.spread(o['opens'])} s; json.load median "
          f"{o['json_load_median_s']:.4f} s, spread {C.spread(o['loads'])} s; "
          f"browse RSS base {C.mb(br['rss_base'])} MB, after open {C.mb(br['rss_open'])} MB")
    print(f"RESULT open_s={o['open_s']:.4f} json_load_s={o['json_load_s']:.4f} open_ratio={open_ratio:.2f} "
          f"export_s={ex['s']:.3f} np_save_s={ns['s']:.3f} export_ratio={export_ratio:.2f} "
          f"browse_peak_rss_mb={peak:.1f} largest_tensor_mb={largest:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
