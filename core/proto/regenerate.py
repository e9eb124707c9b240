"""Regenerate ``tensorflow.fds``: the TF message schema pbscope parses with.

Developer tool only (it imports TensorFlow): ``python -m core.proto.regenerate``.
The schema is TensorFlow's own descriptors, serialised as a FileDescriptorSet, so
field numbers and enum names are exactly TF's. At run time ``core.proto`` loads
it into a private DescriptorPool, never TensorFlow's (see core/proto/__init__.py).
"""
from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).with_name("tensorflow.fds")


def build() -> bytes:
    from google.protobuf import descriptor_pb2
    from tensorflow.core.framework import graph_pb2
    from tensorflow.core.protobuf import (
        meta_graph_pb2,
        saved_model_pb2,
        saved_object_graph_pb2,
        tensor_bundle_pb2,
        trackable_object_graph_pb2,
    )

    ordered: dict[str, object] = {}

    def add(fd) -> None:  # dependencies first, as DescriptorPool.Add needs
        if fd.name in ordered:
            return
        for dep in fd.dependencies:
            add(dep)
        ordered[fd.name] = fd

    for mod in (graph_pb2, meta_graph_pb2, saved_model_pb2, saved_object_graph_pb2,
                trackable_object_graph_pb2, tensor_bundle_pb2):
        add(mod.DESCRIPTOR)
    fds = descriptor_pb2.FileDescriptorSet()
    for fd in ordered.values():
        proto = fds.file.add()
        fd.CopyToProto(proto)
        proto.ClearField("options")  # language options only; not needed to parse
        proto.ClearField("source_code_info")
    return fds.SerializeToString(deterministic=True)


if __name__ == "__main__":
    data = build()
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
