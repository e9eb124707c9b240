"""TensorFlow's message classes, without importing TensorFlow.

``tensorflow.fds`` holds TF's own descriptors (see regenerate.py). They are loaded
into a *private* DescriptorPool: a ``tensorflow.GraphDef`` in protobuf's default pool
would make a later ``import tensorflow`` in the same process fail with
"duplicate symbol". Parsing still runs in protobuf's compiled backend (upb).
"""
from __future__ import annotations

from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_fds = descriptor_pb2.FileDescriptorSet.FromString(
    Path(__file__).with_name("tensorflow.fds").read_bytes())
POOL = descriptor_pool.DescriptorPool()
for _file in _fds.file:
    POOL.Add(_file)


def message_class(full_name: str):
    return message_factory.GetMessageClass(POOL.FindMessageTypeByName(full_name))


GraphDef = message_class("tensorflow.GraphDef")
FunctionDefLibrary = message_class("tensorflow.FunctionDefLibrary")
NodeDef = message_class("tensorflow.NodeDef")
AttrValue = message_class("tensorflow.AttrValue")
TensorProto = message_class("tensorflow.TensorProto")
TensorShapeProto = message_class("tensorflow.TensorShapeProto")
MetaGraphDef = message_class("tensorflow.MetaGraphDef")
SavedModel = message_class("tensorflow.SavedModel")

DATA_TYPE = POOL.FindEnumTypeByName("tensorflow.DataType")


def dtype_name(number: int) -> str:
    """'DT_FLOAT' for 1; 'DT_FLOAT_REF' for 101; a plain number if TF has no name."""
    value = DATA_TYPE.values_by_number.get(number)
    return value.name if value else str(number)


def _records_class():
    """``pbscope.Records``: a GraphDef read as its node records' bytes (field 1 as
    ``repeated bytes``), so that protobuf's compiled parser finds where each node lies."""
    f = descriptor_pb2.FileDescriptorProto(name="pbscope_records.proto", package="pbscope", syntax="proto3")
    m = f.message_type.add(name="Records")
    m.field.add(name="node", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
                label=descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED)
    POOL.Add(f)
    return message_class("pbscope.Records")


Records = _records_class()
BundleEntryProto = message_class("tensorflow.BundleEntryProto")
BundleHeaderProto = message_class("tensorflow.BundleHeaderProto")
VariableDef = message_class("tensorflow.VariableDef")
SavedObjectGraph = message_class("tensorflow.SavedObjectGraph")
