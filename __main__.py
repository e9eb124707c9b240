"""``python -m pbscope …``: the same as the ``pbscope`` command."""
from .main import entry

entry()
