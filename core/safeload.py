"""Load weights files without running code from them.

``pickle.load`` runs whatever a pickle asks for, and weights files travel between
people. ``load_pickle`` rebuilds only dicts, lists, tuples, strings, bytes, numbers,
bools, None, numpy arrays, dtypes and scalars; any other global (``os.system``,
``builtins.eval``, any class) is refused before anything runs, with a line naming it.
npz loads with ``allow_pickle=False``; safetensors through its own package.

Nothing is allocated from an unchecked claim: before unpickling, the opcodes are walked
(without copying their data) and every length the pickle claims (bytes, strings, frames)
must fit in the bytes that follow it; the allowed callables that allocate from a number
(``bytes(n)``, ``bytearray(n)``, an ndarray's shape) may not ask for more than the file
holds. Every refusal speaks of the pickle and says what was asked.
"""
from __future__ import annotations

import _compat_pickle
import builtins
import collections
import io
import math
import mmap
import os
import pickle
import pickletools

import ml_dtypes
import numpy as np

from .errors import PbscopeError
from .limits import bytes_text, name_text


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


class _TooBig(pickle.UnpicklingError):
    pass


def _guarded(found, limit: int):
    """``found``, refusing calls that would allocate more than ``limit`` bytes."""
    def check(nbytes: int, what: str):
        if nbytes > limit:
            raise _TooBig(f"{what} asks for {bytes_text(nbytes)}, more than the pickle's {bytes_text(limit)}")

    def count(shape) -> int:
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if not all(isinstance(d, int) and d >= 0 for d in shape):
            raise _TooBig(f"an array of shape {shape!r}")
        return math.prod(shape)

    if found in (bytes, bytearray):
        def call(*args, **kw):
            if args and isinstance(args[0], int):
                check(args[0], f"{found.__name__}({args[0]})")
            return found(*args, **kw)
        return call
    if found is np.ndarray:
        def call(shape, dtype=float, *args, **kw):
            check(count(shape) * np.dtype(dtype).itemsize, f"an array of shape {shape!r}")
            return np.ndarray(shape, dtype, *args, **kw)
        call.is_ndarray = True      # _reconstruct's first argument: the class it stands for
        return call
    if found.__name__ == "_reconstruct":
        def call(cls, shape, dtype, *args):
            check(count(shape), f"an array of shape {shape!r}")
            return found(np.ndarray if getattr(cls, "is_ndarray", False) else cls, shape, dtype, *args)
        return call
    return found


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, f, limit: int):
        super().__init__(f)
        self.limit = limit

    def find_class(self, module, name):
        # Python 2 names (protocol < 3), mapped as pickle's own find_class maps them
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        found = _ALLOWED.get((module, name))
        if found is None:
            raise _Refused(f"{module}.{name}")
        return _guarded(found, self.limit)

    def persistent_load(self, pid):
        raise _Refused(f"persistent id {pid!r}")


class _Refused(pickle.UnpicklingError):
    pass


def load_pickle(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """A pickle of ``{name: array}`` (nested dicts are joined with '/'), loaded safely."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            check_claims(f, size)
            obj = _RestrictedUnpickler(io.BufferedReader(f), size).load()
    except _Refused as e:
        raise PbscopeError(path, f"refusing to load: the pickle asks for {e}, which could run code; "
                                 "pbscope loads only plain dicts of arrays") from None
    except _TooBig as e:
        raise PbscopeError(path, f"refusing to load the pickle: {e}") from None
    except OSError as e:
        raise PbscopeError(path, f"cannot read it: {e.strerror or e}") from None
    except MemoryError as e:
        raise PbscopeError(path, f"not enough memory to load this pickle of {bytes_text(size)}"
                                 f"{': ' + str(e) if str(e) else ''}") from None
    except RecursionError:
        raise PbscopeError(path, "not a readable pickle: its objects nest too deeply") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
            KeyError, UnicodeDecodeError, OverflowError) as e:
        cause = " ".join(str(e).split())[:300] or "no detail given"
        raise PbscopeError(path, f"not a readable pickle: {type(e).__name__}: {cause}") from None
    return flatten(path, obj)


_ARGS = {op.code.encode("latin-1")[0]: op for op in pickletools.opcodes}
_STOP = pickle.STOP[0]
# how many bytes hold a length, by pickletools' marker, and whether it is signed
_LENGTH = {pickletools.TAKEN_FROM_ARGUMENT1: (1, False), pickletools.TAKEN_FROM_ARGUMENT4: (4, True),
           pickletools.TAKEN_FROM_ARGUMENT4U: (4, False), pickletools.TAKEN_FROM_ARGUMENT8U: (8, False)}


def check_claims(f, size: int) -> None:
    """Walk the pickle's opcodes in ``f`` (memory-mapped, nothing copied): each length it
    claims (counted bytes and strings, protocol-4 frames) must fit in what follows.
    Unknown opcodes and the like are left for the unpickler to report."""
    if size == 0:
        return
    with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        pos = 0
        while pos < size:
            code = mm[pos]
            op = _ARGS.get(code)
            pos += 1
            if op is None or code == _STOP:
                return
            if op.arg is None:
                continue
            n = op.arg.n
            if op.name == "FRAME":
                n = 8 + int.from_bytes(mm[pos:pos + 8], "little")
                _fits(op.name, n - 8, size - pos - 8)
                pos += 8      # the frame's opcodes follow inline
                continue
            if n >= 0:
                pos += n
            elif n == pickletools.UP_TO_NEWLINE:
                found = mm.find(b"\n", pos)
                pos = size if found < 0 else found + 1
            elif n in _LENGTH:
                width, signed = _LENGTH[n]
                length = int.from_bytes(mm[pos:pos + width], "little", signed=signed)
                pos += width
                _fits(op.name, length, size - pos)
                pos += length
            else:
                return


def _fits(opcode: str, claimed: int, left: int) -> None:
    if claimed < 0 or claimed > left:
        raise pickle.UnpicklingError(f"its {opcode} claims {claimed:,} bytes, but {max(left, 0):,} follow")


MAX_DEPTH = 100


def flatten(path: str, obj) -> dict[str, np.ndarray]:
    """``{name: array}`` from a dict whose leaves are arrays or numbers (nested dicts,
    at most MAX_DEPTH deep, are joined with '/')."""
    if not isinstance(obj, dict):
        raise PbscopeError(path, f"the pickle holds a {type(obj).__name__}, not a dict of arrays")
    out: dict[str, np.ndarray] = {}
    stack = [(iter(obj.items()), "")]     # depth first, in the dicts' order, without recursion
    while stack:
        items, prefix = stack[-1]
        item = next(items, None)
        if item is None:
            stack.pop()
            continue
        k, v = item
        if not isinstance(k, str):
            raise PbscopeError(path, f"the pickle has a key that is not a string: {name_text(repr(k))}")
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            if len(stack) >= MAX_DEPTH:
                raise PbscopeError(path, f"the pickle nests dicts more than {MAX_DEPTH} levels deep")
            stack.append((iter(v.items()), name + "/"))
            continue
        if isinstance(v, (bytes, str)):
            v = np.array([v], dtype=object).reshape(())
        try:
            a = np.asarray(v)
        except (ValueError, TypeError) as e:
            raise PbscopeError(path, f"{name_text(name)}: not an array ({e})") from None
        if a.dtype.kind == "O" and not all(isinstance(x, (bytes, str)) for x in a.flat):
            raise PbscopeError(path, f"{name_text(name)}: holds Python objects, not numbers")
        out[name] = a
    return out
