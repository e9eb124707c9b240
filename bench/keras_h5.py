"""Benchmark: open, export and browse a ~100 MB Keras .h5 (ResNet50, model.save) without Keras.

    python bench/keras_h5.py              # the model is made once (Keras) and cached in ~/.cache/pbscope-bench/
    python bench/keras_h5.py --regen      # make it again

Each figure comes from a fresh child process, the file in the page cache, best of --repeat:

* structure – the floor for opening: ``h5py.File`` and a walk of every group and dataset
              with all their attributes (``visititems`` + ``dict(obj.attrs)``); h5py imported
              before the clock starts.
* open      – ``open_model(path)`` and its scope tree (what the window shows first);
              pbscope imported before the clock starts. No value is read.
* export    – ``export_weights(g.weights, out, fmt)`` for pkl, npz, safetensors (one file each)
              and npy (a folder), atomic and fsynced, against the limit: the same arrays
              already in memory, ``np.save`` of each into one file (for the one-file formats)
              or into a file each (for npy), fsynced. Runs are interleaved, best of --repeat.
* browse    – peak RSS of a child that opens the model and previews (reads and summarises)
              its largest weight.

Targets: open_s ≤ 2 × structure_s; every export ≤ 1.5 × its np.save limit; browse RSS ≤
300 MB + the largest tensor. The last line is ``RESULT structure_s=… open_s=… open_ratio=…
<fmt>_s=… <fmt>_ratio=… … npsave_file_s=… npsave_folder_s=… browse_rss_mb=… largest_mb=…
file_mb=…``.
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

MODEL = C.CACHE / "keras_resnet50.h5"
TARGET_OPEN_RATIO = 2.0
TARGET_EXPORT_RATIO = 1.5
TARGET_BROWSE_MB = 300
EXPORT_FORMATS = ("pkl", "npz", "safetensors", "npy")


# ==========================================================================
# children
# ==========================================================================
def child_make(path: str) -> dict:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    here = Path(__file__).resolve().parent      # this file's name would shadow the keras package
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    import keras
    keras.utils.set_random_seed(0)
    model = keras.applications.ResNet50(weights=None)
    tmp = path + ".tmp.h5"
    model.save(tmp)
    os.replace(tmp, path)
    return {"params": int(model.count_params())}


def child_structure(path: str, repeat: int) -> dict:
    import h5py

    def walk():
        with h5py.File(path, "r") as f:
            seen = [dict(f.attrs)]
            f.visititems(lambda name, obj: seen.append(dict(obj.attrs)))
        return len(seen)

    return {"s": _best(walk, repeat)}


def child_open(path: str, repeat: int) -> dict:
    C.repo_on_path()
    from pbscope.core.formats import open_model

    def go():
        g = open_model(path)
        g.root
        return len(g.weights)

    return {"s": _best(go, repeat), "weights": go()}


def child_export(path: str, repeat: int, folder: str) -> dict:
    """Best time of each export format and of its np.save limit, runs interleaved so that
    other load on the machine hits them alike."""
    C.repo_on_path()
    import numpy as np

    from pbscope.core.export import export_weights
    from pbscope.core.formats import open_model
    g = open_model(path)
    arrays = [np.array(w.array()) for w in g.weights]

    def clear(dst):
        if os.path.isdir(dst):
            shutil.rmtree(dst)
        elif os.path.exists(dst):
            os.unlink(dst)

    def export(fmt):
        dst = os.path.join(folder, f"out.{fmt}")
        clear(dst)
        export_weights(g.weights, dst, fmt=fmt)

    def npsave_file():                  # every array into one file, fsynced
        with open(os.path.join(folder, "limit.npy"), "wb") as f:
            for a in arrays:
                np.save(f, a)
            f.flush()
            os.fsync(f.fileno())

    def npsave_folder():                # one file per array, each fsynced, as the npy export
        dst = os.path.join(folder, "limit")
        clear(dst)
        os.mkdir(dst)
        for i, a in enumerate(arrays):
            with open(os.path.join(dst, f"{i:05d}.npy"), "wb") as f:
                np.save(f, a)
                f.flush()
                os.fsync(f.fileno())
        fd = os.open(dst, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)

    runs = {fmt: (lambda fmt=fmt: export(fmt)) for fmt in EXPORT_FORMATS}
    runs.update(npsave_file=npsave_file, npsave_folder=npsave_folder)
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, fn in runs.items():
            best[name] = min(best[name], _best(fn, 1))
    return best


def child_browse(path: str) -> dict:
    C.repo_on_path()
    from pbscope.core.formats import open_model
    from pbscope.core.stats import summarize
    g = open_model(path)
    g.root
    w = max(g.weights, key=lambda w: w.nbytes)
    summarize(w.array())
    return {"peak_rss": C.peak_rss(), "largest": w.nbytes, "name": w.name}


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


# ==========================================================================
# parent
# ==========================================================================
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regen", action="store_true", help="make the cached model again")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        what, path, *rest = args.child
        if what == "make":
            C.emit(child_make(path))
        elif what == "structure":
            C.emit(child_structure(path, args.repeat))
        elif what == "open":
            C.emit(child_open(path, args.repeat))
        elif what == "export":
            C.emit(child_export(path, args.repeat, rest[0]))
        else:
            C.emit(child_browse(path))
        return 0

    me = str(Path(__file__).resolve())
    C.CACHE.mkdir(parents=True, exist_ok=True)
    if args.regen or not MODEL.exists():
        print(f"making {MODEL} with Keras (ResNet50, random weights)…", flush=True)
        C.run_child([me, "--child", "make", str(MODEL)])
    size = MODEL.stat().st_size
    C.warm_page_cache(MODEL)
    rep = ["--repeat", str(args.repeat)]
    structure = C.run_child([me, *rep, "--child", "structure", str(MODEL)])["s"]
    opened = C.run_child([me, *rep, "--child", "open", str(MODEL)])
    with tempfile.TemporaryDirectory(dir=C.CACHE) as folder:
        exp = C.run_child([me, *rep, "--child", "export", str(MODEL), folder])
    browse = C.run_child([me, "--child", "browse", str(MODEL)])

    open_ratio = opened["s"] / structure
    limit = {fmt: exp["npsave_folder"] if fmt == "npy" else exp["npsave_file"] for fmt in EXPORT_FORMATS}
    ratio = {fmt: exp[fmt] / limit[fmt] for fmt in EXPORT_FORMATS}
    browse_mb = browse["peak_rss"] / C.MB
    largest_mb = browse["largest"] / C.MB
    rows = [["open (no values read)", f"{opened['s']:.3f} s", f"{open_ratio:.2f}× structure ({structure:.3f} s)",
             f"≤ {TARGET_OPEN_RATIO}×", _ok(open_ratio <= TARGET_OPEN_RATIO)]]
    for fmt in EXPORT_FORMATS:
        what = "np.save, a file per array" if fmt == "npy" else "np.save, one file"
        rows.append([f"export {fmt}", f"{exp[fmt]:.3f} s", f"{ratio[fmt]:.2f}× {what} ({limit[fmt]:.3f} s)",
                     f"≤ {TARGET_EXPORT_RATIO}×", _ok(ratio[fmt] <= TARGET_EXPORT_RATIO)])
    rows.append(["browse peak RSS", f"{browse_mb:.0f} MB", f"largest tensor {largest_mb:.1f} MB ({browse['name']})",
                 f"≤ {TARGET_BROWSE_MB} MB + largest", _ok(browse_mb <= TARGET_BROWSE_MB + largest_mb)])
    print(f"{MODEL} ({size / C.MB:.1f} MB, {opened['weights']} weights)")
    print(C.table(["", "time / size", "against", "target", ""], rows))
    print(f"RESULT structure_s={structure:.4f} open_s={opened['s']:.4f} open_ratio={open_ratio:.2f} "
          + " ".join(f"{fmt}_s={exp[fmt]:.3f} {fmt}_ratio={ratio[fmt]:.2f}" for fmt in EXPORT_FORMATS)
          + f" npsave_file_s={exp['npsave_file']:.3f} npsave_folder_s={exp['npsave_folder']:.3f}"
          f" browse_rss_mb={browse_mb:.1f} largest_mb={largest_mb:.1f} file_mb={size / C.MB:.1f}")
    return 0


def _ok(good: bool) -> str:
    return "ok" if good else "MISSED"


if __name__ == "__main__":
    sys.exit(main())
