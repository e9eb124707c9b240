"""The command line: ``pbscope info|ls|show|export …`` (``python main.py …`` in a clone).
Thin: parse, call core, print.

Exit codes: 0 success; 1 bad input, with one line ``pbscope: error: <path>: <cause>``
on stderr; 2 bad usage (argparse). ``-v`` adds pbscope's log records on stderr (``-vv``:
debug ones too); without it, stderr holds that one line at most.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import logging
import re
import sys
import time

from .errors import PbscopeError
from .limits import bytes_text
from .model import KEY_ALIASES, KEY_STYLES, Graph, Weight

log = logging.getLogger(__name__)

PROG = "pbscope"


def human_bytes(n: int) -> str:
    """Never raises, whatever the value (a hostile shape's byte count can be 2**200)."""
    return bytes_text(n)


def _open(path: str) -> Graph:
    from .formats import open_model
    return open_model(path)


# -- info -----------------------------------------------------------------------

def cmd_info(args) -> int:
    from .summary import Summary
    summary = Summary.of(_open(args.path))       # the window's model page reads the same
    if args.json:
        _print_json(summary.as_dict())
        return 0
    for line in summary.lines():
        print(line)
    return 0


# -- ls -------------------------------------------------------------------------

def _weight_fields(w: Weight) -> dict:
    return {"key": w.key, "shape": list(w.shape) if w.shape is not None else None,
            "dtype": w.dtype_name, "bytes": w.nbytes}


def cmd_ls(args) -> int:
    """The ops the window's filter matches (its rules: core.filter), with their weights."""
    from .filter import FilterIndex, match_rows
    g = _open(args.path)
    t0 = time.perf_counter()
    index = FilterIndex(g)
    try:
        rows_of = match_rows(index, text=args.filter or "", regex=args.regex or "", glob=args.glob or "",
                             op_type=args.op or "", weights_only=args.weights)
    except re.error as e:
        flag, pattern = ("--regex", args.regex) if args.regex and _bad_regex(args.regex) else ("--glob", args.glob)
        raise PbscopeError(None, f"{flag} {pattern!r}: {e}") from None
    log.debug("ls: %d of %d ops match in %.3f s", len(rows_of), index.total, time.perf_counter() - t0)
    if args.all_consts:
        by_op = {c.name: c for c in g.constants}
        names = index.names
        rows_of = [i for i in rows_of.tolist() if names[i] in by_op]
    else:
        by_op = {w.name: w for w in g.weights + g.extra_weights}
    all_ops = g.all_ops
    ops = [all_ops[int(i)] for i in rows_of]     # Op objects for the listed rows only
    kept_apart = {w.name for w in g.extra_weights}
    rows = []
    for op in ops:
        row = {"name": op.name, "op": op.type}
        w = by_op.get(op.name)
        if w is not None:
            row.update(_weight_fields(w))
            if w.name in kept_apart:
                row["kept_apart"] = True     # optimizer state: not exported unless selected
        rows.append(row)
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        return 0
    width = min(max(len(r["name"]) for r in rows), 80)
    twidth = max(len(r["op"]) for r in rows)
    for r in rows:
        line = f"{r['name']:<{width}}  {r['op']:<{twidth}}"
        if "key" in r:
            shape = "?" if r["shape"] is None else "[" + ",".join(map(str, r["shape"])) + "]"
            line += f"  {r['dtype']:<8} {shape:<18} {human_bytes(r['bytes']):>10}  {r['key']}"
        print(line.rstrip())
    return 0


def _bad_regex(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return True
    return False


# -- show -----------------------------------------------------------------------

def _resolve(g: Graph, name: str) -> Weight | None:
    w = g.find_weight(name)
    if w is None and name.endswith("/read"):
        w = g.find_weight(name[: -len("/read")])
    return w


def cmd_show(args) -> int:
    """A weight's shape, statistics and first values: the figures and the histogram bins of
    the window's preview (core.preview), as text or JSON."""
    import numpy as np

    from .preview import histogram, stats_text
    from .stats import first_values, number, summarize
    g = _open(args.path)
    w = _resolve(g, args.name)
    if w is None:
        op = g.get(args.name)
        if op is None:
            raise PbscopeError(g.path, f"no op, weight or key named {args.name!r}")
        return _show_op(op, args.json)
    t0 = time.perf_counter()
    try:
        a = w.array()
    except PbscopeError as e:
        raise PbscopeError(g.path, e.cause) from None
    st = summarize(a)
    text = stats_text(st)
    hist, hist_note = histogram(st.finite, st.min, st.max, counts=st.counts) if args.hist and st.finite is not None \
        else (None, "")
    log.debug("show %s: decoded and summed up in %.3f s", w.name, time.perf_counter() - t0)
    out = {"name": w.name, "key": w.key, "shape": list(a.shape), "dtype": w.dtype_name,
           "min": st.min, "max": st.max, "mean": st.mean, "std": st.std,
           "zeros": st.zeros, "nan": st.nan, "inf": st.inf,
           "values": first_values(a, args.values)}
    if st.note:
        out["note"] = st.note
    if w.dtype is not None and w.dtype.quantized:
        out["quantized"] = True
    q = w.quant
    if q is not None:
        out["quantization"] = {"scale": np.asarray(q.scale).tolist(), "axis": q.axis, "note": q.note,
                               "zero_point": np.asarray(q.zero_point).tolist()}
    if args.hist:
        out["histogram"] = None if hist is None else {"counts": hist[0].tolist(), "edges": hist[1].tolist(),
                                                      "of": hist_note}
    if args.json:
        _print_json(out)
        return 0
    print(f"name    {w.name}")
    print(f"key     {w.key}")
    print(f"op      {w.op.type if w.op else '-'}{'  (' + w.role + ')' if w.role else ''}")
    q = "  (quantized)" if out.get("quantized") else ""
    print(f"shape   {list(a.shape)}   dtype {w.dtype_name}{q}   {text['elements']} values, {human_bytes(a.nbytes)}")
    if w.quant is not None:
        print(f"quant   {w.quant.summary()}")
    if st.note:
        print(f"note    {st.note}")
    if "min" in text:       # the preview's figures, as it shows them
        print(f"min     {text['min']}   max {text['max']}")
        print(f"mean    {text['mean']}   std {text['std']}")
        print(f"zeros   {st.zeros:,} ({text['zeros']})   nan {text['NaN']}   inf {text['Inf']}")
    else:
        print(f"zeros   {st.zeros:,}")
    shown = ", ".join(_value(v) for v in out["values"])
    print(f"values  [{shown}{', …' if a.size > args.values else ''}]")
    if args.hist:
        if hist is None:
            print("histogram  no numeric values")
        else:
            counts, edges = hist
            print(f"histogram  {len(counts)} bins over {hist_note}")
            lo_w = max(len(number(e)) for e in edges)
            for c, lo, hi in zip(counts.tolist(), edges[:-1].tolist(), edges[1:].tolist()):
                print(f"  {number(lo):>{lo_w}} .. {number(hi):<{lo_w}}  {c:,}")
    return 0


def _value(v) -> str:
    """A first value as the preview's value table shows it."""
    from .preview import cell_text
    return cell_text(v) if isinstance(v, float) else str(v)


def _num(v) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _show_op(op, as_json: bool) -> int:
    from .stats import json_safe
    attrs = {k: json_safe(v) if not isinstance(v, bytes) else repr(v) for k, v in op.attrs.items()}
    out = {"name": op.name, "op": op.type, "device": op.device, "inputs": op.inputs,
           "control_inputs": op.control_inputs,
           "consumers": [c.name for c, _ in op.consumers], "attrs": attrs}
    if as_json:
        _print_json(out)
        return 0
    print(f"name      {op.name}")
    print(f"op        {op.type}")
    if op.device:
        print(f"device    {op.device}")
    print(f"inputs    {', '.join(op.inputs) or '(none)'}")
    if op.control_inputs:
        print(f"control   {', '.join(op.control_inputs)}")
    print(f"consumers {', '.join(out['consumers']) or '(none)'}")
    for k, v in attrs.items():
        print(f"attr      {k} = {v}")
    return 0


# -- export ---------------------------------------------------------------------

def select_weights(weights: list[Weight], select: list[str], exclude: list[str]) -> list[Weight]:
    """Globs match an op name, a key or a variable name; a scope glob ``a/b`` matches below it."""
    def hit(w: Weight, pats: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(n, p) or fnmatch.fnmatchcase(n, p.rstrip("/") + "/*")
                   for p in pats for n in (w.name, w.key, w.var_name))
    out = [w for w in weights if not select or hit(w, select)]
    return [w for w in out if not exclude or not hit(w, exclude)]


def cmd_export(args) -> int:
    from .export import default_export_path, export_weights
    g = _open(args.path)
    # optimizer slots and step counters are exported only when --select names them
    pool = g.weights + g.extra_weights if args.select else g.weights
    chosen = select_weights(pool, args.select or [], args.exclude or [])
    if not chosen:
        raise PbscopeError(g.path, "no weights match the --select/--exclude patterns")
    # without -o: <model>_weights.pkl beside the model, as the window's Export writes
    out = args.output or default_export_path(g.path, fmt=args.format or "pkl")
    report = export_weights(chosen, out, fmt=args.format, keys=args.keys, model_path=g.path,
                            dequantize=args.dequantize, stored=args.stored)
    if args.json:
        _print_json(report.as_dict())
    else:
        print(f"wrote {report.count} tensors ({human_bytes(report.nbytes)}) to {report.path} "
              f"in {report.seconds:.2f} s")
    return 0


# -- diff -----------------------------------------------------------------------

def cmd_diff(args) -> int:
    from .diff import diff
    report = diff(_open(args.a), _open(args.b))
    if args.json:
        _print_json(report.as_dict())
        return 0
    print(f"A  {report.a}\nB  {report.b}")
    for title, keys in (("only in A", report.only_a), ("only in B", report.only_b)):
        if keys:
            print(f"{title} ({len(keys)}):")
            for k in keys:
                print(f"  {k}")
    if report.mismatched:
        print(f"shape or dtype mismatches ({len(report.mismatched)}):")
        for d in report.mismatched:
            print(f"  {d.key}: A {d.a_dtype} {d.a_shape}  B {d.b_dtype} {d.b_shape}")
    if report.common:
        print(f"common tensors ({len(report.common)}), max abs diff:")
        width = min(max(len(d.key) for d in report.common), 80)
        for d in report.common:
            v = "—" if d.max_abs_diff is None else _num(d.max_abs_diff)
            flag = "" if d.equal is None else ("  equal" if d.equal else "  differs")
            print(f"  {d.key:<{width}}  {v}{flag}{'  ' + d.note if d.note else ''}")
    print(report.summary)
    return 0


# -- restore --------------------------------------------------------------------

def cmd_restore(args) -> int:
    from .restore import apply_restore, plan_restore
    if not args.dry_run and not args.output:
        raise PbscopeError(None, "restore needs -o OUT (or --dry-run for the plan only)")
    source = _open(args.source)
    maps = []
    for m in args.map or []:
        old, sep, new = m.partition("=")
        if not sep:
            raise PbscopeError(None, f"--map {m!r}: expected OLD=NEW")
        maps.append((old, new))
    t0 = time.perf_counter()
    plan = plan_restore(source, args.into, maps=maps, excludes=args.exclude or [],
                        except_last=args.except_last)
    log.info("restore: planned %s into %s in %.2f s", source.path, args.into, time.perf_counter() - t0)
    if args.json:
        out = {"plan": plan.as_dict()}
    else:
        print(plan.table())
    failed = args.strict and not plan.strict_ok
    result = None
    if not args.dry_run and not failed:
        t0 = time.perf_counter()
        result = apply_restore(plan, args.output, force=args.force)
        log.info("restore: wrote %s in %.2f s", args.output, time.perf_counter() - t0)
    if args.json:
        if result is not None:
            out["result"] = result.as_dict()
        out.update({k: out["plan"][k] for k in ("matched", "mismatched", "missing", "skipped", "unused")})
        _print_json(out)
    elif result is not None:
        print(result.summary())
    if failed:
        raise PbscopeError(args.into, plan.strict_failure())
    return 0


# -- unfreeze -------------------------------------------------------------------

def cmd_unfreeze(args) -> int:
    from .unfreeze import unfreeze
    g = _open(args.path)
    chosen = select_weights(g.weights, args.select or [], args.exclude or [])
    if not chosen:
        raise PbscopeError(g.path, "no weights match the --select/--exclude patterns")
    report = unfreeze(g, args.output, weights=chosen, force=args.force)
    if args.json:
        _print_json(report.as_dict())
    else:
        print(report.summary())
    return 0


# -- graph ----------------------------------------------------------------------

def cmd_graph(args) -> int:
    from .graphview import ALL, build_view
    from .graphview.picture import picture_format, write_picture
    if args.output:
        picture_format(args.output)        # a wrong extension fails before the work
    g = _open(args.path)
    view = build_view(g, args.scope or "", ALL if args.all else (args.expand or ()),
                      direction=args.direction, constants=args.constants)
    if args.output:
        rasterize = RASTERIZER() if RASTERIZER is not None and args.output.lower().endswith(".png") else None
        write_picture(view, args.output, rasterize)
    if args.json:
        _print_json(view.to_json())
    else:
        print(f"drew {len(view.items):,} boxes and {len(view.edges):,} edges of "
              f"{view.scope or 'the top level'} to {args.output}")
    for note in view.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


# The window's PNG rasteriser, set by main.py (core never imports Qt): a callable that
# returns ``(svg_bytes, out_path) -> None`` when called, or None without Qt.
RASTERIZER = None


# -- plumbing -------------------------------------------------------------------

def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's usage errors: exit 2, one line plus usage
        self.print_usage(sys.stderr)
        self.exit(2, f"{PROG}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Inspect TensorFlow frozen graphs and get their weights out. "
                                       "Without a command, `pbscope [PATH]` opens the window.")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="print what pbscope does on stderr (-vv: in detail)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    verbose = _Parser(add_help=False)      # -v after the command works too
    verbose.add_argument("-v", "--verbose", dest="verbose_here", action="count", default=0,
                         help="print what pbscope does on stderr (-vv: in detail)")

    def command(name: str, **kw) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[verbose], **kw)

    s = command("info", help="format, op counts, inputs, outputs, weight totals")
    s.add_argument("path")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_info)

    s = command("ls", help="list ops (or weights, or constants)",
                       description="List the ops the window's filter matches: the same rules, so "
                                   "the same query lists the same ops. Every option given must match.")
    s.add_argument("path")
    s.add_argument("--filter", metavar="TEXT", help="substring of the op name (case-insensitive)")
    s.add_argument("--regex", metavar="RE",
                   help="regular expression searched in the op name (case-insensitive, "
                        "as in the window; it used to be case-sensitive)")
    s.add_argument("--glob", metavar="GLOB",
                   help="glob on name parts, case-insensitive: 'weights', 'Conv2d_1*', '*/BatchNorm/*'")
    s.add_argument("--op", metavar="TYPE", help="only ops of this type (e.g. Conv2D; any case)")
    s.add_argument("--weights", action="store_true", help="only ops that hold a weight")
    s.add_argument("--all-consts", action="store_true",
                   help="list Consts only, structural ones (shapes, axes, epsilons) too; the other "
                        "options narrow them (--weights: the weights among them)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ls)

    s = command("show", help="shape, dtype, statistics and first values of a weight")
    s.add_argument("path")
    s.add_argument("name", help="op name or export key (e.g. MobileNetV1/Conv2d_0/weights:0)")
    s.add_argument("--values", type=int, default=10, metavar="N", help="how many values to print")
    s.add_argument("--hist", action="store_true", help="the histogram's bins, as the window's preview draws them")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    s = command("export", help="write weights to .pkl, .npz, .safetensors or a .npy folder")
    s.add_argument("path")
    s.add_argument("-o", "--output", metavar="OUT",
                   help="where to write (default: MODEL_weights.pkl beside the model, the extension "
                        "per --format, as the window's Export)")
    s.add_argument("--select", action="append", metavar="GLOB", help="weights to export (repeatable)")
    s.add_argument("--exclude", action="append", metavar="GLOB", help="weights to leave out (repeatable)")
    s.add_argument("--format", choices=("pkl", "npz", "safetensors", "npy"))
    s.add_argument("--keys", choices=tuple(KEY_STYLES), default="tf1", type=lambda k: KEY_ALIASES.get(k, k),
                   help="tf1: scope/name:0 (as TF1's restore expects); var: scope/name")
    values = s.add_mutually_exclusive_group()
    values.add_argument("--dequantize", action="store_true",
                        help="quantized weights (TFLite) as float32 real values, not as stored")
    values.add_argument("--stored", action="store_true",
                        help="quantized TF.js weights as stored (uint8, uint16, float16), not as real values")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_export)

    s = command("diff", help="compare the weights of two models or weights files")
    s.add_argument("a", metavar="A")
    s.add_argument("b", metavar="B")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_diff)

    s = command("restore", help="restore weights into a model you choose, with a match report first")
    s.add_argument("source", help="a weights file (.pkl/.npz/.safetensors/npy folder) or any model pbscope opens")
    s.add_argument("--into", required=True, metavar="TARGET",
                   help="a TF1 checkpoint (prefix or folder with .meta), a builder file.py:function, "
                        "a Keras .keras/.h5 file, or a SavedModel folder")
    s.add_argument("-o", "--output", metavar="OUT", help="where to write the restored model")
    s.add_argument("--map", action="append", metavar="OLD=NEW",
                   help="rename source keys: a scope prefix, or a regex (repeatable)")
    s.add_argument("--exclude", action="append", metavar="SCOPE", help="target scopes to skip (repeatable)")
    s.add_argument("--except-last", action="store_true",
                   help="skip the target's final layer (a head to train anew)")
    s.add_argument("--strict", action="store_true",
                   help="fail if any trainable target variable is left unmatched")
    s.add_argument("--dry-run", action="store_true", help="print the plan only; write nothing")
    s.add_argument("--force", action="store_true", help="replace OUT if it exists")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_restore)

    s = command("graph", help="a picture of how the ops connect, scopes collapsed (SVG or PNG)")
    s.add_argument("path")
    s.add_argument("-o", "--output", metavar="OUT", help="OUT.svg or OUT.png")
    s.add_argument("--scope", metavar="SCOPE", help="draw inside this scope (default: the top level)")
    s.add_argument("--expand", action="append", metavar="SCOPE", help="open this scope in place (repeatable)")
    s.add_argument("--all", action="store_true", help="open every scope (as far as the node cap allows)")
    s.add_argument("--direction", choices=("TB", "LR"), default="TB", help="top to bottom, or left to right")
    s.add_argument("--constants", action="store_true", help="draw every constant as its own node")
    s.add_argument("--json", action="store_true", help="print the laid-out nodes and edges")
    s.set_defaults(func=cmd_graph)

    s = command("unfreeze", help="turn a frozen graph into a trainable TF1 checkpoint")
    s.add_argument("path")
    s.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    s.add_argument("--select", action="append", metavar="GLOB", help="weights to make variables (repeatable)")
    s.add_argument("--exclude", action="append", metavar="GLOB", help="weights to keep constant (repeatable)")
    s.add_argument("--force", action="store_true", help="replace OUTDIR if it exists")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_unfreeze)
    return p


def main(argv: list[str] | None = None) -> int:
    from .logs import configure_cli
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "graph" and not args.output and not args.json:
        parser.error("graph: say where the picture goes (-o OUT.svg|OUT.png), or ask for --json")
    configure_cli(args.verbose + getattr(args, "verbose_here", 0))
    try:
        return args.func(args)
    except PbscopeError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `pbscope ls big.pb | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
