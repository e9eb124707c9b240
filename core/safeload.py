"""Load weights files without running code from them.

``pickle.load`` runs whatever a pickle asks for, and weights files travel between
people. ``load_pickle`` rebuilds only dicts, lists, tuples, strings, bytes, numbers,
bools, None, numpy arrays, dtypes and scalars; any other global (``os.system``,
``builtins.eval``, any class) is refused before anything runs, with a line naming it.
npz loads with ``allow_pickle=False``; safetensors through its own package.
"""
from __future__ import annotations

import _compat_pickle
import builtins
import collections
import io
import os
import pickle

import ml_dtypes
import numpy as np

from .errors import PbscopeError


def _latin1_encode(text, encoding="latin1", *rest):
    # pickle protocol 2 stores bytes as _codecs.encode(str, 'latin1'); allow only that
    if encoding not in ("latin1", "latin-1", "iso-8859-1") or rest:
        raise pickle.UnpicklingError(f"_codecs.encode with {encoding!r}")
    return text.encode("latin-1")


def _allowed() -> dict[tuple[str, str], object]:
    from numpy._core import multiarray, numeric
    table = {}
    for mod in ("numpy._core", "numpy.core"):       # numpy 2 names, and numpy 1's
        table[(f"{mod}.multiarray", "_reconstruct")] = multiarray._reconstruct
        table[(f"{mod}.multiarray", "scalar")] = multiarray.scalar
        table[(f"{mod}.numeric", "_frombuffer")] = numeric._frombuffer
    table[("numpy", "ndarray")] = np.ndarray
    table[("numpy", "dtype")] = np.dtype
    table[("_codecs", "encode")] = _latin1_encode
    table[("collections", "OrderedDict")] = collections.OrderedDict
    for name in ("dict", "list", "tuple", "set", "frozenset", "bytearray", "complex",
                 "int", "float", "bool", "str", "bytes"):
        table[("builtins", name)] = getattr(builtins, name)
    for name in ("bfloat16", "float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz",
                 "float8_e5m2fnuz", "float4_e2m1fn", "int4", "uint4", "int2", "uint2"):
        table[("ml_dtypes", name)] = getattr(ml_dtypes, name)
    return table


_ALLOWED = _allowed()


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        # Python 2 names (protocol < 3), mapped as pickle's own find_class maps them
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        found = _ALLOWED.get((module, name))
        if found is None:
            raise _Refused(f"{module}.{name}")
        return found

    def persistent_load(self, pid):
        raise _Refused(f"persistent id {pid!r}")


class _Refused(pickle.UnpicklingError):
    pass


def load_pickle(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """A pickle of ``{name: array}`` (nested dicts are joined with '/'), loaded safely."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            obj = _RestrictedUnpickler(io.BufferedReader(f)).load()
    except _Refused as e:
        raise PbscopeError(path, f"refusing to load: the pickle asks for {e}, which could run code; "
                                 "pbscope loads only plain dicts of arrays") from None
    except OSError as e:
        raise PbscopeError(path, f"cannot read it: {e.strerror or e}") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
            KeyError, MemoryError, UnicodeDecodeError, OverflowError, RecursionError) as e:
        raise PbscopeError(path, f"not a readable pickle: {type(e).__name__}: {e}") from None
    return flatten(path, obj)


def flatten(path: str, obj, prefix: str = "") -> dict[str, np.ndarray]:
    """``{name: array}`` from a dict whose leaves are arrays or numbers."""
    if not isinstance(obj, dict):
        raise PbscopeError(path, f"holds a {type(obj).__name__}, not a dict of arrays")
    out: dict[str, np.ndarray] = {}
    for k, v in obj.items():
        if not isinstance(k, str):
            raise PbscopeError(path, f"has a key that is not a string: {k!r}")
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(path, v, name + "/"))
            continue
        if isinstance(v, (bytes, str)):
            v = np.array([v], dtype=object).reshape(())
        try:
            a = np.asarray(v)
        except (ValueError, TypeError) as e:
            raise PbscopeError(path, f"{name}: not an array ({e})") from None
        if a.dtype.kind == "O" and not all(isinstance(x, (bytes, str)) for x in a.flat):
            raise PbscopeError(path, f"{name}: holds Python objects, not numbers")
        out[name] = a
    return out
