"""The TFLite flatbuffer schema, as flatc generated it from TensorFlow's schema.fbs,
trimmed to the tables pbscope reads (``generated.py``; regenerate.py remakes it)."""
from .generated import BuiltinOperator, Model  # noqa: F401
