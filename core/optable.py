"""A graph's ops as columns: the struct of arrays behind ``Graph.ops``.

350,000 ops as Python objects cost seconds to build and hundreds of MB to hold. Here
they are one list of names and a few numpy arrays: op types and devices as codes,
inputs in CSR form (``in_ptr[i]:in_ptr[i+1]`` are op i's inputs, each resolved once to
the row of the op it names), and each NodeDef's byte span in the file. Consumers,
outputs and op-type counts are array operations over them; ``Op`` objects are made
only for the rows somebody asks for (``OpList``).

Rows are positions in ``Graph.all_ops``: the graph's ops, then its functions' ops.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

import numpy as np


def codes_of(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """(code of each value, the distinct values in order of first appearance)."""
    distinct = list(dict.fromkeys(values))
    code = {v: i for i, v in enumerate(distinct)}
    return np.fromiter(map(code.__getitem__, values), np.int32, len(values)), distinct


class OpTable:
    """Names, types, devices, inputs and spans of a graph's ops, as columns."""

    def __init__(self, names: list[str], types: list[str] | tuple, devices: list[str] | tuple | None,
                 inputs: list[str], counts: np.ndarray,
                 span_start: np.ndarray | None = None, span_end: np.ndarray | None = None):
        n = len(names)
        self.names = names
        self.n = n
        # types and devices: strings, or already (codes, distinct values)
        self.type_code, self.types = types if isinstance(types, tuple) else codes_of(types)
        if devices is None or (not isinstance(devices, tuple) and not any(devices)):
            self.device_code, self.devices = np.zeros(n, np.int32), [""]
        else:
            self.device_code, self.devices = devices if isinstance(devices, tuple) else codes_of(devices)
        counts = np.asarray(counts, np.int64)
        self.in_ptr = np.zeros(n + 1, np.int64)
        np.cumsum(counts, out=self.in_ptr[1:])
        self.span_start, self.span_end = span_start, span_end
        # the first op of each name wins, as in a NodeDef lookup by name
        self.index: dict[str, int] = dict(zip(reversed(names), range(n - 1, -1, -1)))
        self._resolve(inputs)
        self._consumers: tuple[np.ndarray, np.ndarray] | None = None
        self._missing: dict[str, list[tuple[int, int]]] | None = None
        self._lead: bool | None = None      # does a name start with "/"? (set by a reader that knows)

    def lead_slash(self) -> bool:
        if self._lead is None:
            self._lead = any(x[:1] == "/" for x in self.names)
        return self._lead

    @classmethod
    def from_ops(cls, ops: Sequence) -> OpTable:
        """A table of Op objects a reader made itself (small formats, function bodies)."""
        inputs: list[str] = []
        for op in ops:
            inputs.extend(op.raw_inputs)
        return cls([op.name for op in ops], [op.type for op in ops], [op.device for op in ops],
                   inputs, np.fromiter((len(op.raw_inputs) for op in ops), np.int64, len(ops)))

    def extended(self, ops: Sequence) -> OpTable:
        """This table with ``ops`` appended (function ops, a checkpoint's own variables)."""
        if not ops:
            return self
        names = self.names + [op.name for op in ops]
        types = [self.types[c] for c in self.type_code.tolist()] + [op.type for op in ops]
        devices = [self.devices[c] for c in self.device_code.tolist()] + [op.device for op in ops]
        inputs = self.all_raw_inputs()
        for op in ops:
            inputs.extend(op.raw_inputs)
        counts = np.concatenate([np.diff(self.in_ptr), [len(op.raw_inputs) for op in ops]]).astype(np.int64)
        spans = None, None
        if self.span_start is not None:
            pad = np.full(len(ops), -1, np.int64)
            spans = np.concatenate([self.span_start, pad]), np.concatenate([self.span_end, pad])
        table = OpTable(names, types, devices, inputs, counts, *spans)
        if self._lead is False:
            table._lead = any(op.name[:1] == "/" for op in ops)
        return table

    def all_raw_inputs(self) -> list[str]:
        """Every input as written, flat."""
        names = self.names
        out = [names[r] if r >= 0 else "" for r in self.in_src.tolist()]
        for j in np.flatnonzero(self.in_ctrl | (self.in_port >= 0)).tolist():
            out[j] = self.raw_input(j)
        for j, text in self._raw.items():
            out[j] = text
        return out

    # -- inputs -------------------------------------------------------------------
    def _resolve(self, inputs: list[str]) -> None:
        """Each input's source row (-1: no op of that name), port, and whether it is a
        control input; the input strings themselves are dropped, except those that the
        columns cannot give back as written (missing ops, ``x:0``, odd forms)."""
        m = len(inputs)
        get = self.index.get
        src = np.fromiter(map(get, inputs, repeat(-1, m)), np.int64, m)   # plain names: most inputs
        ctrl = np.zeros(m, bool)
        port = np.full(m, -1, np.int32)
        raw: dict[int, str] = {}
        names = self.names
        for j in np.flatnonzero(src < 0).tolist():
            text = inputs[j]
            if text[:1] == "^":
                ctrl[j] = True
                name = text[1:]
                r = get(name, -1)
                if r < 0 or names[r] != name:
                    raw[j] = text
            else:
                head, sep, tail = text.rpartition(":")
                r = -1
                if sep and tail.isdigit():
                    r = get(head, -1)
                    if r >= 0:
                        port[j] = int(tail)
                        if tail != str(port[j]) or port[j] < 0:
                            raw[j] = text
                if r < 0:
                    raw[j] = text
            src[j] = r
        self.in_src = src.astype(np.int32)
        self.in_ctrl = ctrl
        self.in_port = port
        self._raw = raw
        data = ~ctrl
        csum = np.cumsum(data, dtype=np.int64)
        before = np.concatenate([[0], csum])[self.in_ptr[:-1]]
        slot = csum - 1 - np.repeat(before, np.diff(self.in_ptr))
        slot[ctrl] = -1
        self.in_slot = slot.astype(np.int32)

    def raw_input(self, j: int) -> str:
        text = self._raw.get(j)
        if text is not None:
            return text
        name = self.names[self.in_src[j]]
        if self.in_ctrl[j]:
            return "^" + name
        p = self.in_port[j]
        return name if p < 0 else f"{name}:{p}"

    def raw_inputs(self, i: int) -> tuple[str, ...]:
        a, b = int(self.in_ptr[i]), int(self.in_ptr[i + 1])
        return tuple([self.raw_input(j) for j in range(a, b)])

    def input_name(self, j: int) -> str:
        """The op name input j refers to (without ``^`` and port), existing or not."""
        r = self.in_src[j]
        if r >= 0:
            return self.names[r]
        text = self._raw[j]
        if text[:1] == "^":
            return text[1:]
        head, sep, tail = text.rpartition(":")
        return head if sep and tail.isdigit() else text

    # -- consumers ----------------------------------------------------------------
    def consumer_index(self) -> tuple[np.ndarray, np.ndarray]:
        """(ptr, inputs): the flat inputs reading row r are ``inputs[ptr[r]:ptr[r+1]]``, in
        the order of the consumers' rows and slots."""
        if self._consumers is None:
            src = self.in_src
            order = np.argsort(src, kind="stable")
            order = order[src[order] >= 0]
            ptr = np.zeros(self.n + 1, np.int64)
            np.cumsum(np.bincount(src[order], minlength=self.n), out=ptr[1:])
            self._consumers = ptr, order
        return self._consumers

    def owner_of_inputs(self) -> np.ndarray:
        """The row of the op each flat input belongs to."""
        return np.repeat(np.arange(self.n, dtype=np.int32), np.diff(self.in_ptr))

    def consumers(self, row: int) -> list[tuple[int, int]]:
        """(consumer row, slot; -1 for a control input) of the op at ``row``."""
        ptr, order = self.consumer_index()
        js = order[ptr[row]:ptr[row + 1]]
        if not len(js):
            return []
        owners = np.searchsorted(self.in_ptr, js, "right") - 1
        return list(zip(owners.tolist(), self.in_slot[js].tolist()))

    def missing_consumers(self, name: str) -> list[tuple[int, int]]:
        """(consumer row, slot) of inputs naming ``name`` when no op has that name."""
        if self._missing is None:
            found: dict[str, list[tuple[int, int]]] = {}
            for j in sorted(j for j in self._raw if self.in_src[j] < 0):
                row = int(np.searchsorted(self.in_ptr, j, "right") - 1)
                found.setdefault(self.input_name(j), []).append((row, int(self.in_slot[j])))
            self._missing = found
        return self._missing.get(name, [])

    def consumed(self) -> np.ndarray:
        """A mask of the rows something reads (data or control)."""
        mask = np.zeros(self.n, bool)
        mask[self.in_src[self.in_src >= 0]] = True
        return mask

    # -- types --------------------------------------------------------------------
    def code(self, op_type: str) -> int:
        try:
            return self.types.index(op_type)
        except ValueError:
            return -1

    def rows_of_type(self, *op_types: str) -> np.ndarray:
        codes = [c for c in (self.code(t) for t in op_types) if c >= 0]
        if not codes:
            return np.zeros(0, np.int64)
        return np.flatnonzero(np.isin(self.type_code, codes))

    def type_of(self, row: int) -> str:
        return self.types[self.type_code[row]]

    def device_of(self, row: int) -> str:
        return self.devices[self.device_code[row]]

    def type_counts(self, rows: slice | None = None) -> dict[str, int]:
        """{op type: count}, most frequent first, then by name."""
        codes = self.type_code if rows is None else self.type_code[rows]
        counts = np.bincount(codes, minlength=len(self.types))
        hist = {self.types[c]: int(k) for c, k in enumerate(counts.tolist()) if k}
        return dict(sorted(hist.items(), key=lambda kv: (-kv[1], kv[0])))
