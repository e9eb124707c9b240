"""pbscope's log records, through the standard library.

Modules log to ``logging.getLogger(__name__)`` (``pbscope.core.…``, ``pbscope.gui.…``).
Nothing here touches the root logger: handlers go on the ``pbscope`` logger, so a
program that imports pbscope as a library keeps its own logging set up as it was. The
command line's ``-v`` sends the records to stderr (``configure_cli``); the window
writes them to a rotating file in the user's state folder (``configure_file``).
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

LOGGER = "pbscope"
LOG_FILE = "pbscope.log"
MAX_BYTES = 1 << 20         # a log file rotates at 1 MiB
BACKUPS = 3                 # pbscope.log.1 … .3 kept
CLI_FORMAT = "pbscope: %(levelname)s: %(name)s: %(message)s"
FILE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

_TAG = "_pbscope_handler"   # marks the handlers configured here, so configuring again replaces them


def logger() -> logging.Logger:
    return logging.getLogger(LOGGER)


def level_for(verbosity: int) -> int:
    """0: warnings only, and only if something else shows them; 1 (-v): INFO; 2+ (-vv): DEBUG."""
    return logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG


def state_dir(app: str = "pbscope") -> Path:
    """Where the user's state (logs) goes: ``$XDG_STATE_HOME/pbscope``, by default
    ``~/.local/state/pbscope`` on Linux; ``~/Library/Logs/pbscope`` on macOS;
    ``%LOCALAPPDATA%\\pbscope`` on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
        return Path(base) / app
    xdg = os.environ.get("XDG_STATE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / app
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / app
    return Path.home() / ".local" / "state" / app


def _replace(handler: logging.Handler | None, kind: str, level: int) -> logging.Logger:
    """Put ``handler`` on the pbscope logger in place of the one of this ``kind`` configured
    before (closed), and set the logger's level to the lowest any of ours needs."""
    log = logger()
    for h in list(log.handlers):
        if getattr(h, _TAG, None) == kind:
            log.removeHandler(h)
            h.close()
    if handler is not None:
        setattr(handler, _TAG, kind)
        handler.setLevel(level)
        log.addHandler(handler)
    ours = [h.level for h in log.handlers if getattr(h, _TAG, None)]
    log.setLevel(min(ours) if ours else logging.NOTSET)
    return log


def configure_cli(verbosity: int, stream=None) -> logging.Handler | None:
    """``-v``: INFO and above to stderr; ``-vv``: DEBUG too. Without ``-v`` nothing is
    printed, warnings included (the one error line stays the only thing on stderr): a
    NullHandler keeps logging's last-resort handler from printing them."""
    if verbosity <= 0:
        _replace(logging.NullHandler(), "cli", logging.WARNING)
        return None
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(logging.Formatter(CLI_FORMAT))
    _replace(handler, "cli", level_for(verbosity))
    return handler


def configure_file(path: str | os.PathLike | None = None, level: int = logging.INFO) -> Path | None:
    """A rotating log file (``MAX_BYTES`` × ``BACKUPS``), by default ``state_dir()/pbscope.log``.
    Returns its path, or None when it cannot be made (a read-only home…): silently, the
    window works without it."""
    try:
        target = Path(path) if path is not None else state_dir() / LOG_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8", delay=False)
    except (OSError, ValueError):
        return None
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    _replace(handler, "file", level)
    return target


def unconfigure() -> None:
    """Remove the handlers configured here (tests)."""
    _replace(None, "cli", logging.WARNING)
    _replace(None, "file", logging.WARNING)
