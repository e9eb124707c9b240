"""A builder ``path/file.py:function`` as the target: the user's code defines the model's
variables in TF1 graph mode, as the recipe's "define the original graph in code" does.

The file is loaded with importlib and the function called inside a fresh ``tf.Graph``
with no arguments, or with an input placeholder copied from the source's input when it
has one required parameter (``make_demo.define(inputs)``). Its prints go to stderr:
stdout carries the plan (and ``--json``). The output's ``.meta`` is re-exported from the
built graph; the variables the source does not set get their initializers' values.

Loading user code must leave the process as it was (the window restores many times):
the builder's folder is on ``sys.path`` only while it loads and runs, any other change
to ``sys.path`` is undone, and the builder's module, with the modules it imported from
its own folder, is taken out of ``sys.modules`` again (entries it replaced are put back).
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import inspect
import os
import sys

from ...errors import PbscopeError
from ...model import Graph
from ...progress import Progress
from .base import describe, first_line
from .tf1 import TF1Target, import_tf, quiet, tf1_variables

_PREFIX = "_pbscope_builder_"      # the builder's module name: private, one per file
_MISSING = object()


class BuilderTarget(TF1Target):
    kind = "builder"

    def make_saver(self, v1):
        if self.saver is None:        # one saver for its global variables, made once
            self.saver = v1.train.Saver(var_list=[tv.obj for tv in self.variables], sharded=False,
                                        save_relative_paths=True, max_to_keep=None,
                                        write_version=v1.train.SaverDef.V2)
        return self.saver

    def write_meta(self, saver, prefix: str, target: str) -> None:
        try:
            saver.export_meta_graph(prefix + ".meta")
        except Exception as e:
            raise PbscopeError(target, f"TensorFlow cannot export the model's graph: {describe(e)}") from None

    def fill_unfed(self, tf, sess, unfed: list, target: str) -> None:
        try:
            by_name = {tv.name: tv.obj for tv in self.variables}
            if all(v in by_name for v in unfed):
                try:
                    sess.run([by_name[v].initializer for v in unfed])
                    return
                except tf.errors.FailedPreconditionError:
                    pass   # an initializer reads another variable: initialise all, in order
            for tv in self.variables:
                sess.run(tv.obj.initializer)
        except tf.errors.OpError as e:
            raise PbscopeError(target, f"cannot initialise the target's variables: {first_line(e)}") from None


def open_target(spec, source: Graph, progress: Progress) -> BuilderTarget:
    file, func = spec.path, spec.function
    tf = import_tf()
    v1 = tf.compat.v1
    progress.report(0.1, f"loading {os.path.basename(file)}")
    path = _builder_path(file)
    resource_vars = v1.resource_variables_enabled()
    graph = tf.Graph()
    try:
        with isolated_imports(os.path.dirname(path)):
            fn = _load_function(path, file, func)
            arity = _arity(fn, file, func)
            progress.report(0.2, f"building {func}()")
            try:
                # the builder's prints go to stderr: stdout carries the plan (and --json)
                with graph.as_default(), quiet(tf), contextlib.redirect_stdout(sys.stderr):
                    args = (_input_placeholder(tf, source, file, func),) if arity else ()
                    fn(*args)
            except PbscopeError:
                raise
            except (Exception, SystemExit) as e:
                raise PbscopeError(file, f"{func}() raised {describe(e)}") from None
    finally:   # a builder that flips TF's process-wide switch does not keep it flipped
        if v1.resource_variables_enabled() != resource_vars:
            (v1.enable_resource_variables if resource_vars else v1.disable_resource_variables)()
    variables, trainable = tf1_variables(tf, graph)
    if not variables:
        raise PbscopeError(file, f"{func}() created no variables; a builder defines the model in TF1 "
                                 "graph mode (e.g. with tf.compat.v1.get_variable)")
    return BuilderTarget(file, graph, variables, trainable)


def module_name(path: str) -> str:
    """The name the builder's module has while it runs: private, and one per file."""
    return _PREFIX + hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:12]


def _builder_path(file: str) -> str:
    path = os.path.abspath(file)
    if not os.path.exists(path):
        raise PbscopeError(file, "no such file")
    if not os.path.isfile(path):
        raise PbscopeError(file, "not a file")
    return path


def _load_function(path: str, file: str, func: str):
    mod_name = module_name(path)
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise PbscopeError(file, "cannot be loaded as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module     # while it runs (dataclasses, pickling look it up)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            spec.loader.exec_module(module)
    except (Exception, SystemExit) as e:
        raise PbscopeError(file, f"loading it raised {describe(e)}") from None
    fn = getattr(module, func, None)
    if fn is None:
        found = sorted(n for n, v in vars(module).items() if inspect.isfunction(v)
                       and v.__module__ == mod_name and not n.startswith("_"))
        listing = f" (it has: {', '.join(found[:8])}{', …' if len(found) > 8 else ''})" if found else ""
        raise PbscopeError(file, f"has no function {func!r}{listing}")
    if not callable(fn):
        raise PbscopeError(file, f"{func} is not a function")
    return fn


@contextlib.contextmanager
def isolated_imports(folder: str):
    """``folder`` first on sys.path while the block runs (for the builder's own imports);
    afterwards sys.path as it was, and sys.modules without the builder's module and the
    modules it imported from ``folder`` (entries they replaced put back).

    Modules a builder imports from elsewhere (TensorFlow's lazily loaded parts, numpy)
    stay: they are the libraries' own, and taking them out would leave two copies."""
    path_before = list(sys.path)
    modules_before = dict(sys.modules)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        sys.path[:] = path_before
        # only a folder pbscope put on sys.path: one already there imports for others too
        tops = {name for name in sys.modules if added and "." not in name and name not in modules_before
                and _found_in(sys.modules[name], folder)}
        for name, module in list(sys.modules.items()):
            old = modules_before.get(name, _MISSING)
            if module is old:
                continue
            if name.startswith(_PREFIX) or name.partition(".")[0] in tops or \
                    (added and old is not _MISSING and _found_in(module, folder)):
                if old is _MISSING:
                    del sys.modules[name]
                else:
                    sys.modules[name] = old


def _found_in(module, folder: str) -> bool:
    """Was this top-level module found in ``folder`` (``folder/name.py`` or a package there)?"""
    where = getattr(module, "__file__", None)
    places = [os.path.dirname(where)] if where else []
    if hasattr(module, "__path__"):       # a package: its folder is inside ``folder``
        places = [os.path.dirname(p) for p in module.__path__]
    root = os.path.realpath(folder)
    return any(os.path.realpath(p) == root for p in places)


def _arity(fn, file: str, func: str) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 0
    required = [p for p in params if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if len(required) > 1 or any(p.kind == p.KEYWORD_ONLY for p in required):
        raise PbscopeError(file, f"{func}() takes {len(required)} required arguments; a builder takes "
                                 "none, or one: the input tensor")
    return len(required)


def _input_placeholder(tf, source: Graph, file: str, func: str):
    inputs = source.inputs
    if not inputs:
        raise PbscopeError(file, f"{func}() takes an input, and the source {source.path} has no input "
                                 "placeholder to copy; give the parameter a default")
    op = inputs[0]
    attrs = op.attrs
    try:
        dtype = tf.as_dtype(str(attrs.get("dtype", "float32")).removesuffix("_ref"))
    except TypeError:
        dtype = tf.float32
    shape = attrs.get("shape")
    if shape is not None:
        shape = [None if d < 0 else d for d in shape]
    return tf.compat.v1.placeholder(dtype, shape, name=op.name)

