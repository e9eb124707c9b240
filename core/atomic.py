"""Writing outputs so that a failure leaves nothing behind: temporary files and folders
beside the target, fsynced, then renamed into place.

Used by export, restore and unfreeze. Temporary files get the permissions a plain
``open(path, "w")`` would give (mkstemp/mkdtemp make them private, 0600/0700).

A process killed mid-write (kill -9, a power cut) cannot clean up: its temporary's name
carries its host and process id (``.w.pkl.k3j2.pbscope-host-4711.part``), and the next
write into that folder removes the temporaries of processes that no longer run on this
host. A live process's temporary is never touched.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile

from .errors import PbscopeError


def umask() -> int:
    """The process's umask, read without changing it (os.umask would, for every thread)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())[:40] or "host"


_STALE = re.compile(r"^\..*\.pbscope-(?P<host>\w+)-(?P<pid>\d+)\.part$")


def _suffix() -> str:
    return f".pbscope-{_host()}-{os.getpid()}.part"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:     # EPERM: it runs, as another user
        return True
    return True


def remove_stale(folder: str) -> None:
    """Remove the temporaries that dead pbscope processes of this host left in ``folder``."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    host = _host()
    for name in names:
        m = _STALE.match(name)
        if not m or m["host"] != host or int(m["pid"]) == os.getpid() or _alive(int(m["pid"])):
            continue
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)


def temp_file_beside(out: str) -> tuple[int, str]:
    """(fd, path) of a new temporary file in ``out``'s folder."""
    folder = os.path.dirname(os.path.abspath(out))
    remove_stale(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(out)}.", suffix=_suffix(), dir=folder)
        os.fchmod(fd, 0o666 & ~umask())
    except OSError as e:
        raise PbscopeError(out, f"cannot write in {folder}: {e.strerror or e}") from None
    return fd, tmp


def temp_dir_beside(out: str) -> str:
    folder = os.path.dirname(os.path.abspath(out))
    remove_stale(folder)
    try:
        tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.", suffix=_suffix(), dir=folder)
        os.chmod(tmp, 0o777 & ~umask())
    except OSError as e:
        raise PbscopeError(out, f"cannot write in {folder}: {e.strerror or e}") from None
    return tmp


@contextlib.contextmanager
def output_folder(out: str, force: bool):
    """A temporary folder to build ``out`` in; on success it is fsynced and renamed into
    place (an existing ``out`` replaced only with ``force``); on any error, removed."""
    tmp = temp_dir_beside(out)
    try:
        yield tmp
        fsync_tree(tmp)
        move_into_place(tmp, os.path.abspath(out), out, force)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError):
            raise PbscopeError(out, f"cannot write it: {e.strerror or e}") from None
        raise


def move_into_place(tmp: str, out_abs: str, out: str, force: bool) -> None:
    """Rename ``tmp`` to ``out_abs``; an existing output (with force) is set aside first
    and removed only once the new one is in place."""
    old = None
    if os.path.lexists(out_abs):
        if not force:   # appeared while we worked
            raise PbscopeError(out, "already exists; use --force to replace it")
        old = tempfile.mkdtemp(prefix=f".{os.path.basename(out_abs)}.", suffix=".old",
                               dir=os.path.dirname(out_abs))
        os.rmdir(old)
        os.rename(out_abs, old)
    try:
        os.rename(tmp, out_abs)
    except BaseException:
        if old is not None:
            os.rename(old, out_abs)
        raise
    fsync_dir(os.path.dirname(out_abs))
    if old is not None:
        if os.path.isdir(old) and not os.path.islink(old):
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.unlink(old)


def fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: str) -> None:
    """Every file below ``folder``, then the folders themselves."""
    for root, _, files in os.walk(folder):
        for name in files:
            fsync_file(os.path.join(root, name))
        fsync_dir(root)


def fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
