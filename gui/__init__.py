"""pbscope's desktop GUI (PySide6). Uses only core's public API; never imports TensorFlow."""
