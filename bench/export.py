"""Benchmark: export every weight of the ~200 MB frozen graph to pkl, npz and safetensors.

    python bench/export.py                 # the ~200 MB graph bench/load.py generates and caches
    python bench/export.py --size-mb 20    # a quick check

For each format, two fresh child processes:

* pbscope – ``open_model`` then ``core.export.export_weights`` (atomic: temp file, fsync,
            rename). The weights are views of the memory-mapped model.
* limit   – the same arrays first copied into a prepared ``{key: ndarray}`` dict, then the
            library's own save of it: ``pickle.dump``, ``np.savez``, or
            ``safetensors.numpy.save_file``, followed by an fsync (pbscope fsyncs too).

Times cover the save only (not opening, not preparing the dict). Peak RSS is the child's
``ru_maxrss``; "above base" subtracts its RSS just before the save. Targets: time ≤ 1.5× the
limit; pickle peak ≤ 1.3× the payload above base; npz and safetensors peak ≤ the largest
tensor + 10 % above base (they stream tensor by tensor).
The last line is ``RESULT pickle_s=… pickle_limit_s=… npz_s=… npz_limit_s=… safetensors_s=…
safetensors_limit_s=…``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

FORMATS = ("pickle", "npz", "safetensors")
SUFFIX = {"pickle": ".pkl", "npz": ".npz", "safetensors": ".safetensors"}


def child(mode: str, fmt: str, model: str, out: str) -> None:
    C.repo_on_path()
    import numpy as np

    from pbscope.core.formats import open_model
    g = open_model(model)
    payload = sum(w.nbytes for w in g.weights)
    largest = max(w.nbytes for w in g.weights)
    if mode == "limit":
        prepared = {w.key: np.array(w.array()) for w in g.weights}
    base = C.rss().get("VmRSS", 0)
    t = time.perf_counter()
    if mode == "pbscope":
        from pbscope.core.export import export_weights
        export_weights(g.weights, out, fmt={"pickle": "pkl"}.get(fmt, fmt))
    elif fmt == "pickle":
        import pickle
        with open(out, "wb") as f:
            pickle.dump(prepared, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
    elif fmt == "npz":
        with open(out, "wb") as f:
            np.savez(f, **prepared)
            f.flush()
            os.fsync(f.fileno())
    else:
        from safetensors.numpy import save_file
        save_file(prepared, out)
        fd = os.open(out, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    seconds = time.perf_counter() - t
    C.emit({"seconds": seconds, "peak": C.peak_rss(), "base": base, "payload": payload,
            "largest": largest, "out_bytes": os.path.getsize(out)})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=200.0)
    ap.add_argument("--graph", help="benchmark this .pb instead of the generated one")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median; default 3)")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.graph:
        model = Path(args.graph)
    else:
        from load import ensure_graph
        model, _, _ = ensure_graph(args.size_mb, regen=False)
    size = model.stat().st_size
    C.warm_page_cache(model)
    print(f"model: {model} ({C.mb(size)} MiB); machine: {C.machine()}")
    results: dict[tuple[str, str], dict] = {}
    with tempfile.TemporaryDirectory(prefix="pbscope-bench-export-") as tmp:
        for fmt in FORMATS:
            for mode in ("limit", "pbscope"):
                runs = []
                for i in range(args.repeat):
                    out = os.path.join(tmp, f"{mode}-{i}{SUFFIX[fmt]}")
                    runs.append(C.run_child([__file__, "--child", mode, fmt, str(model), out]))
                    os.unlink(out)
                r = dict(runs[0])
                r["seconds"] = C.median([x["seconds"] for x in runs])
                r["peak"] = max(x["peak"] for x in runs)
                r["base"] = min(x["base"] for x in runs)
                results[(fmt, mode)] = r
    payload = results[("pickle", "pbscope")]["payload"]
    largest = results[("pickle", "pbscope")]["largest"]
    rows = []
    for (fmt, mode), r in results.items():
        above = r["peak"] - r["base"]
        rows.append([f"{fmt} {mode}", f"{r['seconds']:.3f}", C.mb(r["base"]), C.mb(r["peak"]), C.mb(above)])
    print()
    print(C.table(["run", "save s", "RSS before MiB", "peak RSS MiB", "above base MiB"], rows))
    print(f"\npayload {C.mb(payload)} MiB; largest tensor {C.mb(largest)} MiB; {args.repeat} runs each, median time")
    print()
    ok_all = True
    for fmt in FORMATS:
        p, lim = results[(fmt, "pbscope")], results[(fmt, "limit")]
        ratio = p["seconds"] / lim["seconds"]
        above = p["peak"] - p["base"]
        if fmt == "pickle":
            mem_ok, mem_text = above <= 1.3 * payload, f"peak above base {above / payload:.2f}× payload (≤ 1.3)"
        else:
            mem_ok = above <= 1.1 * largest
            mem_text = f"peak above base {C.mb(above)} MiB vs largest tensor +10% {C.mb(1.1 * largest)} MiB"
        ok = ratio <= 1.5 and mem_ok
        ok_all &= ok
        print(f"  {fmt:<12} time {ratio:.2f}× limit (≤ 1.5); {mem_text}   {'MET' if ok else 'MISSED'}")
    print()
    r = {f: results[(f, "pbscope")]["seconds"] for f in FORMATS}
    lim = {f: results[(f, "limit")]["seconds"] for f in FORMATS}
    print(f"RESULT pickle_s={r['pickle']:.3f} pickle_limit_s={lim['pickle']:.3f} npz_s={r['npz']:.3f} "
          f"npz_limit_s={lim['npz']:.3f} safetensors_s={r['safetensors']:.3f} "
          f"safetensors_limit_s={lim['safetensors']:.3f}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
