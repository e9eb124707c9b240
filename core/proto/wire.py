"""Just enough of protobuf's wire format to walk a message without parsing it.

Used to split a large GraphDef into runs of nodes that protobuf's compiled parser
reads in one go, and to find the byte span of big tensor payloads so that numpy
can view them in place instead of protobuf copying them.
"""
from __future__ import annotations

VARINT, I64, LEN, I32 = 0, 1, 2, 5


class WireError(ValueError):
    """Malformed wire data; ``offset`` is where in the buffer it went wrong."""

    def __init__(self, offset: int, message: str):
        self.offset = offset
        super().__init__(message)


def read_varint(buf, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    start = pos
    while True:
        if pos >= end:
            raise WireError(start, f"truncated: the data ends inside a number at byte {start}")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireError(start, f"corrupt: an over-long number at byte {start}")


def iter_fields(buf, pos: int, end: int):
    """Yield (field_number, wire_type, value_start, value_end, field_start).

    For VARINT fields value_end is the varint's end; read it with read_varint.
    """
    while pos < end:
        field_start = pos
        tag, pos = read_varint(buf, pos, end)
        field, wire = tag >> 3, tag & 7
        if field == 0:
            raise WireError(field_start, f"corrupt: field number 0 at byte {field_start}")
        if wire == LEN:
            length, pos = read_varint(buf, pos, end)
            value_end = pos + length
            if value_end > end:
                raise WireError(field_start,
                                f"truncated: a field at byte {field_start} claims {length:,} bytes, "
                                f"but the data ends at byte {end:,}")
        elif wire == VARINT:
            _, value_end = read_varint(buf, pos, end)
        elif wire == I64:
            value_end = pos + 8
        elif wire == I32:
            value_end = pos + 4
        else:
            raise WireError(field_start, f"corrupt: unknown wire type {wire} at byte {field_start}")
        if value_end > end:
            raise WireError(field_start, f"truncated: the data ends inside a field at byte {field_start}")
        yield field, wire, pos, value_end, field_start
        pos = value_end


def first_field(buf, pos: int, end: int, number: int, wire: int = LEN):
    """(start, end) of the first field ``number`` in buf[pos:end], or None."""
    for f, w, s, e, _ in iter_fields(buf, pos, end):
        if f == number and w == wire:
            return s, e
    return None
