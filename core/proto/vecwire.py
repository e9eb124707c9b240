"""Protobuf's wire format read for many messages at once, with numpy.

``scan`` walks the fields of N messages (given as byte spans of one buffer) in rounds:
round k reads the k-th field of every message still open, so a graph's 350,000 NodeDefs
cost a dozen numpy passes instead of 350,000 Python loops. Messages left open after
many rounds (a node with thousands of inputs) are finished one by one in Python, so a
hostile message cannot make the rounds run long.

Everything is checked against the message's end: a field claiming more bytes than its
message holds raises ``WireError``, like the Python walker in ``wire.py``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .wire import I32, I64, LEN, VARINT, WireError, iter_fields, read_varint

FEW = 64           # when no more messages than this are still open after ROUNDS rounds,
ROUNDS = 16        # finish them in Python
_U7 = np.uint8(0x7F)


@dataclass(slots=True)
class Fields:
    """Fields of one number, one row each, in message order then position order."""
    owner: np.ndarray    # int64: which message (index into the spans given to ``scan``)
    start: np.ndarray    # int64: where the value starts (a LEN field's bytes, a varint's first byte)
    end: np.ndarray      # int64: where it ends
    value: np.ndarray    # uint64: a VARINT field's value (0 for other wire types)

    def __len__(self) -> int:
        return len(self.owner)

    def pick(self, keep: np.ndarray) -> "Fields":
        return Fields(self.owner[keep], self.start[keep], self.end[keep], self.value[keep])

    def last(self) -> np.ndarray:
        """A mask of each message's last such field (protobuf keeps the last of a
        repeated singular field)."""
        return np.r_[self.owner[1:] != self.owner[:-1], True] if len(self) else np.zeros(0, bool)


class Scan:
    """Every field of N messages, as ``scan`` read them: one part per round (the k-th
    field of each message still open) and the Python finish. Fields of one number are
    gathered on demand (``where``): materializing all of them in message order would
    cost hundreds of MB of fresh memory at a million nodes, and fresh pages are slow."""

    def __init__(self, n: int, parts: list[tuple]):
        self.n = n
        self.parts = parts

    def where(self, number: int, wire: int = LEN, among: np.ndarray | None = None) -> Fields:
        """The fields ``number`` (of the messages flagged in ``among``), in message order."""
        picked = []
        for owner, num, wir, start, stop, value in self.parts:
            keep = (num == number) & (wir == wire)
            if among is not None:
                keep &= among[owner]
            if keep.any():
                picked.append((owner[keep], start[keep], stop[keep], value[keep]))
        if not picked:
            z = np.zeros(0, np.int64)
            return Fields(z, z, z, np.zeros(0, np.uint64))
        if len(picked) == 1:
            return Fields(*picked[0])
        cols = [np.concatenate(c) for c in zip(*picked)]
        order = np.argsort(cols[0], kind="stable")   # parts are each in message order: a merge
        return Fields(*(c[order] for c in cols))


def varints(a: np.ndarray, pos: np.ndarray, limit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values as uint64, end positions) of the varints starting at ``pos``."""
    first = a[pos]
    value = first.astype(np.uint64)
    end = pos + 1
    long_ = np.flatnonzero(first >= 0x80)
    if long_.size == 0:
        return value, end
    value[long_] &= np.uint64(0x7F)
    open_ = long_
    for k in range(1, 10):
        p = pos[open_] + k
        short = p >= limit[open_]
        if short.any():
            at = int(pos[open_][short][0])
            raise WireError(at, f"truncated: the data ends inside a number at byte {at}")
        b = a[p]
        value[open_] |= (b & _U7).astype(np.uint64) << np.uint64(7 * k)
        more = b >= 0x80
        end[open_[~more]] = p[~more] + 1
        open_ = open_[more]
        if open_.size == 0:
            return value, end
    at = int(pos[open_[0]])
    raise WireError(at, f"corrupt: an over-long number at byte {at}")


def scan(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, buf=None) -> Scan:
    """Every field of the messages a[starts[i]:ends[i]]. ``buf`` (the bytes behind ``a``)
    speeds up the Python finish; ``a`` is used when it is not given."""
    starts = np.asarray(starts, np.int64)
    ends = np.asarray(ends, np.int64)
    if np.any(ends > len(a)) or np.any(starts > ends):
        at = int(starts[np.flatnonzero((ends > len(a)) | (starts > ends))[0]])
        raise WireError(at, f"truncated: a message at byte {at} runs past the data")
    cur = starts.copy()
    active = np.flatnonzero(cur < ends)
    parts: list[tuple] = []
    rounds = 0
    while active.size:
        if rounds >= ROUNDS and active.size <= FEW:
            parts.append(_finish(buf if buf is not None else a, active, cur, ends))
            break
        rounds += 1
        p, e = cur[active], ends[active]
        tag, p = varints(a, p, e)
        number = (tag >> np.uint64(3)).astype(np.int64)
        wire = (tag & np.uint64(7)).astype(np.int64)
        if np.any(number == 0):
            at = int(cur[active][np.flatnonzero(number == 0)[0]])
            raise WireError(at, f"corrupt: field number 0 at byte {at}")
        start, stop = p.copy(), p.copy()
        value = np.zeros(len(p), np.uint64)
        is_len = wire == LEN
        if is_len.any():
            i = np.flatnonzero(is_len)
            n, s = varints(a, p[i], e[i])
            start[i] = s
            stop[i] = s + n.astype(np.int64)
            if np.any(n > np.uint64(1 << 62)):
                stop[i[n > np.uint64(1 << 62)]] = np.iinfo(np.int64).max
        is_var = wire == VARINT
        if is_var.any():
            i = np.flatnonzero(is_var)
            value[i], stop[i] = varints(a, p[i], e[i])
        stop[wire == I64] += 8
        stop[wire == I32] += 4
        bad = ~(is_len | is_var | (wire == I64) | (wire == I32))
        if bad.any():
            j = np.flatnonzero(bad)[0]
            at = int(cur[active][j])
            raise WireError(at, f"corrupt: unknown wire type {int(wire[j])} at byte {at}")
        over = stop > e
        if over.any():
            j = np.flatnonzero(over)[0]
            at = int(cur[active][j])
            raise WireError(at, f"truncated: a field at byte {at:,} runs past the end of its "
                                f"message at byte {int(e[j]):,}")
        parts.append((active, number, wire, start, stop, value))
        cur[active] = stop
        active = active[stop < e]
    return Scan(len(starts), parts)


def _finish(buf, active: np.ndarray, cur: np.ndarray, ends: np.ndarray) -> tuple:
    """The remaining fields of a few long messages, walked in Python."""
    rows: list[tuple[int, int, int, int, int, int]] = []
    for m in active.tolist():
        for f, w, s, e, _ in iter_fields(buf, int(cur[m]), int(ends[m])):
            rows.append((m, f, w, s, e, read_varint(buf, s, e)[0] if w == VARINT else 0))
    if not rows:
        z = np.zeros(0, np.int64)
        return z, z, z, z, z, np.zeros(0, np.uint64)
    cols = list(zip(*rows))
    return (np.array(cols[0], np.int64), np.array(cols[1], np.int64), np.array(cols[2], np.int64),
            np.array(cols[3], np.int64), np.array(cols[4], np.int64),
            np.array([v & ((1 << 64) - 1) for v in cols[5]], np.uint64))


class BadText(ValueError):
    """A span that is not UTF-8; ``index`` is its position in the spans given."""

    def __init__(self, index: int):
        self.index = index
        super().__init__(f"span #{index} is not valid UTF-8")


CHUNK = 1 << 20     # gather strings in slices of about this many bytes


def texts(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[str]:
    """The spans decoded as UTF-8, as one list. Joined with newlines, decoded and split in
    C; spans holding a newline themselves are decoded one by one. Raises BadText for the
    first span that is not UTF-8."""
    starts = np.asarray(starts, np.int64)
    ends = np.asarray(ends, np.int64)
    n = len(starts)
    out: list[str] = []
    i = 0
    lens = ends - starts
    cum = np.cumsum(lens + 1)
    # 0, 1, 2, … for the slices, made once a call: a fresh array for each slice cost more
    # in page faults than the counting itself
    counting = np.arange(min(int(cum[-1]) if n else 0, CHUNK + int(lens.max(initial=0)) + 1), dtype=np.int64)
    while i < n:
        base = cum[i - 1] if i else 0
        j = int(np.searchsorted(cum, base + CHUNK, "right"))
        j = max(j, i + 1)
        part = _gather(a, starts[i:j], lens[i:j], i, counting if int(cum[j - 1] - base) <= len(counting)
                       else np.arange(int(cum[j - 1] - base), dtype=np.int64))
        out.extend(part)
        i = j
    return out


def _gather(a, s: np.ndarray, lens: np.ndarray, first: int, counting: np.ndarray) -> list[str]:
    n = len(s)
    total = int(lens.sum()) + n
    ostart = np.cumsum(lens + 1) - (lens + 1)
    src = np.repeat(s - ostart, lens + 1)
    src += counting[:total]
    seps = ostart + lens
    src[seps] = 0                       # any readable byte; replaced by the separator
    joined = a[src]
    joined[seps] = 10
    try:
        parts = joined.tobytes().decode("utf-8").split("\n")
    except UnicodeDecodeError:
        parts = None
    if parts is not None and len(parts) == n + 1:
        parts.pop()
        return parts
    result = []
    for k in range(n):                  # a newline inside a span, or bad UTF-8: find which
        try:
            result.append(a[s[k]:s[k] + lens[k]].tobytes().decode("utf-8"))
        except UnicodeDecodeError:
            raise BadText(first + k) from None
    return result


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9),
        np.uint64(0x27D4EB2F165667C5))


def short_codes(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, list[str]] | None:
    """(code of each span, the distinct strings in order of first appearance) for spans
    of at most 24 bytes (op types, devices), without decoding each one: the bytes are read
    as three words each, grouped, and every member checked against its group's first.
    None when a span is longer, too near the end, or not UTF-8 (the caller decodes them)."""
    starts = np.asarray(starts, np.int64)
    lens = np.asarray(ends, np.int64) - starts
    if not len(starts) or lens.max() > 24 or lens.min() < 0 or starts.max() + 24 > len(a):
        return None
    word = np.lib.stride_tricks.sliding_window_view(a, 8).view("<u8")[:, 0]
    keys = [lens.astype(np.uint64)]
    for k in range(3):
        keep = np.clip(lens - 8 * k, 0, 8).astype(np.uint64)
        mask = np.where(keep >= 8, ~np.uint64(0), (np.uint64(1) << (keep * np.uint64(8) % np.uint64(64)))
                        - np.uint64(1))
        keys.append(word[starts + 8 * k] & mask)
    with np.errstate(over="ignore"):
        h = keys[0] * _MIX[0]
        for k in range(1, 4):
            h ^= keys[k] * _MIX[k]
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    for key in keys:                     # a collision of two different spans: decode instead
        if not np.array_equal(key, key[first][inverse]):
            return None
    order = np.argsort(first)            # groups in order of first appearance
    rank = np.empty(len(first), np.int32)
    rank[order] = np.arange(len(first), dtype=np.int32)
    try:
        distinct = [a[starts[i]:starts[i] + lens[i]].tobytes().decode("utf-8") for i in first[order].tolist()]
    except UnicodeDecodeError:
        return None
    return rank[inverse.reshape(-1)], distinct
