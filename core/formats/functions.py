"""Ops inside a graph's function library, shown in the tree under their function.

TF2 graphs (SavedModels above all) keep most of their ops in FunctionDefs. Each node of
function ``f`` becomes an op named ``f/<node>``, and each input argument an ``_Arg`` op
``f/<arg>``; inputs written the FunctionDef way (``node:output:0``, ``arg``) are rewritten
to those names, so links and consumers work inside functions as in the graph.
"""
from __future__ import annotations

from ..model import Graph, Op


def add_function_ops(graph: Graph, library) -> None:
    if library is None or not len(library.function):
        return
    ops = graph.function_ops
    index = len(graph.ops)
    for f in library.function:
        fname = f.signature.name
        for arg in f.signature.input_arg:
            ops.append(Op(graph, index, f"{fname}/{arg.name}", "_Arg", (), ""))
            index += 1
        for node in f.node_def:
            inputs = tuple(_input(fname, i) for i in node.input)
            ops.append(Op(graph, index, f"{fname}/{node.name}", node.op, inputs, node.device, node=node))
            index += 1
    graph.notes.append(f"{len(library.function)} functions in the function library, "
                       f"{len(ops):,} ops inside them (shown under each function's name)")


def _input(fname: str, name: str) -> str:
    """``node:output:1`` → ``f/node:1``; ``arg`` → ``f/arg``; ``^node`` → ``^f/node``."""
    control = name.startswith("^")
    if control:
        name = name[1:]
    parts = name.split(":")
    out = f"{fname}/{parts[0]}"
    if len(parts) == 3 and parts[2] != "0":
        out += f":{parts[2]}"
    return ("^" + out) if control else out
